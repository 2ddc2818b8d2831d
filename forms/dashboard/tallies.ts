/**
 * /dashboard/tallies: analysts choose a survey, items and up to two breakdowns, shares or means (of scales and
 * numbers) and the interval method of shares (logit by default, Korn-Graubard or Wald), and see each item as bars
 * with 95% confidence intervals (small groups faded and starred), the bases, Kish's effective n and design effects,
 * and a table of the numbers; the same as CSV or Excel, rounded as shown. The choice lives in the URL, so a view can be bookmarked or sent. All
 * numbers come from GET /api/v1/surveys/:survey/tallies (docs/methods.md defines them); labels from the
 * questionnaire label bundles.
 */
import { itemsOf, type Item } from '../../schemas/items.js';
import { bundles, type Language } from '../../schemas/labels.js';
import { derivedVariables } from '../../schemas/survey-definition.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { h, replaceContent } from '../render/dom.js';
import { ApiError, saveBlob, startDashboard, svgNode, type Dashboard } from './shell.js';
import type { TalliesReport, TallyGroup } from '../../schemas/generated/api.types.js';
import { tallyChartSvg, type ChartGroup } from './tally-chart.js';
import { gridLabel, shortLabel, valueLabel, variableLabel } from './labels.js';
import { text, type TextKey } from './texts.js';

type Ci = 'logit' | 'beta' | 'wald';
type Stat = 'share' | 'mean';
// The API's answer, typed from its schema (schemas/api/tallies-report.schema.json, npm run generate).
type Estimates = TallyGroup;
type Group = TallyGroup;
type Report = TalliesReport;

interface State { survey: SurveyId; items: string[]; by: string[]; weighted: boolean; ci: Ci; stat: Stat }

const CIS: readonly Ci[] = ['logit', 'beta', 'wald'];
const CI_LABEL = { logit: 'ciLogit', beta: 'ciBeta', wald: 'ciWald' } as const;

const TITLES: Record<Language, string> = { en: 'Tallies', ru: 'Таблицы', kk: 'Кестелер' };

function readState(): State {
  const q = new URLSearchParams(location.search);
  const survey = (SURVEY_IDS as readonly string[]).includes(q.get('survey') ?? '') ? (q.get('survey') as SurveyId) : 'population';
  const items = (q.get('items') ?? '').split(',').filter(Boolean);
  return {
    survey,
    items: items.length > 0 ? items : survey === 'population' ? ['ps_trust_people'] : [],
    by: (q.get('by') ?? '').split(',').filter(Boolean).slice(0, 2),
    weighted: q.get('weighted') !== 'false',
    ci: (CIS as readonly string[]).includes(q.get('ci') ?? '') ? (q.get('ci') as Ci) : 'logit',
    stat: q.get('stat') === 'mean' ? 'mean' : 'share',
  };
}

function writeState(state: State): void {
  const q = new URLSearchParams({ survey: state.survey, items: state.items.join(',') });
  if (state.by.length > 0) q.set('by', state.by.join(','));
  if (!state.weighted) q.set('weighted', 'false');
  if (state.ci !== 'logit') q.set('ci', state.ci);
  if (state.stat !== 'share') q.set('stat', state.stat);
  history.replaceState(null, '', `${location.pathname}?${q}`);
}

type FileFormat = 'csv' | 'xlsx';

/** The tallies, or a download of them rounded as this page shows them (with a BOM, so Excel reads Kazakh as UTF-8). */
function apiQuery(state: State, format?: FileFormat): string {
  const q = new URLSearchParams({ items: state.items.join(',') });
  if (state.by.length > 0) q.set('by', state.by.join(','));
  if (state.survey === 'population') q.set('weighted', String(state.weighted));
  q.set('ci', state.ci);
  if (state.stat !== 'share') q.set('stat', state.stat);
  if (format) q.set('format', format);
  if (format) q.set('precision', 'display');
  if (format === 'csv') q.set('bom', 'true');
  return `/api/v1/surveys/${state.survey}/tallies?${q}`;
}

/** Closed items whose codes are all numbers (the 1-10 scales) have a mean; so do numeric items. */
const isScale = (i: Item) => i.kind === 'choice' && i.codes.length > 0 && i.codes.every((c) => typeof c === 'number');
const tallyable = (survey: SurveyId, stat: Stat) => itemsOf(survey).filter((i) => (stat === 'mean' ? isScale(i) : i.kind === 'choice') || i.kind === 'integer' || i.kind === 'number');

/**
 * Options naming items by their labels, never their ids: grid items under an <optgroup> of the grid's stem (so
 * "religious" as a member and as a volunteer stay apart), other items and derived variables on their own.
 */
function itemOptions(lang: Language, survey: SurveyId, ids: readonly string[], selected: (id: string) => boolean): HTMLElement[] {
  const out: HTMLElement[] = [];
  let group = null as { stem: string; node: HTMLElement } | null;
  for (const id of ids) {
    const option = h('option', { value: id, selected: selected(id) }, shortLabel(lang, survey, id));
    const stem = gridLabel(lang, survey, id);
    if (stem === null) {
      group = null;
      out.push(option);
    } else if (group?.stem === stem) {
      group.node.append(option);
    } else {
      group = { stem, node: h('optgroup', { label: stem }, option) };
      out.push(group.node);
    }
  }
  return out;
}

let state = readState();
let report: Report | null = null;
let pending = false;
let failure: string | null = null;

function controls(d: Dashboard): HTMLElement {
  const { lang } = d;
  const survey = h('select', { id: 'survey' }, ...SURVEY_IDS.map((s) => h('option', { value: s, selected: s === state.survey }, bundles[lang].surveys[s].title)));
  survey.addEventListener('change', () => {
    state = { survey: survey.value as SurveyId, items: [], by: [], weighted: true, ci: state.ci, stat: 'share' };
    report = null;
    d.refresh();
  });
  const stat = h('select', { id: 'stat' }, ...(['share', 'mean'] as const).map((s) => h('option', { value: s, selected: s === state.stat }, text(lang, s === 'share' ? 'statShare' : 'statMean'))));
  stat.addEventListener('change', () => {
    // The item list depends on it: only scales and numbers have means.
    state = { ...read(), stat: stat.value as Stat };
    state.items = state.items.filter((id) => tallyable(state.survey, state.stat).some((i) => i.id === id));
    d.refresh();
  });
  const ci = h('select', { id: 'ci' }, ...CIS.map((c) => h('option', { value: c, selected: c === state.ci }, text(lang, CI_LABEL[c]))));
  const items = h('select', { id: 'items', multiple: true, size: 10 },
    ...itemOptions(lang, state.survey, tallyable(state.survey, state.stat).map((i: Item) => i.id), (id) => state.items.includes(id)));
  const breakdownOptions = (selected: string | undefined) => [
    h('option', { value: '' }, text(lang, 'none')),
    ...itemOptions(lang, state.survey, [...derivedVariables(state.survey).map((v) => v.id), ...itemsOf(state.survey).filter((i) => i.kind === 'choice').map((i) => i.id)], (id) => id === selected),
  ];
  const by1 = h('select', { id: 'by1' }, ...breakdownOptions(state.by[0]));
  const by2 = h('select', { id: 'by2' }, ...breakdownOptions(state.by[1]));
  const weighted = h('input', { type: 'checkbox', id: 'weighted', checked: state.weighted && state.survey === 'population', disabled: state.survey !== 'population' });
  const read = (): State => ({
    survey: state.survey,
    items: Array.from(items.selectedOptions, (o) => o.value),
    by: [by1.value, by2.value].filter((v, k, all) => v !== '' && all.indexOf(v) === k),
    weighted: weighted.checked,
    ci: ci.value as Ci,
    stat: stat.value as Stat,
  });
  const show = h('button', { type: 'submit', class: 'primary', id: 'show' }, text(lang, 'show'));
  const csv = h('button', { type: 'button', id: 'csv', onclick: () => void download(d, read(), 'csv') }, text(lang, 'csv'));
  const xlsx = h('button', { type: 'button', id: 'xlsx', onclick: () => void download(d, read(), 'xlsx') }, text(lang, 'xlsx'));
  const form = h('form', { class: 'card controls', id: 'controls' },
    h('label', { class: 'field', for: 'survey' }, text(lang, 'survey')), survey,
    h('div', { class: 'row' },
      h('div', {}, h('label', { class: 'field', for: 'stat' }, text(lang, 'stat')), stat),
      h('div', {}, h('label', { class: 'field', for: 'ci' }, text(lang, 'ciMethod')), ci)),
    h('label', { class: 'field', for: 'items' }, text(lang, 'items')), items, h('p', { class: 'hint' }, text(lang, 'itemsHint')),
    h('div', { class: 'row' },
      h('div', {}, h('label', { class: 'field', for: 'by1' }, text(lang, 'by')), by1),
      h('div', {}, h('label', { class: 'field', for: 'by2' }, text(lang, 'byThen')), by2)),
    h('p', {}, h('label', { class: 'option' }, weighted, text(lang, 'weighted'))),
    h('p', { class: 'actions' }, show, ' ', csv, ' ', xlsx), h('p', { class: 'hint' }, text(lang, 'downloadHint')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state = read();
    void load(d);
  });
  return form;
}

async function load(d: Dashboard): Promise<void> {
  writeState(state);
  if (state.items.length === 0) {
    failure = text(d.lang, 'chooseItem');
    report = null;
    d.refresh();
    return;
  }
  pending = true;
  failure = null;
  d.refresh();
  try {
    report = await d.get<Report>(apiQuery(state));
  } catch (error) {
    report = null;
    failure = error instanceof ApiError && error.status === 403 ? text(d.lang, 'forbidden') : (error as Error).message;
  }
  pending = false;
  d.refresh();
}

async function download(d: Dashboard, chosen: State, format: FileFormat): Promise<void> {
  if (chosen.items.length === 0) return;
  saveBlob(await d.blob(apiQuery(chosen, format)), `${chosen.survey}-tallies.${format}`);
}

function summary(lang: Language, r: Report): HTMLElement {
  const how = r.weighted
    ? `${text(lang, 'weightedNote', { margins: r.margins.map((m) => `${shortLabel(lang, r.survey, m.variable)} (${text(lang, `margin_${m.status}` as TextKey)})`).join(', ') })}${r.raking?.converged === false ? `; ${text(lang, 'notConverged')}` : ''}`
    : text(lang, 'unweightedNote');
  const intervals = text(lang, 'ciNote', { method: text(lang, CI_LABEL[r.ci]) });
  return h('p', { class: 'muted', id: 'summary' }, `${text(lang, 'respondents', { n: r.respondents })} · ${how}. ${intervals}. ${text(lang, 'smallNote', { n: r.minCell })}`);
}

function itemCard(lang: Language, r: Report, tally: Report['items'][number]): HTMLElement {
  const share = tally.stat === 'share' && tally.overall.estimates.some((e) => e.category !== null);
  const categoryLabel = (c: string | null) => (c === null ? text(lang, 'mean') : valueLabel(lang, r.survey, tally.item, c));
  const groupLabel = (g: Group) => Object.entries(g.values ?? {}).map(([v, code]) => valueLabel(lang, r.survey, v, code)).join(' · ');
  const groups: Array<{ label: string; small: boolean; est: Estimates }> = [
    { label: text(lang, 'overall'), small: tally.overall.small, est: tally.overall },
    ...(tally.by?.groups ?? []).map((g) => ({ label: groupLabel(g), small: g.small, est: g })),
  ];
  const chartGroups: ChartGroup[] = groups.map((g) => ({
    label: g.label, small: g.small,
    bars: g.est.estimates.map((e) => ({ category: e.category ?? 'mean', label: categoryLabel(e.category), estimate: e.estimate ?? NaN, low: e.ci95?.[0] ?? NaN, high: e.ci95?.[1] ?? NaN })),
  }));
  const pct = (x: number | null | undefined) => (x !== null && x !== undefined && Number.isFinite(x) ? (share ? `${(x * 100).toFixed(1)}%` : x.toFixed(2)) : '–');
  const excluded = Object.entries(tally.overall.excluded).map(([k, v]) => `${text(lang, k as 'dk' | 'ref' | 'blank' | 'not_asked')} ${v}`).join(', ');
  const rows = groups.flatMap((g) => g.est.estimates.map((e) => h('tr', { class: g.small ? 'small' : '' },
    h('th', { scope: 'row' }, `${g.label}${g.small ? ' *' : ''}`), h('td', {}, categoryLabel(e.category)), h('td', { class: 'num' }, pct(e.estimate)),
    h('td', { class: 'num' }, e.ci95 ? `${pct(e.ci95[0])} – ${pct(e.ci95[1])}` : '–'), h('td', { class: 'num' }, String(e.n)), h('td', { class: 'num' }, String(g.est.base)),
    h('td', { class: 'num' }, e.deff !== null ? e.deff.toFixed(2) : '–'))));
  return h('section', { class: 'card tally', 'data-item': tally.item },
    h('h2', {}, variableLabel(lang, r.survey, tally.item)),
    h('p', { class: 'muted' }, [text(lang, 'base', { n: tally.overall.base }), text(lang, 'effectiveN', { n: tally.overall.kishEffectiveN.toFixed(0) }), excluded ? text(lang, 'excluded', { list: excluded }) : ''].filter(Boolean).join(' · ')),
    svgNode(tallyChartSvg(chartGroups, { share, title: `${variableLabel(lang, r.survey, tally.item)}${share ? '' : ` (${text(lang, 'mean')})`}` })),
    h('details', {}, h('summary', {}, `${text(lang, 'estimate')}, ${text(lang, 'ci')}`),
      h('div', { class: 'table-wrap' }, h('table', { class: 'numbers' },
        h('thead', {}, h('tr', {}, ...[text(lang, 'group'), text(lang, 'category'), text(lang, 'estimate'), text(lang, 'ci'), text(lang, 'n'), text(lang, 'baseColumn'), text(lang, 'deff')].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...rows)))));
}

function results(d: Dashboard): HTMLElement {
  const box = h('div', { id: 'results', 'aria-live': 'polite', 'aria-busy': String(pending) });
  if (pending) replaceContent(box, h('p', { class: 'loading' }, text(d.lang, 'loading')));
  else if (failure) replaceContent(box, h('p', { class: 'error', role: 'alert' }, failure));
  else if (report) replaceContent(box, summary(d.lang, report), ...report.items.map((t) => itemCard(d.lang, report as Report, t)));
  return box;
}

startDashboard(TITLES, (d, main) => {
  replaceContent(main, h('h1', {}, TITLES[d.lang]), controls(d), results(d));
  if (!report && !pending && !failure && state.items.length > 0 && new URLSearchParams(location.search).has('items')) void load(d);
});
