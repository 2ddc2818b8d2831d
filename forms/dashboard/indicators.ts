/**
 * /dashboard/indicators: the CSI matrix as the report's Appendix 1 lays it out (each dimension, its sub-dimensions,
 * their indicators: score, n, base, source, confidence mark, default flag, rule text), the CSI Diamond, bars per
 * sub-dimension, and a drill-down from any indicator to its items, components, bases, secondary inputs and
 * breakdown. All numbers come from GET /api/v1/indicators; the Diamond is the server's SVG
 * (/api/v1/indicators/diamond.svg), so the page, the API and the report show one drawing. Printable (app.css).
 * The view (weighted, breakdown) lives in the URL.
 */
import { secondaryLabel } from '../../schemas/csi/indicator-texts.js';
import type { IndicatorResult, IndicatorsReport, LocalisedName, ScoreResult } from '../../schemas/generated/api.types.js';
import type { SecondaryKey } from '../../schemas/csi/indicators.js';
import type { Language } from '../../schemas/labels.js';
import { isSurveyId } from '../../schemas/surveys.js';
import { h, replaceContent, type Child } from '../render/dom.js';
import { shortLabel, valueLabel, variableLabel } from './labels.js';
import { scoreBarsSvg, score, type ScoreGroup } from './score-bars.js';
import { ApiError, saveBlob, startDashboard, svgNode, type Dashboard } from './shell.js';
import { text, type TextKey } from './texts.js';

type Name = LocalisedName;
type Indicator = IndicatorResult;
type Report = IndicatorsReport;

const BREAKDOWNS = ['ps_region', 'ps_age_band', 'ps_ethnicity'] as const;
interface State { weighted: boolean; by: string }

const TITLES: Record<Language, string> = { en: 'CSI indicators', ru: 'Индикаторы ИГО', kk: 'АҚИ индикаторлары' };

function readState(): State {
  const q = new URLSearchParams(location.search);
  const by = q.get('by') ?? '';
  return { weighted: q.get('weighted') === 'true', by: (BREAKDOWNS as readonly string[]).includes(by) ? by : '' };
}

function query(state: State, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams(extra);
  if (state.weighted) q.set('weighted', 'true');
  if (state.by) q.set('by', state.by);
  const s = q.toString();
  return s ? `?${s}` : '';
}

let state = readState();
let report: Report | null = null;
/** The language the report's texts (rules, notes, reasons) came in: a language switch fetches them again. */
let reportLang: Language | null = null;
let pending = false;
let failure: string | null = null;
/** The server's Diamond per language and weighting: a language switch fetches it once. */
const diamonds = new Map<string, string>();

const nameOf = (lang: Language, n: Name) => n[lang] ?? n.en;

/** An item of an indicator's source survey by its label (grid items with their stem), never its id. */
function itemLabel(lang: Language, source: string, id: string): string {
  return isSurveyId(source) ? variableLabel(lang, source, id) : id;
}

function controls(d: Dashboard): HTMLElement {
  const { lang } = d;
  const weighted = h('input', { type: 'checkbox', id: 'weighted', checked: state.weighted });
  const by = h('select', { id: 'by' }, h('option', { value: '' }, text(lang, 'none')),
    ...BREAKDOWNS.map((b) => h('option', { value: b, selected: b === state.by }, shortLabel(lang, 'population', b))));
  const form = h('form', { class: 'card controls', id: 'controls' },
    h('p', {}, h('label', { class: 'option' }, weighted, text(lang, 'indWeighted'))),
    h('label', { class: 'field', for: 'by' }, text(lang, 'indBy')), by,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'show' }, text(lang, 'show')), ' ',
      h('button', { type: 'button', id: 'csv', onclick: () => void download(d, 'csv') }, text(lang, 'csv')), ' ',
      h('button', { type: 'button', id: 'xlsx', onclick: () => void download(d, 'xlsx') }, text(lang, 'xlsx')), ' ',
      h('button', { type: 'button', id: 'print', onclick: () => print() }, text(lang, 'indPrint'))),
    h('p', { class: 'hint' }, text(lang, 'downloadHint')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state = { weighted: weighted.checked, by: by.value };
    void load(d);
  });
  return form;
}

async function load(d: Dashboard): Promise<void> {
  history.replaceState(null, '', `${location.pathname}${query(state)}`);
  diamonds.clear();
  pending = true;
  failure = null;
  d.refresh();
  try {
    const lang = d.lang;
    report = await d.get<Report>(`/api/v1/indicators${query(state, { lang })}`);
    reportLang = lang;
    await diamond(d);
  } catch (error) {
    report = null;
    failure = error instanceof ApiError && error.status === 403 ? text(d.lang, 'indForbidden') : (error as Error).message;
  }
  pending = false;
  d.refresh();
}

/** Fetches the Diamond in the current language unless it is cached; re-renders when it arrives. */
async function diamond(d: Dashboard): Promise<void> {
  const key = `${d.lang}|${state.weighted}`;
  if (diamonds.has(key)) return;
  diamonds.set(key, '');
  const blob = await d.blob(`/api/v1/indicators/diamond.svg${query({ ...state, by: '' }, { lang: d.lang })}`);
  diamonds.set(key, await blob.text());
}

/** The matrix in the page's language, rounded as shown; CSV with a BOM, so Excel reads Kazakh and Russian as UTF-8. */
async function download(d: Dashboard, format: 'csv' | 'xlsx'): Promise<void> {
  const extra = { format, lang: d.lang, precision: 'display', ...(format === 'csv' ? { bom: 'true' } : {}) };
  saveBlob(await d.blob(`/api/v1/indicators${query(state, extra)}`), `csi-indicators.${format}`);
}

function summary(lang: Language, r: Report): HTMLElement {
  const how = text(lang, r.weighted ? 'indWeightedHow' : 'indUnweighted');
  return h('div', { id: 'summary', class: 'muted' },
    h('p', {}, text(lang, 'indSummary', { ...r.respondents, how })),
    h('p', {}, text(lang, r.secondaryDefault ? 'indSecondaryDefault' : 'indSecondaryStored')),
    h('p', {}, text(lang, 'indLegend')));
}

function diamondSection(d: Dashboard): HTMLElement {
  const svg = diamonds.get(`${d.lang}|${state.weighted}`);
  if (svg === undefined) void diamond(d).then(() => d.refresh(), () => undefined);
  return h('section', { class: 'card', id: 'diamond' }, h('h2', {}, text(d.lang, 'indDiamond')),
    svg ? svgNode(svg) : h('p', { class: 'loading' }, text(d.lang, 'loading')));
}

function barsSection(lang: Language, r: Report): HTMLElement {
  const groups: ScoreGroup[] = r.dimensions.map((dim) => ({
    label: `${dim.id}. ${nameOf(lang, dim.name)} · ${score(dim.value)}`,
    bars: r.subDimensions.filter((s) => dim.members.includes(s.id)).map((s) => ({ id: s.id, label: nameOf(lang, s.name), value: s.value })),
  }));
  return h('section', { class: 'card', id: 'bars' }, h('h2', {}, text(lang, 'indBars')), svgNode(scoreBarsSvg(groups, text(lang, 'indBars'))));
}

const num = (v: number | null, digits = 0) => (v === null ? '' : v.toFixed(digits));

/** The drill-down of one indicator: rule, note, items, components with their bases, inputs, breakdown. */
function drillDown(lang: Language, r: Report, i: Indicator): HTMLElement {
  const rows = (head: string[], body: Child[][]) => h('table', { class: 'numbers' },
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...body.map((cells) => h('tr', {}, ...cells.map((c) => h('td', {}, c))))));
  const parts: Child[] = [
    h('p', { class: 'rule' }, `${text(lang, 'indRule')}: ${i.rule}`),
    i.note ? h('p', {}, `${text(lang, 'indNote')}: ${i.note}`) : null,
    i.status === 'missing' ? h('p', { class: 'error' }, i.reason ?? '') : null,
    h('p', {}, text(lang, 'indPublished', { value: score(i.published) })),
  ];
  if (i.items.length > 0) {
    parts.push(h('p', { class: 'field' }, text(lang, 'indItems')),
      h('ul', { class: 'items' }, ...i.items.map((id) => h('li', { 'data-item': id }, itemLabel(lang, i.source, id)))));
  }
  if (i.components.length > 0) {
    parts.push(h('p', { class: 'field' }, text(lang, 'indComponents')),
      rows(['', text(lang, 'indScore'), 'n', text(lang, 'baseColumn'), ''], i.components.map((c) => [c.label, score(c.value), num(c.n), num(c.base), c.reason ?? ''])));
  }
  if (i.inputs.length > 0) {
    parts.push(h('p', { class: 'field' }, text(lang, 'indInputs')),
      // A source is a citation as the coordinator entered it (publisher and title): data, not interface text.
      rows([text(lang, 'indInput'), text(lang, 'indValue'), text(lang, 'indSource'), text(lang, 'indYear')],
        i.inputs.map((x) => [secondaryLabel(lang, x.key as SecondaryKey), String(x.value), h('span', { translate: 'no' }, x.source), x.year === null ? '' : String(x.year)])));
  }
  if (i.excluded && Object.keys(i.excluded).length > 0) {
    parts.push(h('p', {}, text(lang, 'indExcluded', { list: Object.entries(i.excluded).map(([k, v]) => `${text(lang, k as 'dk' | 'ref' | 'blank')} ${v}`).join(', ') })));
  }
  for (const f of i.flags) parts.push(h('p', { class: 'muted' }, f));
  for (const a of i.alternatives) parts.push(h('p', { class: 'muted' }, `${text(lang, 'indAlternative')} (${a.label}): ${score(a.value)}. ${a.rule}`));
  if (i.breakdown && r.breakdownBy) {
    const by = r.breakdownBy;
    parts.push(h('p', { class: 'field' }, text(lang, 'indBreakdown', { by: shortLabel(lang, 'population', by) })),
      rows(['', text(lang, 'indScore'), 'n', text(lang, 'baseColumn'), 'se'], i.breakdown.map((c) => [valueLabel(lang, 'population', by, c.category), score(c.value), num(c.n), num(c.base), num(c.se, 1)])));
  }
  return h('details', { class: 'drill' }, h('summary', {}, nameOf(lang, i.name)), ...parts);
}

function matrixSection(lang: Language, r: Report): HTMLElement {
  const head = ['', text(lang, 'indName'), text(lang, 'indScore'), 'n', text(lang, 'baseColumn'), 'se', text(lang, 'indSource'), text(lang, 'indConfidence'), text(lang, 'indDefault'), text(lang, 'indRule')];
  const scoreRow = (level: 'dimension' | 'subDimension', s: ScoreResult) => h('tr', { class: `${level}${s.value === null ? ' missing' : ''}`, 'data-id': s.id, 'data-level': level },
    h('td', {}, s.id), h('td', {}, nameOf(lang, s.name)), h('td', { class: 'num score', title: s.reason ?? '' }, s.value === null ? text(lang, 'indMissing') : score(s.value)),
    h('td', {}), h('td', {}), h('td', {}), h('td', {}), h('td', {}), h('td', {}, s.defaults.length > 0 ? text(lang, 'indDefault') : ''), h('td', {}));
  const indicatorRow = (i: Indicator) => h('tr', { class: `indicator${i.value === null ? ' missing' : ''}${i.default ? ' default' : ''}`, 'data-id': i.id, 'data-level': 'indicator', 'data-value': i.value ?? '' },
    h('td', {}, i.id), h('td', {}, drillDown(lang, r, i)),
    h('td', { class: 'num score', title: i.reason ?? '' }, i.value === null ? text(lang, 'indMissing') : score(i.value)),
    h('td', { class: 'num' }, num(i.n)), h('td', { class: 'num' }, num(i.base)), h('td', { class: 'num' }, num(i.se, 1)),
    h('td', {}, text(lang, `indSrc_${i.source}` as TextKey)), h('td', { class: 'conf' }, i.confidence), h('td', { class: 'flag' }, i.default ? text(lang, 'indDefault') : ''),
    h('td', { class: 'rule' }, i.rule));
  const body: HTMLElement[] = [];
  for (const dim of r.dimensions) {
    body.push(scoreRow('dimension', dim));
    for (const s of r.subDimensions.filter((x) => dim.members.includes(x.id))) {
      body.push(scoreRow('subDimension', s));
      for (const i of r.indicators.filter((x) => x.subDimension === s.id)) body.push(indicatorRow(i));
    }
  }
  return h('section', { class: 'card', id: 'matrix' }, h('h2', {}, text(lang, 'indMatrix')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'matrix' },
      h('thead', {}, h('tr', {}, ...head.map((t, k) => h('th', { scope: 'col', class: k === head.length - 1 ? 'rule' : '' }, t)))), h('tbody', {}, ...body))));
}

function results(d: Dashboard): HTMLElement {
  const box = h('div', { id: 'results', 'aria-live': 'polite', 'aria-busy': String(pending) });
  if (pending) replaceContent(box, h('p', { class: 'loading' }, text(d.lang, 'loading')));
  else if (failure) replaceContent(box, h('p', { class: 'error', role: 'alert' }, failure));
  else if (report) replaceContent(box, summary(d.lang, report), diamondSection(d), barsSection(d.lang, report), matrixSection(d.lang, report));
  return box;
}

startDashboard(TITLES, (d, main) => {
  replaceContent(main, h('h1', {}, TITLES[d.lang]), controls(d), results(d));
  if (!pending && !failure && (!report || reportLang !== d.lang)) void load(d);
});
