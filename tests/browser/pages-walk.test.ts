// Every page in Kazakh and Russian, as a signed-in admin sees it with data behind it: nothing in English, no item id
// shown as text, nothing cut off or wider than its box at 1440 and 800 px, no sideways scrolling, and no serious or
// critical axe-core violation. The pages are every dashboard in DASHBOARDS, every form and `/` when the app serves
// one, so a page added later is walked without touching this file. Drill-downs (<details>) are opened and select
// options read: a user sees those too. Screenshots of each state go to artifacts/screenshots/walk-* (not committed).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_TEXTS } from '../../forms/dashboard/texts.js';
import { indicatorTexts } from '../../schemas/csi/indicator-texts.js';
import { indicatorMatrix } from '../../schemas/csi/indicators.js';
import { itemsOf } from '../../schemas/items.js';
import { bundles, type Language } from '../../schemas/labels.js';
import { questionnaires, SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { DASHBOARDS } from '../../server/http/pages.routes.js';
import { CAST, TEST_PASSWORD } from '../support/app.js';
import { startHarness, type Harness, type Page } from './support/form-harness.js';
import { DESKTOP, layoutReport, NARROW } from './support/layout-checks.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'screenshots');
const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const WALKED: Language[] = ['kk', 'ru'];
/** The margins have no age band (the dictionary found none): equal shares, for a plan with an interlocking quota. */
const AGE_SHARES = { '18_25': 1, '26_35': 1, '36_45': 1, '46_55': 1, '56_60': 1, '61_plus': 1 };
const SIZES: Record<SurveyId, number> = { population: 150, organisational: 40, external: 20 };
/** Views that show content at once (a dashboard whose view lives in its URL). */
const VIEWS: Record<string, string> = { '/dashboard/tallies': '?items=ps_trust_people,ps_age_years&by=ps_age_band' };
/**
 * Pages walked at once in each language (both languages walk at once too): most of a page's time is spent waiting
 * for it to be still, so a few pages in flight keep the machine busy without crowding a 2-core CI runner.
 */
const PAGES_AT_ONCE = 2;
/** Every page signs in afresh, and the walks run at once: more sign-ins a minute than the default limit allows. */
const LIMITS = { writesPerMinute: 100_000, loginsPerMinute: 100_000 };
/** A safety net for a hung walk (the two walks share the cores, and each used to have 10 minutes of its own). */
const WALK_HUNG = 1_200_000;

/**
 * Latin words allowed in Kazakh and Russian text: names of file formats, keys and tools that are the same in every
 * language, the index's Latin abbreviation in the page title, and min() in formulas; and proper names that Russian
 * and Kazakh texts write in Latin letters (the organisations behind the secondary data) or an API parameter.
 */
const ALLOWED_LATIN = new Set(['CSI', 'CSV', 'Excel', 'SPSS', 'Stata', 'Ctrl', 'API', 'deff', 'svyciprop', 'min', 'WGI', 'UIA']);
const ALLOWED_NAMES = ['CIVICUS', 'Social Watch', 'Transparency International', 'Freedom House', 'precision=full'];

/** Every string of a language's interface: dashboards, questionnaire bundles, the indicator matrix's names. */
function strings(lang: Language): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== '_meta') walk(x);
  };
  walk(DASHBOARD_TEXTS[lang]);
  walk(bundles[lang]);
  walk(indicatorTexts[lang]);
  for (const d of indicatorMatrix.dimensions) {
    walk(d.name[lang]);
    for (const s of d.subDimensions) {
      walk(s.name[lang]);
      for (const i of s.indicators) walk(i.name[lang]);
    }
  }
  return out;
}

/**
 * The English phrases to look for in a language: each English string cut at its {placeholders}, keeping pieces with
 * a word of three letters or more that the other language does not itself contain (numbers, "n", "deff").
 */
function englishPhrases(lang: Language): string[] {
  const theirs = strings(lang).join('\n');
  const pieces = strings('en').flatMap((s) => s.split(/\{\w+\}/)).map((p) => p.trim().replace(/^[\s.,:;·*()–-]+|[\s.,:;·*()–-]+$/g, ''));
  return [...new Set(pieces)].filter((p) => /[A-Za-z]{3,}/.test(p) && !theirs.includes(p)).sort((a, b) => b.length - a.length);
}

const ITEM_IDS = new Set(SURVEY_IDS.flatMap((s) => [
  ...itemsOf(s).map((i) => i.id),
  ...Object.keys((questionnaires[s].$defs.derived as { properties?: object } | undefined)?.properties ?? {}),
]));

interface Seen { text: string; where: string }

/** Every string the page shows now: visible text, open drill-downs, select options, tooltips and labels, the title. */
async function visibleStrings(page: Page): Promise<Seen[]> {
  return page.evaluate(() => {
    const where = (el: Element | null): string => {
      const parts: string[] = [];
      for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) parts.unshift(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}`);
      return parts.join(' > ');
    };
    // translate="no" marks data shown as it was entered (user names, response ids, citations): not interface text;
    // a lang other than the page's marks text in another language on purpose (each language's own name).
    const page = document.documentElement.lang;
    const data = (el: Element) => el.closest('[translate="no"]') !== null || (el.closest('[lang]')?.getAttribute('lang') ?? page) !== page;
    const seen: Seen[] = [{ text: document.title, where: 'title' }];
    const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = texts.nextNode(); n; n = texts.nextNode()) {
      const el = n.parentElement;
      const text = (n.textContent ?? '').trim();
      if (!el || text === '' || data(el) || el.closest('script, style, noscript')) continue;
      const svgTitle = el.closest('svg title');
      if (svgTitle || el.tagName === 'OPTION' || el.checkVisibility()) seen.push({ text, where: where(el) });
    }
    for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
      if (data(el) || !(el.closest('svg') ?? el).checkVisibility()) continue;
      for (const a of ['title', 'aria-label', 'placeholder', 'alt']) {
        const v = el.getAttribute(a)?.trim();
        if (v) seen.push({ text: v, where: `${where(el)}[${a}]` });
      }
    }
    return seen;
  });
}

/** What in these strings is English or an item id. */
function untranslated(seen: Seen[], phrases: string[], allowedNames: Set<string>): string[] {
  const problems: string[] = [];
  for (const { text, where } of seen) {
    const phrase = phrases.find((p) => new RegExp(`(^|[^A-Za-z])${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z])`).test(text));
    if (phrase) problems.push(`English "${phrase}" at ${where}: ${text.slice(0, 120)}`);
    const ids = (text.match(/[a-z][a-z0-9]*(?:_[a-z0-9]+)+/g) ?? []).filter((t) => ITEM_IDS.has(t) || /^(ps|os|es)_/.test(t));
    if (ids.length > 0) problems.push(`item id ${ids.join(', ')} at ${where}: ${text.slice(0, 120)}`);
    const latin = (ALLOWED_NAMES.reduce((t, name) => t.replaceAll(name, ''), text).match(/(?<![A-Za-z0-9_])[A-Za-z]{3,}(?![A-Za-z0-9_])/g) ?? []).filter((w) => !ALLOWED_LATIN.has(w) && !allowedNames.has(w));
    if (!phrase && ids.length === 0 && latin.length > 0) problems.push(`Latin words ${latin.join(', ')} at ${where}: ${text.slice(0, 120)}`);
  }
  return [...new Set(problems)];
}

/** `work` on every item, at most `limit` at a time; the results in the items' order. */
async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Waits until the page shows no loading marks and its DOM has been still for half a second (up to 20 s). */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('.loading, [aria-busy="true"]'), undefined, { timeout: 20_000 });
  await page.evaluate(() => new Promise<void>((resolve) => {
    let quiet: ReturnType<typeof setTimeout>;
    const observer = new MutationObserver(() => {
      clearTimeout(quiet);
      quiet = setTimeout(done, 500);
    });
    const limit = setTimeout(done, 20_000);
    function done() {
      observer.disconnect();
      clearTimeout(limit);
      resolve();
    }
    quiet = setTimeout(done, 500);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  }));
}

async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    return (await axe.run(document)).violations;
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)).join(' ')}`);
}

describe('every page in Kazakh and Russian', () => {
  let h: Harness;
  let pages: string[] = [];
  const names = new Set(Object.keys(CAST));
  beforeAll(async () => {
    h = await startHarness({ limits: LIMITS });
    mkdirSync(SHOTS, { recursive: true });
    const plan = (await h.ctx.as('coord').post('/api/v1/surveys/population/quotas/allocation')
      .send({ total: 300, minimum: 1, quotas: [{ variables: ['ps_region'] }, { variables: ['ps_gender', 'ps_age_band'], shares: { ps_age_band: AGE_SHARES } }] }).expect(200)).body as { policy: string; quotas: object[] };
    await h.ctx.as('coord').put('/api/v1/surveys/population/quotas').send({ policy: plan.policy, quotas: plan.quotas }).expect(200);
    for (const [k, survey] of (Object.keys(SIZES) as SurveyId[]).entries()) {
      const gen = new SyntheticGenerator(survey, { seed: 171 + k });
      for (let i = 0; i < SIZES[survey]; i += 1) await h.ctx.as(i % 2 ? 'ainur' : 'boris').post(`/api/v1/surveys/${survey}/responses`).send(gen.nextSubmission()).expect(201);
    }
    const home = await fetch(`${h.base}/`);
    pages = [
      ...(home.ok && (home.headers.get('content-type') ?? '').startsWith('text/html') ? ['/'] : []),
      ...Object.keys(DASHBOARDS).map((name) => `/dashboard/${name}`),
      ...SURVEY_IDS.map((survey) => `/forms/${survey}`),
    ];
  }, 300_000);
  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('walks the dashboards and forms (derived from DASHBOARDS and the surveys)', () => {
    expect(pages).toEqual(expect.arrayContaining(['/dashboard/tallies', '/dashboard/fieldwork', '/dashboard/indicators', '/forms/population']));
  });

  it.for(WALKED)('%s: every page translated, laid out at 1440 and 800 px, without serious axe violations', { concurrent: true, timeout: WALK_HUNG }, async (lang, { expect }) => {
    const phrases = englishPhrases(lang);
    // Every state starts at DESKTOP (the context's viewport, and set again at the end): the first pass settles it.
    const check = async (problems: string[], page: Page, path: string, state: string) => {
      const slug = `${path.replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'home'}-${state.replace(/\W+/g, '-')}`;
      // Laid out as first shown (screenshots of it), then with every drill-down open: a user opens them too.
      for (const open of [false, true]) {
        if (open) await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
        for (const [size, viewport] of [['1440', DESKTOP], ['800', NARROW]] as const) {
          await page.setViewportSize(viewport);
          await settle(page);
          const r = await layoutReport(page);
          if (!open) await page.screenshot({ path: join(SHOTS, `walk-${slug}-${lang}-${size}.png`), fullPage: true, timeout: 120_000 });
          for (const o of [...r.clippedText, ...r.clippedSvgText]) problems.push(`${path} (${state}) at ${size}: "${o.text}" is ${o.scrollWidth} px in a ${o.clientWidth} px box at ${o.where}`);
          if (r.page.scrollWidth > r.page.clientWidth) problems.push(`${path} (${state}) at ${size}: the page scrolls sideways (${r.page.scrollWidth} > ${r.page.clientWidth})`);
          // At desktop width nothing scrolls sideways; at 800 px a wide table may scroll inside its card.
          if (size === '1440') for (const o of r.sidewaysScrollers) problems.push(`${path} (${state}) at 1440: ${o.where} scrolls sideways (${o.scrollWidth} > ${o.clientWidth})`);
        }
        await page.setViewportSize(DESKTOP);
      }
      for (const p of untranslated(await visibleStrings(page), phrases, names)) problems.push(`${path} (${state}): ${p}`);
      for (const v of await axeViolations(page)) problems.push(`${path} (${state}) axe: ${v}`);
    };
    // Each page in a context of its own; its problems kept apart and reported in the pages' order.
    const found = await inParallel(pages, PAGES_AT_ONCE, async (path) => {
      const problems: string[] = [];
      const context = await h.browser.newContext({ viewport: DESKTOP, locale: lang, bypassCSP: true });
      try {
        const page = await context.newPage();
        await page.goto(`${h.base}${path}${VIEWS[path] ?? ''}`);
        await page.locator('#login').waitFor();
        await check(problems, page, path, 'sign-in');
        await page.locator('#username').fill('admin');
        await page.locator('#password').fill(TEST_PASSWORD);
        await page.locator('#login [type=submit]').click();
        await page.locator('#login').waitFor({ state: 'detached' });
        await check(problems, page, path, 'signed in');
        if (path.startsWith('/forms/')) {
          await page.locator('#new-interview').click();
          await page.locator('#page').waitFor();
          await check(problems, page, path, 'first page');
          await page.locator('#next').click();
          await page.locator('#errors-summary').waitFor();
          await check(problems, page, path, 'errors');
        }
      } finally {
        await context.close();
      }
      return problems;
    });
    expect([...new Set(found.flat())]).toEqual([]);
  });
});
