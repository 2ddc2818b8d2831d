/**
 * Browser code is bundled by esbuild on first request and kept in memory: nothing built is committed, nothing is
 * written to disk, and a fresh process always serves the code it was started with. esbuild is imported lazily so
 * that a server which never serves a page never loads it.
 *
 * Entries are TypeScript files under forms/ (read as files, never imported: server/ and forms/ stay apart), or a
 * few lines of generated source (one form bundle per survey, so each carries only its own validator).
 */
import type { Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export type BundleSource = { file: string } | { source: string; name: string; survey?: string };

/**
 * A form bundle serves one survey: the other questionnaires and their label bundles, which schemas/ imports for
 * everyone, are replaced by empty objects (never read by that form), which keeps a quarter of the size out.
 */
function onlySurvey(survey: string, all: readonly string[]): Plugin {
  const others = all.filter((s) => s !== survey).join('|');
  // Every version's files: questionnaires/<survey>/<version>.{schema,mapping}.json and i18n/<lang>/<survey>/<version>.json.
  const filter = new RegExp(`[\\\\/]schemas[\\\\/](questionnaires|i18n[\\\\/]\\w+)[\\\\/](${others})[\\\\/][^\\\\/]+\\.json$`);
  return {
    name: 'only-survey',
    setup(build) {
      build.onLoad({ filter }, () => ({ contents: '{}', loader: 'json' }));
    },
  };
}

/** The repository root: where forms/ lives, found upwards from this file (works from server/ and from dist/). */
export function findRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'forms', 'app')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`forms/ not found above ${from}`);
  }
}

/** A built bundle, also gzipped once (field devices are often on slow links: the form shrinks about sixfold). */
export interface Built {
  code: string;
  gzip: Buffer;
}

export interface Bundler {
  /** The bundled JavaScript of an entry, built once per process; null when the entry file does not exist. */
  bundle(key: string, source: BundleSource): Promise<Built | null>;
}

export function memoBundler(root: string, version: string, surveys: readonly string[] = []): Bundler {
  const built = new Map<string, Promise<Built>>();
  return {
    bundle(key, source) {
      if ('file' in source && !existsSync(join(root, source.file))) return Promise.resolve(null);
      let hit = built.get(key);
      if (!hit) {
        hit = build(root, version, source, surveys).then((code) => ({ code, gzip: gzipSync(code) }));
        // A failed build is not cached: the next request tries again (an entry being written right now).
        hit.catch(() => built.delete(key));
        built.set(key, hit);
      }
      return hit;
    },
  };
}

async function build(root: string, version: string, source: BundleSource, surveys: readonly string[]): Promise<string> {
  const esbuild = await import('esbuild');
  const entry = 'file' in source
    ? { entryPoints: [join(root, source.file)] }
    : { stdin: { contents: source.source, resolveDir: root, sourcefile: source.name, loader: 'ts' as const } };
  const result = await esbuild.build({
    ...entry,
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    define: { __CSI_APP_VERSION__: JSON.stringify(version) },
    plugins: 'survey' in source && source.survey ? [onlySurvey(source.survey, surveys)] : [],
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output');
  return out.text;
}
