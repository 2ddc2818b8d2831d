/**
 * Public pages: HTML shells and the browser code they load. Pages hold no data (data comes only from the
 * authenticated API), so they are public and identical for everyone. Shells have no inline script (helmet's CSP
 * forbids it): each loads one bundled module from /assets/ and the shared stylesheet.
 *
 * To add a dashboard: one line in DASHBOARDS below (`name: 'Title'`) and its entry at forms/dashboard/<name>.ts.
 * It is then served at /dashboard/<name>, its code at /assets/dashboard-<name>.js; policy, OpenAPI and the
 * access matrix already cover it (one route, `GET /dashboard/:page`).
 */
import { Router, type RequestHandler, type Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundles, isLanguage, type Language } from '../../schemas/labels.js';
import { isSurveyId, SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { problem } from '../domain/problems.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { findRoot, memoBundler, type Bundler, type BundleSource } from './browser-bundles.js';
import { versionPolicy, type VersionPolicy } from '../../schemas/versions.js';

/** Dashboards by name: the title of the page. The entry point is forms/dashboard/<name>.ts (written separately). */
export const DASHBOARDS: Readonly<Record<string, string>> = {
  tallies: 'Fieldwork tallies',
  fieldwork: 'Fieldwork progress',
  indicators: 'CSI indicators',
  review: 'Review',
  // The console (issue 17): home (also served at /), one's own account, and administration.
  home: 'CSI console',
  account: 'Your account',
  users: 'Users',
  tokens: 'API tokens',
  audit: 'Audit trail',
  quotas: 'Quota plan',
  margins: 'Population margins',
  secondary: 'Secondary data',
  concerns: 'Social concerns',
};

const FORM_TITLES: Record<SurveyId, string> = { population: 'Population survey', organisational: 'Organisational survey', external: 'External perceptions survey' };

/**
 * The form bundle of one survey: the app with that survey's questionnaire, labels and standalone validators only,
 * those of the versions this server accepts, and the one it offers as current (interviews started in an accepted
 * version finish in it; new ones take the current one).
 */
const formEntry = (survey: SurveyId, policy: VersionPolicy): BundleSource => ({
  name: `form-${survey}.entry.ts`,
  survey,
  // Only the population survey has derived variables (quota cells may be on its age bands).
  source: [
    `import { startFormApp } from './forms/app/form.app.ts';`,
    `import { validators } from './schemas/generated/${survey}.validate.js';`,
    ...(survey === 'population' ? [`import { derivePopulation } from './schemas/derived.ts';`] : []),
    `const accepted = ${JSON.stringify(policy.active)};`,
    `const versions = { validators: Object.fromEntries(accepted.map((v) => [v, validators[v]])), current: ${JSON.stringify(policy.current)} };`,
    `startFormApp(${JSON.stringify(survey)}, versions${survey === 'population' ? ', { derive: (answers) => ({ ...derivePopulation(answers) }) }' : ''});`,
  ].join('\n'),
});

/** What a server without pinned versions offers: each survey's current version, every active one accepted. */
const defaultPolicy = (): Record<SurveyId, VersionPolicy> => Object.fromEntries(SURVEY_IDS.map((s) => [s, versionPolicy(s)])) as Record<SurveyId, VersionPolicy>;

/** What /assets/<file> serves besides the stylesheet: bundled scripts. */
function scriptSource(file: string, policy: Readonly<Record<SurveyId, VersionPolicy>>): BundleSource | null {
  if (file === 'sw.js') return { file: 'forms/offline/sw.ts' };
  const form = /^form-([a-z]+)\.js$/.exec(file);
  if (form?.[1] && isSurveyId(form[1])) return formEntry(form[1], policy[form[1]]);
  const dash = /^dashboard-([a-z][a-z0-9-]*)\.js$/.exec(file);
  if (dash?.[1] && Object.hasOwn(DASHBOARDS, dash[1])) return { file: `forms/dashboard/${dash[1]}.ts` };
  return null;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface Shell {
  title: string;
  script: string;
  /** data-* attributes of the app's root element. */
  data: Record<string, string>;
  /** The web app manifest (forms: installable to a tablet's home screen). */
  manifest?: string;
}

const THEME = '#0b5cad';
const ICONS = ['icon-192.png', 'icon-512.png', 'icon-maskable-512.png'];

/**
 * A form's web app manifest in one language: installed to a tablet's home screen it opens full-screen on the form,
 * named in the interviewer's language (the page points its manifest link at the language chosen).
 */
export function formManifest(survey: SurveyId, lang: Language): object {
  const title = bundles[lang].surveys[survey].title;
  return {
    id: `/forms/${survey}`,
    name: `${title} · CSI`,
    short_name: 'CSI',
    lang,
    start_url: `/forms/${survey}`,
    scope: '/forms/',
    display: 'fullscreen',
    display_override: ['fullscreen', 'standalone'],
    orientation: 'any',
    background_color: '#ffffff',
    theme_color: THEME,
    icons: [
      { src: '/assets/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/assets/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/assets/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
}

/**
 * Without JavaScript the page cannot switch languages, so it says so in all three, each marked with its language
 * for screen readers.
 */
const NOSCRIPT = [
  '<p lang="kk">Бұл бетке JavaScript қажет.</p>',
  '<p lang="ru">Для этой страницы нужен JavaScript.</p>',
  '<p lang="en">This page needs JavaScript.</p>',
].join('');

export function shellHtml(shell: Shell, lang = 'en'): string {
  const data = Object.entries(shell.data).map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`).join('');
  const install = shell.manifest
    ? `<link rel="manifest" href="${escapeHtml(shell.manifest)}">
<meta name="theme-color" content="${THEME}">
<meta name="mobile-web-app-capable" content="yes">
<link rel="icon" href="/assets/icon-192.png">
<link rel="apple-touch-icon" href="/assets/icon-192.png">
`
    : '';
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(shell.title)} · CSI</title>
${install}<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/${escapeHtml(shell.script)}"></script>
</head>
<body>
<div id="app"${data}><p class="loading">…</p></div>
<noscript>${NOSCRIPT}</noscript>
</body>
</html>
`;
}

/**
 * A dashboard keeps its view (survey, items, breakdowns) in the query string for bookmarks; the server ignores it
 * but still refuses anything that is not a plain name=value pair (operator keys, arrays, oversize values).
 */
const viewQuery: RequestHandler = (req, _res, next) => {
  const bad = Object.entries(req.query).filter(([k, v]) => !/^[a-z][A-Za-z0-9_]{0,40}$/.test(k) || typeof v !== 'string' || v.length > 2000);
  if (bad.length === 0) return next();
  next(problem('invalidQuery', { errors: bad.map(([k]) => ({ path: `/${k}`, item: null, keyword: 'pattern', message: 'a view parameter must be a plain name=value pair' })) }));
};

function sendHtml(res: Response, html: string): void {
  res.set('Cache-Control', 'no-cache').type('html').send(html);
}

/** Where the browser sources are and how to bundle them: found on first use, so a server without forms/ still boots. */
function sources(root?: string): () => { root: string; bundler: Bundler } {
  let found: { root: string; bundler: Bundler } | null = null;
  return () => {
    if (found) return found;
    const dir = root ?? findRoot();
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    found = { root: dir, bundler: memoBundler(dir, version, SURVEY_IDS) };
    return found;
  };
}

export function pagesRoutes(limits: Limits, root?: string, policy: Readonly<Record<SurveyId, VersionPolicy>> = defaultPolicy()): Router {
  const router = Router();
  const route = guardedRoutes(router, '', limits);
  const src = sources(root);
  let css: string | null = null;
  const icons = new Map<string, Buffer>();

  // The console's home: sign-in, then what the user's role does (forms/dashboard/home.ts).
  route('GET', '/', viewQuery, (_req, res) => {
    sendHtml(res, shellHtml({ title: DASHBOARDS.home ?? 'CSI', script: 'dashboard-home.js', data: { page: 'home' } }));
  });

  route('GET', '/forms/:survey', noQuery, (req, res) => {
    const survey = req.params.survey as string;
    if (!isSurveyId(survey)) throw problem('unknownSurvey', { survey, surveys: SURVEY_IDS });
    sendHtml(res, shellHtml({ title: FORM_TITLES[survey], script: `form-${survey}.js`, data: { survey }, manifest: `/assets/manifest-${survey}-en.webmanifest` }));
  });

  route('GET', '/dashboard/:page', viewQuery, (req, res) => {
    const page = req.params.page as string;
    const title = Object.hasOwn(DASHBOARDS, page) ? DASHBOARDS[page] : undefined;
    if (title === undefined) throw problem('routeNotFound');
    sendHtml(res, shellHtml({ title, script: `dashboard-${page}.js`, data: { page } }));
  });

  route('GET', '/assets/:file', noQuery, async (req, res) => {
    const file = req.params.file as string;
    res.set('Cache-Control', 'no-cache');
    if (file === 'app.css') {
      css ??= readFileSync(join(src().root, 'forms', 'app', 'app.css'), 'utf8');
      res.type('css').send(css);
      return;
    }
    if (ICONS.includes(file)) {
      if (!icons.has(file)) icons.set(file, readFileSync(join(src().root, 'forms', 'app', 'icons', file)));
      res.type('png').send(icons.get(file));
      return;
    }
    const manifest = /^manifest-([a-z]+)-([a-z]{2})\.webmanifest$/.exec(file);
    if (manifest) {
      const [, survey = '', lang = ''] = manifest;
      if (!isSurveyId(survey) || !isLanguage(lang)) throw problem('routeNotFound');
      res.type('application/manifest+json').send(JSON.stringify(formManifest(survey, lang)));
      return;
    }
    const source = scriptSource(file, policy);
    const built = source ? await src().bundler.bundle(file, source) : null;
    if (built === null) throw problem('routeNotFound');
    // The service worker lives under /assets/ but controls the form pages.
    if (file === 'sw.js') res.set('Service-Worker-Allowed', '/forms/');
    res.type('js').vary('Accept-Encoding');
    if (req.acceptsEncodings('gzip') === 'gzip') res.set('Content-Encoding', 'gzip').send(built.gzip);
    else res.send(built.code);
  });

  return router;
}
