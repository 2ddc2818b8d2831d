// Lint is where the architecture is enforced: import cycles and the direction of dependencies
// between layers (see ../shared/house-style.md, "Direction of dependencies").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const zone = (target, from, message) => ({ target, from, message });

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'schemas/generated/**', 'artifacts/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    // Resolves `./x.js` to `./x.ts` as tsc does; without it the layer and cycle rules see nothing.
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': ['error', {
        zones: [
          zone('./schemas', './server', 'schemas/ imports nothing of the app'),
          zone('./schemas', './forms', 'schemas/ imports nothing of the app'),
          zone('./server', './forms', 'server/ and forms/ never import each other'),
          zone('./forms', './server', 'server/ and forms/ never import each other'),
          zone('./server/domain', './server/http', 'domain is pure'),
          zone('./server/domain', './server/store', 'domain is pure'),
          zone('./server/domain', './server/services', 'domain is pure'),
          zone('./server/store', './server/http', 'store does not know HTTP'),
          zone('./server/services', './server/http', 'services do not know HTTP'),
          zone('./server/http', './server/store', 'routes never touch the store: they call the services (createServices)'),
          zone('./forms/model', './forms/render', 'the form model never touches the DOM layer'),
          zone('./forms/model', './forms/offline', 'the form model is DOM-free'),
        ],
      }],
      'no-restricted-imports': ['error', {
        paths: [{ name: 'ajv/dist/2020', message: "Use the named import from 'ajv/dist/2020.js' (NodeNext)." }],
      }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['server/domain/**/*.ts', 'forms/model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['express', 'mongodb', 'better-sqlite3', 'node:fs', 'node:http', 'fs', 'http'], message: 'pure layer: no I/O' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'localStorage', 'indexedDB'],
    },
  },
  {
    // Services take typed parameters; the routes parse query strings into them (server/http/query.ts), and the CLI
    // builds them from its options, never a query string.
    files: ['server/services/**/*.ts', 'server/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'ajv/dist/2020', message: "Use the named import from 'ajv/dist/2020.js' (NodeNext)." }],
        patterns: [{ group: ['express', 'qs', 'querystring', 'node:querystring'], message: 'services see typed parameters, never a request or a query string' }],
      }],
      'no-restricted-globals': ['error', { name: 'URLSearchParams', message: 'services see typed parameters, never a query string' }],
    },
  },
);
