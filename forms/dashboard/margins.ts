/**
 * /dashboard/margins: the population margins the population survey is weighted to. Per variable, each category's
 * share (in percent) with the variable's source, year and status; answer codes counted as another category
 * (collapses, e.g. Uzbek counted as Other); the sum checked live, as the shares are typed. Shares that do not add up
 * to 100 are refused here rather than silently rescaled by the raking: a typo would otherwise move every weight.
 */
import type { MarginVariable, StoredMargins } from '../../schemas/generated/api.types.js';
import { h } from '../render/dom.js';
import { callJson, problemErrors } from './settings-api.js';
import { categoryName, SETTINGS_TEXTS, st, variableCodes, variableName, type Me, type SettingsKey } from './settings.texts.js';
import { parseNumber, renderSettingsPage, settingsFailure, type SettingsMessage } from './settings-page.js';
import { startDashboard, type Dashboard } from './shell.js';

type Status = MarginVariable['status'];
type Variable = MarginVariable['variable'];
interface Draft { variable: Variable; shares: Record<string, string>; collapse: Record<string, string>; source: string; year: string; status: Status }

const TITLES = { en: SETTINGS_TEXTS.en.marginsTitle, ru: SETTINGS_TEXTS.ru.marginsTitle, kk: SETTINGS_TEXTS.kk.marginsTitle };
const VARIABLES: ReadonlyArray<Variable> = ['ps_region', 'ps_gender', 'ps_age_band', 'ps_ethnicity', 'ps_settlement_type'];
const STATUSES: readonly Status[] = ['sourced', 'derived', 'unverified', 'placeholder'];
const SUM_TOLERANCE = 0.5;
const YEARS = { min: 1990, max: 2100 };

let me: Me | null = null;
let loaded = false;
let loadFailed = false;
let isDefault = false;
let drafts: Draft[] = [];
let dirty = false;
let busy = false;
let serverErrors = new Map<string, SettingsKey>();
let message: SettingsMessage | null = null;
let adding = VARIABLES[0] as Variable;

function toDraft(v: MarginVariable): Draft {
  return { variable: v.variable, shares: Object.fromEntries(Object.entries(v.shares).map(([k, x]) => [k, String(x)])), collapse: { ...(v.collapse ?? {}) }, source: v.source, year: v.year === undefined ? '' : String(v.year), status: v.status };
}

function sumOf(d: Draft): number {
  return Object.entries(d.shares).filter(([code]) => !d.collapse[code]).reduce((s, [, raw]) => s + (parseNumber(raw) ?? 0), 0);
}

/** Problems of one variable, by field (`share:<code>`, `sum`, `source`, `year`). */
function problemsOf(d: Draft): Map<string, SettingsKey> {
  const out = new Map<string, SettingsKey>();
  const given = Object.entries(d.shares).filter(([code, raw]) => !d.collapse[code] && raw.trim() !== '');
  for (const [code, raw] of given) if (parseNumber(raw) === null) out.set(`share:${code}`, 'shareRule');
  if (given.length < 2) out.set('sum', 'twoShares');
  else if (Math.abs(sumOf(d) - 100) > SUM_TOLERANCE) out.set('sum', 'sumOff');
  if (d.source.trim() === '') out.set('source', 'sourceRule');
  const year = d.year.trim();
  if (year !== '' && (!/^\d{4}$/.test(year) || Number(year) < YEARS.min || Number(year) > YEARS.max)) out.set('year', 'yearRule');
  return out;
}

function body(): { variables: MarginVariable[] } {
  return {
    variables: drafts.map((d) => {
      const shares = Object.fromEntries(Object.entries(d.shares).filter(([code, raw]) => !d.collapse[code] && raw.trim() !== '').map(([code, raw]) => [code, parseNumber(raw) as number]));
      const collapse = Object.fromEntries(Object.entries(d.collapse).filter(([, into]) => into !== ''));
      return { variable: d.variable, shares, ...(Object.keys(collapse).length > 0 ? { collapse } : {}), source: d.source.trim(), ...(d.year.trim() ? { year: Number(d.year) } : {}), status: d.status };
    }),
  };
}

async function load(d: Dashboard): Promise<void> {
  try {
    me ??= await callJson<Me>('/api/v1/me');
    const margins = await callJson<StoredMargins>('/api/v1/surveys/population/margins');
    isDefault = margins.default;
    drafts = margins.variables.map(toDraft);
    dirty = false;
    serverErrors = new Map();
    loadFailed = false;
  } catch (error) {
    message = settingsFailure(error);
    loadFailed = true;
  }
  loaded = true;
  d.refresh();
}

async function save(d: Dashboard): Promise<void> {
  if (drafts.some((x) => problemsOf(x).size > 0)) {
    message = { kind: 'error', key: 'fixFirst' };
    return d.refresh();
  }
  busy = true;
  d.refresh();
  try {
    await callJson('/api/v1/surveys/population/margins', { method: 'PUT', json: body() });
    await load(d);
    message = { kind: 'ok', key: 'saved' };
  } catch (error) {
    serverErrors = new Map();
    for (const e of problemErrors(error)) {
      const m = /^\/variables\/(\d+)\/(shares|source|year)(?:\/(\w+))?/.exec(e.path);
      if (m) serverErrors.set(`${m[1]}:${m[2] === 'shares' ? `share:${m[3] ?? ''}` : m[2]}`, m[2] === 'shares' ? 'shareRule' : m[2] === 'year' ? 'yearRule' : 'sourceRule');
    }
    message = settingsFailure(error);
  }
  busy = false;
  d.refresh();
}

function changed(d: Dashboard): void {
  dirty = true;
  message = null;
  d.refresh();
}

function text(id: string, value: string, readOnly: boolean, onInput: (v: string) => void, attrs: Record<string, string> = {}): HTMLInputElement {
  const input = h('input', { id, type: 'text', value, disabled: readOnly, ...attrs });
  input.addEventListener('input', () => onInput(input.value));
  return input;
}

function variableCard(dash: Dashboard, draft: Draft, vi: number, readOnly: boolean): HTMLElement {
  const lang = dash.lang;
  const v = draft.variable;
  const problems = problemsOf(draft);
  const errorOf = (field: string) => problems.get(field) ?? serverErrors.get(`${vi}:${field}`);
  const codes = variableCodes('population', v);
  const categories = [...new Set([...codes, ...Object.keys(draft.shares)])];
  const rows = categories.map((code) => {
    const label = categoryName(lang, 'population', v, code);
    const collapsedInto = draft.collapse[code] ?? '';
    const error = errorOf(`share:${code}`);
    const share = text(`share-${v}-${code}`, collapsedInto ? '' : (draft.shares[code] ?? ''), readOnly || collapsedInto !== '', (x) => {
      draft.shares[code] = x;
      changed(dash);
    }, { inputmode: 'decimal', class: 'share', 'aria-label': `${st(lang, 'share')}: ${label}`, 'aria-invalid': String(error !== undefined), 'aria-describedby': `share-err-${v}-${code}` });
    const into = h('select', { id: `collapse-${v}-${code}`, disabled: readOnly, 'aria-label': `${st(lang, 'countedAs')}: ${label}` },
      h('option', { value: '', selected: collapsedInto === '' }, st(lang, 'itself')),
      ...categories.filter((c) => c !== code).map((c) => h('option', { value: c, selected: collapsedInto === c }, categoryName(lang, 'population', v, c))));
    into.addEventListener('change', () => {
      if (into.value) draft.collapse[code] = into.value;
      else delete draft.collapse[code];
      changed(dash);
    });
    return h('tr', { 'data-category': code, class: error ? 'invalid' : '' },
      h('th', { scope: 'row' }, label), h('td', { class: 'num' }, share), h('td', {}, into),
      h('td', { class: 'error', id: `share-err-${v}-${code}` }, error ? st(lang, error) : ''));
  });
  const sum = sumOf(draft);
  const sumError = errorOf('sum');
  const status = h('select', { id: `status-${v}`, disabled: readOnly }, ...STATUSES.map((s) => h('option', { value: s, selected: draft.status === s }, st(lang, `status_${s}`))));
  status.addEventListener('change', () => {
    draft.status = status.value as Status;
    changed(dash);
  });
  const field = (id: string, key: SettingsKey, control: HTMLElement, error?: SettingsKey) => h('div', { class: key === 'source' ? 'wide' : '' },
    h('label', { class: 'field', for: id }, st(lang, key)), control,
    error ? h('p', { class: 'error', id: `${id}-err` }, st(lang, error, YEARS)) : null);
  const sourceError = errorOf('source');
  const yearError = errorOf('year');
  return h('section', { class: 'card margin', 'data-variable': v },
    h('h2', {}, variableName(lang, 'population', v)),
    h('div', { class: 'variable-meta' },
      field(`source-${v}`, 'source', text(`source-${v}`, draft.source, readOnly, (x) => { draft.source = x; changed(dash); }, { 'aria-invalid': String(sourceError !== undefined) }), sourceError),
      field(`year-${v}`, 'year', text(`year-${v}`, draft.year, readOnly, (x) => { draft.year = x; changed(dash); }, { inputmode: 'numeric', class: 'year', 'aria-invalid': String(yearError !== undefined) }), yearError),
      field(`status-${v}`, 'status', status)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'numbers' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, st(lang, 'category')), h('th', { scope: 'col' }, st(lang, 'share')), h('th', { scope: 'col' }, st(lang, 'countedAs')), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, '…')))),
      h('tbody', {}, ...rows))),
    h('p', { class: `sum ${sumError ? 'off' : 'ok'}`, id: `sum-${v}`, role: 'status', 'data-sum': sum.toFixed(2) },
      `${st(lang, 'sum', { sum: (Math.round(sum * 100) / 100).toLocaleString(lang) })} · ${sumError ? st(lang, sumError) : st(lang, 'sumOk')}`),
    readOnly ? null : h('p', {}, h('button', { type: 'button', onclick: () => { drafts.splice(vi, 1); serverErrors = new Map(); changed(dash); } }, `${st(lang, 'remove')}: ${variableName(lang, 'population', v)}`)));
}

function addCard(dash: Dashboard): HTMLElement | null {
  const lang = dash.lang;
  const missing = VARIABLES.filter((v) => !drafts.some((d) => d.variable === v));
  if (missing.length === 0) return null;
  if (!missing.includes(adding)) adding = missing[0] as Variable;
  const select = h('select', { id: 'add-variable' }, ...missing.map((v) => h('option', { value: v, selected: v === adding }, variableName(lang, 'population', v))));
  select.addEventListener('change', () => (adding = select.value as Variable));
  return h('section', { class: 'card' }, h('p', { class: 'controls' }, h('label', { class: 'field', for: 'add-variable' }, st(lang, 'addVariable')), select, ' ',
    h('button', { type: 'button', id: 'add', onclick: () => { drafts.push({ variable: adding, shares: {}, collapse: {}, source: '', year: '', status: 'unverified' }); changed(dash); } }, st(lang, 'addVariable'))));
}

function render(dash: Dashboard, main: HTMLElement): void {
  renderSettingsPage(dash, main, {
    titles: TITLES, loaded, loadFailed, me, isDefault, defaultKey: 'marginsDefault', dirty, busy, message,
    load: () => void load(dash),
    save: () => void save(dash),
    discard: () => {
      message = null;
      void load(dash);
    },
    cards: (readOnly) => [...drafts.map((x, i) => variableCard(dash, x, i, readOnly)), ...(readOnly ? [] : [addCard(dash)].filter((x): x is HTMLElement => x !== null))],
  });
}

startDashboard(TITLES, render);
