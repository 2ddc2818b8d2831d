/**
 * /dashboard/fieldwork: coordinators watch fieldwork as it happens. Progress bars per quota cell (achieved, and
 * reserved by interviews under way), a region x age-band table, a per-interviewer table and the quality flags with
 * links that open the flagged response. All numbers come from GET …/quotas/progress and GET …/fieldwork; the page
 * refetches them on every event of GET …/fieldwork/events, so a submission anywhere moves the bars without a reload.
 *
 * The event stream is read with fetch rather than EventSource: EventSource cannot send the Authorization header,
 * and a token in the URL would be written to server logs and browser history. fetch streams the body just as well
 * and goes through the shell like every other call (a 401 there signs out).
 */
import { itemsOf } from '../../schemas/items.js';
import { bundles, type Language } from '../../schemas/labels.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { h, replaceContent } from '../render/dom.js';
import type { FieldworkReport, GroupStats, HeatCell, QuotaCellProgress, QuotaProgress } from '../../schemas/generated/api.types.js';
import { quotaLabel, valueLabel, variableLabel } from './labels.js';
import { ApiError, startDashboard, type Dashboard } from './shell.js';
import { text, type TextKey } from './texts.js';

// The API's answers, typed from their schemas in schemas/api/ (npm run generate).
type Cell = QuotaCellProgress;
type Progress = QuotaProgress;
type Stats = GroupStats;
type Fieldwork = FieldworkReport;

const TITLES: Record<Language, string> = { en: 'Fieldwork', ru: 'Полевые работы', kk: 'Далалық жұмыс' };
const SVG = 'http://www.w3.org/2000/svg';
const RECONNECT_MS = 3000;

const params = new URLSearchParams(location.search);
let survey: SurveyId = (SURVEY_IDS as readonly string[]).includes(params.get('survey') ?? '') ? (params.get('survey') as SurveyId) : 'population';
let progress: Progress | null = null;
let noPlan = false;
let fieldwork: Fieldwork | null = null;
let failure: string | null = null;
let live = false;
let opened: { survey: SurveyId; controller: AbortController } | null = null;
let loading: Promise<void> | null = null;
let stale = false;
let shown: { id: string; answers: Record<string, unknown>; error: string | null } | null = null;

const api = (path = '') => `/api/v1/surveys/${survey}${path}`;

const label = (lang: Language, variable: string, code: string) => valueLabel(lang, survey, variable, code);

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);

/** Loads progress and fieldwork; events arriving meanwhile cause one more load, never a pile of them. */
function reload(d: Dashboard): Promise<void> {
  if (loading) {
    stale = true;
    return loading;
  }
  loading = (async () => {
    do {
      stale = false;
      await loadOnce(d);
    } while (stale);
    loading = null;
  })();
  return loading;
}

async function loadOnce(d: Dashboard): Promise<void> {
  try {
    const [p, f] = await Promise.all([
      d.get<Progress>(api('/quotas/progress')).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === '404.7') return null;
        throw error;
      }),
      d.get<Fieldwork>(api('/fieldwork')),
    ]);
    progress = p;
    noPlan = p === null;
    fieldwork = f;
    failure = null;
  } catch (error) {
    failure = error instanceof ApiError && error.status === 403 ? text(d.lang, 'fwForbidden') : (error as Error).message;
  }
  d.refresh();
}

/** Reads the event stream; every event is a cue to refetch. Reconnects after a dropped connection. */
async function follow(d: Dashboard, controller: AbortController): Promise<void> {
  const streamed = survey;
  try {
    const res = await d.open(api('/fieldwork/events'), controller.signal);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    live = true;
    d.refresh();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      if (blocks.some((b) => /^event: /m.test(b))) void reload(d);
    }
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      // Signed out or not allowed: open again on the next render after signing in.
      if (opened?.controller === controller) opened = null;
      return;
    }
  }
  live = false;
  if (controller.signal.aborted || streamed !== survey) return;
  d.refresh();
  setTimeout(() => {
    if (!controller.signal.aborted) void follow(d, controller);
  }, RECONNECT_MS);
}

/** Opens the stream for the survey shown (once; again when the survey changes). */
function ensureStream(d: Dashboard): void {
  if (opened?.survey === survey) return;
  opened?.controller.abort();
  opened = { survey, controller: new AbortController() };
  void follow(d, opened.controller);
  void reload(d);
}

function bar(cell: Cell): SVGSVGElement {
  const width = 300;
  const scale = Math.max(cell.target, cell.achieved + cell.reserved, 1);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} 14`);
  svg.setAttribute('class', 'quota-bar');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('aria-hidden', 'true');
  const rect = (cls: string, x: number, w: number) => {
    const r = document.createElementNS(SVG, 'rect');
    r.setAttribute('class', cls);
    r.setAttribute('x', String(x));
    r.setAttribute('y', '0');
    r.setAttribute('height', '14');
    r.setAttribute('width', String(Math.max(0, w)));
    svg.append(r);
    return r;
  };
  rect('track', 0, width);
  const achieved = (width * cell.achieved) / scale;
  rect(cell.over > 0 ? 'achieved over' : 'achieved', 0, achieved).setAttribute('data-achieved', String(cell.achieved));
  rect('reserved', achieved, (width * cell.reserved) / scale);
  if (cell.target < scale) rect('target-mark', (width * cell.target) / scale - 1, 2);
  return svg;
}

/** A quota named by its variables' labels (its cells' categories name them), never by its id. */
function quotaName(lang: Language, quota: string): string {
  const cell = progress?.cells.find((c) => c.quota === quota);
  return cell ? quotaLabel(lang, survey, Object.keys(cell.categories)) : quota;
}

function progressCard(lang: Language, p: Progress): HTMLElement {
  const quotas = [...new Set(p.cells.map((c) => c.quota))];
  return h('section', { class: 'card', id: 'progress' },
    h('h2', {}, text(lang, 'fwProgress')),
    ...quotas.map((q) => h('div', { class: 'quota', 'data-quota': q },
      h('h3', {}, quotaName(lang, q)),
      h('ul', { class: 'cells' }, ...p.cells.filter((c) => c.quota === q).map((c) => h('li', { 'data-cell': c.cell, 'data-achieved': c.achieved, 'data-reserved': c.reserved, class: c.full ? 'full' : '' },
        h('span', { class: 'cell-label' }, Object.entries(c.categories).map(([v, code]) => label(lang, v, code)).join(' · ')),
        bar(c),
        h('span', { class: 'cell-numbers' }, `${text(lang, 'fwCell', { achieved: c.achieved, target: c.target, percent: c.percent, reserved: c.reserved, remaining: c.remaining })}${c.over > 0 ? ` · ${c.over} ${text(lang, 'fwOver')}` : ''}`)))))));
}

function heatCard(lang: Language, heat: NonNullable<Fieldwork['heat']>): HTMLElement {
  const max = Math.max(1, ...heat.cells.map((c) => c.achieved));
  const level = (c: HeatCell) => {
    const share = c.target ? c.achieved / c.target : c.achieved / max;
    return Math.min(4, Math.ceil(share * 4));
  };
  const row = (region: string) => h('tr', {},
    h('th', { scope: 'row' }, label(lang, 'ps_region', region)),
    ...heat.bands.map((band) => {
      const c = heat.cells.find((x) => x.region === region && x.band === band) ?? { region, band, achieved: 0, target: null };
      return h('td', { class: `num heat-${level(c)}`, 'data-region': region, 'data-band': band }, c.target === null ? String(c.achieved) : `${c.achieved}/${c.target}`);
    }));
  return h('section', { class: 'card', id: 'heat' },
    h('h2', {}, text(lang, 'fwHeat')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'numbers heat' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, text(lang, 'fwRegion')), ...heat.bands.map((b) => h('th', { scope: 'col' }, label(lang, 'ps_age_band', b))))),
      h('tbody', {}, ...heat.regions.map(row)))));
}

function interviewersCard(lang: Language, rows: Stats[]): HTMLElement {
  const heads = [text(lang, 'fwInterviewer'), text(lang, 'fwToday'), text(lang, 'fwTotal'), text(lang, 'fwMedian'), text(lang, 'fwRejected'), text(lang, 'fwFlaggedShare')];
  return h('section', { class: 'card', id: 'interviewers' },
    h('h2', {}, text(lang, 'fwInterviewers')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'numbers' },
      h('thead', {}, h('tr', {}, ...heads.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows.map((s) => h('tr', { 'data-interviewer': s.key },
        h('th', { scope: 'row', translate: 'no' }, s.key), h('td', { class: 'num' }, String(s.responsesToday)), h('td', { class: 'num' }, String(s.responsesTotal)),
        h('td', { class: 'num' }, s.medianSeconds === null ? '–' : (s.medianSeconds / 60).toFixed(1)), h('td', { class: 'num' }, pct(s.rejectionRate)), h('td', { class: 'num' }, pct(s.shareFlagged))))))));
}

function responseLink(d: Dashboard, id: string): HTMLElement {
  return h('a', {
    href: `#response-${id}`, class: 'response-link', 'data-response': id,
    onclick: async (event: Event) => {
      event.preventDefault();
      shown = await d.get<{ answers: Record<string, unknown> }>(api(`/responses/${id}`))
        .then((r) => ({ id, answers: r.answers, error: null }), (error: unknown) => ({ id, answers: {}, error: (error as Error).message }));
      d.refresh();
    },
    // A response id is data, the same in every language.
    translate: 'no',
  }, id.slice(0, 8));
}

function flagsCard(d: Dashboard, f: Fieldwork): HTMLElement {
  const lang = d.lang;
  const items = [
    ...f.flags.map((x) => h('li', { 'data-flag': x.flag }, h('span', {}, text(lang, `fwFlag_${x.flag}` as TextKey)), responseLink(d, x.response), h('span', { class: 'muted', translate: 'no' }, x.interviewer ?? ''), h('span', { class: 'muted' }, x.region ? label(lang, 'ps_region', x.region) : ''))),
    ...f.overQuota.map((x) => h('li', { 'data-flag': 'over_quota' }, h('span', {}, `${text(lang, 'fwOverQuota')}: ${x.quotas.map((q) => quotaName(lang, q)).join('; ')}`), responseLink(d, x.response), h('span', { class: 'muted', translate: 'no' }, x.interviewer ?? ''))),
  ];
  return h('section', { class: 'card', id: 'flags' },
    h('h2', {}, text(lang, 'fwFlags')),
    items.length > 0 ? h('ul', { class: 'list flags' }, ...items) : h('p', { class: 'muted' }, text(lang, 'fwNoFlags')),
    shown ? responseDetail(lang, shown) : null);
}

/** A flagged response's answers as questions and answer labels (numbers and typed text as given). */
function responseDetail(lang: Language, r: NonNullable<typeof shown>): HTMLElement {
  const answer = (id: string, value: unknown) => (typeof value === 'string' || typeof value === 'boolean' ? valueLabel(lang, survey, id, String(value)) : String(value));
  const typed = (id: string) => itemsOf(survey).find((i) => i.id === id)?.kind === 'text';
  return h('details', { open: true, id: 'response-detail' }, h('summary', { translate: 'no' }, r.id),
    r.error ? h('p', { class: 'error', role: 'alert' }, r.error) : null,
    h('dl', { class: 'answers' }, ...Object.entries(r.answers).flatMap(([id, value]) => [
      h('dt', {}, variableLabel(lang, survey, id)),
      h('dd', typed(id) ? { translate: 'no' } : {}, answer(id, value)),
    ])));
}

function controls(d: Dashboard): HTMLElement {
  const select = h('select', { id: 'survey' }, ...SURVEY_IDS.map((s) => h('option', { value: s, selected: s === survey }, bundles[d.lang].surveys[s].title)));
  select.addEventListener('change', () => {
    survey = select.value as SurveyId;
    history.replaceState(null, '', `${location.pathname}?survey=${survey}`);
    progress = null;
    fieldwork = null;
    shown = null;
    ensureStream(d);
  });
  return h('p', { class: 'controls' }, h('label', { class: 'field', for: 'survey' }, text(d.lang, 'survey')), select,
    h('span', { id: 'live', class: live ? 'live on' : 'live', role: 'status' }, text(d.lang, live ? 'fwLive' : 'fwOffline')));
}

startDashboard(TITLES, (d, main) => {
  const lang = d.lang;
  const body: Array<HTMLElement | null> = [];
  if (failure) body.push(h('p', { class: 'error', role: 'alert' }, failure));
  if (fieldwork) body.push(h('p', { class: 'muted', id: 'summary' }, text(lang, 'fwSummary', { total: fieldwork.total.responsesTotal, today: fieldwork.total.responsesToday, time: new Date(fieldwork.at).toLocaleTimeString(lang) })));
  if (noPlan) body.push(h('p', { class: 'card muted', id: 'no-plan' }, text(lang, 'fwNoPlan')));
  if (progress) body.push(progressCard(lang, progress));
  if (fieldwork?.heat) body.push(heatCard(lang, fieldwork.heat));
  if (fieldwork && fieldwork.interviewers.length > 0) body.push(interviewersCard(lang, fieldwork.interviewers));
  if (fieldwork) body.push(flagsCard(d, fieldwork));
  replaceContent(main, h('h1', {}, TITLES[lang]), controls(d), ...body.filter((x): x is HTMLElement => x !== null));
  ensureStream(d);
});
