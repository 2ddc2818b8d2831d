/**
 * /dashboard/quotas: the quota plan as coordinators set it. A table per quota of its cells (by their labels), each
 * with its target to edit and its progress; the allocation helper that drafts targets from the population margins;
 * CSV download and upload; the version history, any version of which can be loaded back into the editor.
 *
 * Concurrent editors: the page remembers the version it loaded and sends it as If-Match; when someone saved another
 * version meanwhile the server refuses (412.1) and the page says so, keeping nothing of the stale edit: the editor
 * loads the current version and makes the change again, so nobody overwrites a plan they have not seen.
 *
 * What may be changed is the API's policy, not the page's: a region-scoped coordinator or an analyst sees the plan
 * read-only with a sentence saying why, and the server refuses their writes anyway.
 */
import type { Quota, QuotaPlanVersion, QuotaPlanVersions, QuotaProgress, StoredQuotaPlan } from '../../schemas/generated/api.types.js';
import { bundles, type Language } from '../../schemas/labels.js';
import { isQuotaPlanRule } from '../../schemas/quota-plan-rules.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { h, replaceContent } from '../render/dom.js';
import { call, callJson, problemErrors, SettingsCallError, statusLine } from './settings-api.js';
import { categoryName, editRefusal, PLAN_RULE_TEXTS, SETTINGS_TEXTS, st, variableName, type Me } from './settings.texts.js';
import { saveBlob, startDashboard, type Dashboard } from './shell.js';

type Plan = StoredQuotaPlan;
type Version = QuotaPlanVersion;
type Cell = Quota['cells'][number];

const TITLES = { en: SETTINGS_TEXTS.en.quotasTitle, ru: SETTINGS_TEXTS.ru.quotasTitle, kk: SETTINGS_TEXTS.kk.quotasTitle };
const MARGIN_VARIABLES = ['ps_region', 'ps_gender', 'ps_age_band', 'ps_ethnicity', 'ps_settlement_type'];
const MAX_TARGET = 1_000_000;

interface PlanProblem { path: string; keyword: string; params?: Record<string, string | number> }
/** `lines`: a CSV file's problems, by line; `plan`: a saved plan's problems that belong to no cell. */
type Message = { kind: 'error' | 'ok' | 'muted'; text: (lang: Language) => string; reload?: boolean; problems?: { of: 'lines' | 'plan'; list: PlanProblem[] } };

const params = new URLSearchParams(location.search);
let survey: SurveyId = (SURVEY_IDS as readonly string[]).includes(params.get('survey') ?? '') ? (params.get('survey') as SurveyId) : 'population';
let me: Me | null = null;
let loadedFor: SurveyId | null = null;
let loadFailure: Message | null = null;
let history: Version[] = [];
let progress = new Map<string, { achieved: number; reserved: number }>();
/** The version the draft was loaded from (0: there was no plan): sent as If-Match. */
let baseVersion = 0;
let draft: { policy: Plan['policy']; countStatuses: string[]; quotas: Quota[] } | null = null;
/** What the editor typed into each target, by `quota/cell` index, while it is not a valid target. */
let typed = new Map<string, string>();
/** The server's refusal of a cell, by `quota/cell` index: worded beside the cell. */
let serverErrors = new Map<string, PlanProblem>();
let dirty = false;
let busy = false;
let message: Message | null = null;
const alloc = { total: '542', minimum: '0', variables: new Set(['ps_region', 'ps_gender']), interlocking: true };

const api = (path = '') => `/api/v1/surveys/${survey}${path}`;
const cellId = (qi: number, ci: number) => `${qi}/${ci}`;
const progressKey = (quota: string, variables: readonly string[], categories: Record<string, string>) => `${quota}:${variables.map((v) => categories[v] ?? '').join('|')}`;

function failureMessage(error: unknown): Message {
  if (error instanceof SettingsCallError) {
    const p = error.problem;
    if (p.status === 0) return { kind: 'error', text: (l) => st(l, 'network') };
    if (p.code === '404.9') return { kind: 'error', text: (l) => (me ? editRefusal(l, me) ?? st(l, 'forbidden') : st(l, 'forbidden')) };
    if (p.status === 403) return { kind: 'error', text: (l) => st(l, 'forbidden') };
    return { kind: 'error', text: (l) => st(l, 'failed', { code: p.code }) };
  }
  return { kind: 'error', text: (l) => st(l, 'failed', { code: String(error) }) };
}

function edit(plan: Plan | null): void {
  draft = plan ? { policy: plan.policy, countStatuses: [...plan.countStatuses], quotas: structuredClone(plan.quotas) } : null;
  typed = new Map();
  serverErrors = new Map();
  dirty = false;
}

async function load(d: Dashboard): Promise<void> {
  loadedFor = survey;
  loadFailure = null;
  try {
    me ??= await callJson<Me>('/api/v1/me');
    const [versions, p] = await Promise.all([
      callJson<QuotaPlanVersions>(api('/quotas/versions')),
      callJson<QuotaProgress>(api('/quotas/progress')).catch((error: unknown) => {
        if (error instanceof SettingsCallError && error.problem.code === '404.7') return { cells: [] };
        throw error;
      }),
    ]);
    history = versions.versions;
    const current = history[0]?.plan ?? null;
    progress = new Map();
    for (const c of p.cells) {
      const quota = current?.quotas.find((q) => q.id === c.quota);
      if (quota) progress.set(progressKey(c.quota, quota.variables, c.categories), { achieved: c.achieved, reserved: c.reserved });
    }
    baseVersion = current?.version ?? 0;
    edit(current);
  } catch (error) {
    loadFailure = failureMessage(error);
  }
  d.refresh();
}

/** The upload's column names are the file's own (the same in every language): shown as code, not as words to translate. */
function csvHint(lang: Language): HTMLElement {
  const [before, after] = st(lang, 'csvHint').split('{columns}');
  return h('p', { class: 'hint' }, before ?? '', h('code', { translate: 'no' }, 'quota, variables, categories, target'), after ?? '');
}

function quotaName(lang: Language, q: Quota): string {
  return q.variables.map((v) => variableName(lang, survey, v)).join(' × ');
}

function targetError(raw: string): boolean {
  return !/^\d{1,7}$/.test(raw.trim()) || Number(raw) > MAX_TARGET;
}

function hasErrors(): boolean {
  return [...typed.values()].some(targetError);
}

/** Data shown as it was written (a column, a code, a target as typed): the same in every language. */
function asData(value: string): HTMLElement {
  return h('code', { translate: 'no' }, value === '' ? '""' : value);
}

/**
 * A refused plan's rule in the page's language (settings.texts.ts), its values filled in: a variable by its label,
 * counts as numbers, anything else as written. The server's English message is never shown.
 */
function ruleText(lang: Language, e: PlanProblem): Array<string | HTMLElement> {
  if (!isQuotaPlanRule(e.keyword)) {
    // The API schema's own keywords (a target of the wrong type or range) or a rule this page does not know yet.
    return [st(lang, /\/target$/.test(e.path) || ['minimum', 'maximum', 'type', 'multipleOf'].includes(e.keyword) ? 'targetRule' : 'cellRefused')];
  }
  const params = e.params ?? {};
  return PLAN_RULE_TEXTS[lang][e.keyword].split(/\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 0) return part;
    const value = params[part];
    if (value === undefined) return '';
    if (typeof value === 'number') return String(value);
    const names = (ids: string) => ids.split(', ').map((v) => variableName(lang, survey, v)).join(', ');
    const label = part === 'variable' ? variableName(lang, survey, value) : part === 'extra' ? names(value) : value;
    return label !== value ? label : asData(value);
  });
}

/** Server errors at `/quotas/i/cells/j/...` go beside their cell; the others are listed under the message. */
function placeErrors(error: unknown): PlanProblem[] {
  serverErrors = new Map();
  const rest: PlanProblem[] = [];
  for (const e of problemErrors(error)) {
    const m = /^\/quotas\/(\d+)\/cells\/(\d+)/.exec(e.path);
    if (m) serverErrors.set(cellId(Number(m[1]), Number(m[2])), e);
    else rest.push(e);
  }
  return rest;
}

/** Where a listed problem is: a CSV line, or the quota it belongs to (none for the file or the plan as a whole). */
function problemPlace(lang: Language, of: 'lines' | 'plan', e: PlanProblem): string | null {
  if (of === 'lines') {
    const line = Number(e.path.slice('/lines/'.length));
    return line > 0 ? st(lang, 'csvLine', { line }) : null;
  }
  const quota = draft?.quotas[Number(/^\/quotas\/(\d+)/.exec(e.path)?.[1] ?? NaN)];
  return quota ? quotaName(lang, quota) : null;
}

function problemList(lang: Language, problems: NonNullable<Message['problems']>): HTMLElement {
  return h('ul', { id: 'problems', class: 'error' }, ...problems.list.map((e) => {
    const place = problemPlace(lang, problems.of, e);
    return h('li', {}, ...(place ? [h('strong', {}, place), ': '] : []), ...ruleText(lang, e));
  }));
}

async function save(d: Dashboard): Promise<void> {
  if (!draft) return;
  if (hasErrors()) {
    message = { kind: 'error', text: (l) => st(l, 'fixFirst') };
    return d.refresh();
  }
  await store(d, () => call(api('/quotas'), { method: 'PUT', json: { policy: draft?.policy, countStatuses: draft?.countStatuses, quotas: draft?.quotas }, ifMatch: baseVersion }), (l) => st(l, 'saved'));
}

async function uploadCsv(d: Dashboard, file: File): Promise<void> {
  const text = await file.text();
  const policy = draft?.policy ?? 'refuse';
  await store(d, () => call(api(`/quotas?policy=${policy}`), { method: 'PUT', csv: text, ifMatch: baseVersion }), null);
}

/** A write of the plan and what follows it: the new version loaded, or the refusal explained. */
async function store(d: Dashboard, write: () => Promise<Response>, done: ((l: Language) => string) | null): Promise<void> {
  busy = true;
  message = { kind: 'muted', text: (l) => st(l, 'saving') };
  d.refresh();
  try {
    const plan = (await (await write()).json()) as Plan;
    await load(d);
    message = { kind: 'ok', text: done ?? ((l) => st(l, 'uploaded', { version: plan.version })) };
  } catch (error) {
    const p = error instanceof SettingsCallError ? error.problem : null;
    if (p?.code === '412.1') {
      const current = Number(p.details.current);
      const given = baseVersion;
      message = { kind: 'error', text: (l) => st(l, 'conflict', { current, given }), reload: true };
    } else if (p?.code === '400.6' && problemErrors(error).some((e) => e.path.startsWith('/lines/'))) {
      message = { kind: 'error', text: (l) => st(l, 'csvRefused'), problems: { of: 'lines', list: problemErrors(error) } };
    } else if (p?.status === 400) {
      const rest = placeErrors(error);
      message = { kind: 'error', text: (l) => st(l, 'planRefused'), ...(rest.length > 0 ? { problems: { of: 'plan' as const, list: rest } } : {}) };
    } else {
      message = failureMessage(error);
    }
  }
  busy = false;
  d.refresh();
}

async function downloadCsv(d: Dashboard): Promise<void> {
  try {
    const res = await call(api('/quotas'), { accept: 'text/csv' });
    saveBlob(await res.blob(), `${survey}-quotas-v${baseVersion}.csv`);
  } catch (error) {
    message = failureMessage(error);
    d.refresh();
  }
}

async function allocate(d: Dashboard): Promise<void> {
  const total = Number(alloc.total);
  const minimum = Number(alloc.minimum);
  if (!/^\d+$/.test(alloc.total) || total < 1 || total > MAX_TARGET || !/^\d+$/.test(alloc.minimum) || minimum > 100_000) {
    message = { kind: 'error', text: (l) => st(l, 'allocRule') };
    return d.refresh();
  }
  const variables = MARGIN_VARIABLES.filter((v) => alloc.variables.has(v));
  if (variables.length === 0) {
    message = { kind: 'error', text: (l) => st(l, 'allocChoose') };
    return d.refresh();
  }
  const quotas = alloc.interlocking ? [{ variables }] : variables.map((v) => ({ variables: [v] }));
  try {
    const plan = await callJson<Plan>(api('/quotas/allocation'), { method: 'POST', json: { total, minimum, policy: draft?.policy ?? 'refuse', quotas } });
    const countStatuses = draft?.countStatuses ?? plan.countStatuses;
    edit(plan);
    if (draft) draft.countStatuses = countStatuses;
    dirty = true;
    message = { kind: 'muted', text: (l) => st(l, 'unsaved') };
  } catch (error) {
    message = error instanceof SettingsCallError && error.problem.status === 400 ? { kind: 'error', text: (l) => st(l, 'allocRule') } : failureMessage(error);
  }
  d.refresh();
}

function targetInput(d: Dashboard, qi: number, ci: number, cell: Cell, readOnly: boolean, label: string): HTMLElement {
  const id = `target-${qi}-${ci}`;
  const raw = typed.get(cellId(qi, ci)) ?? String(cell.target);
  const input = h('input', { id, type: 'text', inputmode: 'numeric', class: 'target', value: raw, disabled: readOnly, 'aria-label': label, 'aria-invalid': String(targetError(raw) || serverErrors.has(cellId(qi, ci))), 'aria-describedby': `err-${qi}-${ci}` });
  input.addEventListener('input', () => {
    const value = input.value;
    if (targetError(value)) typed.set(cellId(qi, ci), value);
    else {
      typed.delete(cellId(qi, ci));
      cell.target = Number(value);
    }
    serverErrors.delete(cellId(qi, ci));
    dirty = true;
    message = null;
    d.refresh();
  });
  return input;
}

function quotaTable(d: Dashboard, q: Quota, qi: number, readOnly: boolean): HTMLElement {
  const lang = d.lang;
  const name = quotaName(lang, q);
  const total = q.cells.reduce((sum, c) => sum + c.target, 0);
  const rows = q.cells.map((c, ci) => {
    const p = progress.get(progressKey(q.id, q.variables, c.categories)) ?? { achieved: 0, reserved: 0 };
    const labels = q.variables.map((v) => categoryName(lang, survey, v, c.categories[v] ?? ''));
    const raw = typed.get(cellId(qi, ci));
    const refused = serverErrors.get(cellId(qi, ci));
    const error = raw !== undefined && targetError(raw) ? [st(lang, 'targetRule')] : refused ? ruleText(lang, refused) : null;
    return h('tr', { 'data-cell': progressKey(q.id, q.variables, c.categories), class: error ? 'invalid' : '' },
      ...labels.map((l, i) => (i === 0 ? h('th', { scope: 'row' }, l) : h('td', {}, l))),
      h('td', { class: 'num' }, targetInput(d, qi, ci, c, readOnly, `${st(lang, 'target')}: ${labels.join(' · ')}`)),
      h('td', { class: 'cell-progress' },
        h('progress', { max: Math.max(c.target, 1), value: Math.min(p.achieved, Math.max(c.target, 1)), 'aria-hidden': 'true' }),
        h('span', { class: 'cell-numbers' }, st(lang, 'cellNumbers', { achieved: p.achieved, target: c.target, reserved: p.reserved }))),
      h('td', { class: 'error', id: `err-${qi}-${ci}` }, ...(error ?? [])));
  });
  return h('section', { class: 'card quota', 'data-quota': q.id },
    h('h2', {}, name),
    h('div', { class: 'table-wrap' }, h('table', { class: 'numbers plan' },
      h('thead', {}, h('tr', {}, ...q.variables.map((v) => h('th', { scope: 'col' }, variableName(lang, survey, v))), h('th', { scope: 'col', class: 'num' }, st(lang, 'target')), h('th', { scope: 'col' }, st(lang, 'progress')), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, '…')))),
      h('tbody', {}, ...rows),
      h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: q.variables.length }, st(lang, 'total')), h('td', { class: 'num', id: `total-${qi}` }, String(total)), h('td', { colspan: 2 }))))),
    readOnly ? null : h('p', {}, h('button', {
      type: 'button', class: 'remove-quota', onclick: () => {
        draft?.quotas.splice(qi, 1);
        typed = new Map();
        serverErrors = new Map();
        dirty = true;
        d.refresh();
      },
    }, `${st(lang, 'remove')}: ${name}`)));
}

function allocationCard(d: Dashboard): HTMLElement {
  const lang = d.lang;
  if (survey !== 'population') return h('section', { class: 'card', id: 'allocation' }, h('h2', {}, st(lang, 'allocTitle')), h('p', { class: 'muted' }, st(lang, 'allocNeedsMargins')));
  const field = (id: string, key: 'allocTotal' | 'allocMinimum', prop: 'total' | 'minimum') => {
    const input = h('input', { id, type: 'text', inputmode: 'numeric', value: alloc[prop] });
    input.addEventListener('input', () => {
      alloc[prop] = input.value.trim();
    });
    return h('div', {}, h('label', { class: 'field', for: id }, st(lang, key)), input);
  };
  const boxes = MARGIN_VARIABLES.map((v) => {
    const box = h('input', { type: 'checkbox', id: `alloc-${v}`, checked: alloc.variables.has(v) });
    box.addEventListener('change', () => (box.checked ? alloc.variables.add(v) : alloc.variables.delete(v)));
    return h('label', { class: 'option', for: `alloc-${v}` }, box, ` ${variableName(lang, survey, v)}`);
  });
  const mode = (value: boolean, key: 'allocInterlocking' | 'allocSeparate') => {
    const radio = h('input', { type: 'radio', name: 'alloc-mode', id: `alloc-${key}`, checked: alloc.interlocking === value });
    radio.addEventListener('change', () => (alloc.interlocking = value));
    return h('label', { class: 'option', for: `alloc-${key}` }, radio, ` ${st(lang, key)}`);
  };
  return h('section', { class: 'card', id: 'allocation' },
    h('h2', {}, st(lang, 'allocTitle')),
    h('p', { class: 'muted' }, st(lang, 'allocHint')),
    h('div', { class: 'row settings-row' }, field('alloc-total', 'allocTotal', 'total'), field('alloc-minimum', 'allocMinimum', 'minimum')),
    h('fieldset', {}, h('legend', {}, st(lang, 'allocVariables')), ...boxes),
    h('fieldset', {}, mode(true, 'allocInterlocking'), mode(false, 'allocSeparate')),
    h('p', {}, h('button', { type: 'button', id: 'allocate', onclick: () => void allocate(d) }, st(lang, 'allocDraft'))));
}

function historyCard(d: Dashboard, readOnly: boolean): HTMLElement | null {
  const lang = d.lang;
  if (history.length === 0) return null;
  return h('section', { class: 'card', id: 'history' },
    h('h2', {}, st(lang, 'historyTitle')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'numbers' },
      h('thead', {}, h('tr', {}, ...(['historyVersion', 'historyAt', 'historyBy', 'historyCells', 'total'] as const).map((k) => h('th', { scope: 'col' }, st(lang, k))), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, st(lang, 'historyLoad'))))),
      h('tbody', {}, ...history.map((v, i) => h('tr', { 'data-version': v.version },
        h('th', { scope: 'row' }, i === 0 ? `${v.version} (${st(lang, 'historyCurrent')})` : String(v.version)),
        h('td', {}, new Date(v.at).toLocaleString(lang)),
        h('td', {}, v.by ?? '–'),
        h('td', { class: 'num' }, String(v.plan.quotas.reduce((n, q) => n + q.cells.length, 0))),
        h('td', { class: 'num' }, v.plan.quotas.map((q) => q.cells.reduce((s, c) => s + c.target, 0)).join(' / ')),
        h('td', {}, readOnly || i === 0 ? '' : h('button', {
          type: 'button', class: 'load-version', 'data-version': v.version, onclick: () => {
            edit(v.plan);
            dirty = true;
            message = { kind: 'muted', text: (l) => st(l, 'historyLoaded', { version: v.version }) };
            d.refresh();
          },
        }, st(lang, 'historyLoad')))))))));
}

function editor(d: Dashboard, readOnly: boolean): HTMLElement[] {
  const lang = d.lang;
  const current = history[0];
  const out: HTMLElement[] = [];
  out.push(h('p', { class: 'muted', id: 'version' }, current ? st(lang, 'version', { version: current.version, at: new Date(current.at).toLocaleString(lang), by: current.by ?? '–' }) : draft ? st(lang, 'versionNew') : st(lang, 'noPlan')));
  if (draft) {
    const plan = draft;
    const select = h('select', { id: 'policy', disabled: readOnly }, ...(['refuse', 'flag'] as const).map((p) => h('option', { value: p, selected: plan.policy === p }, st(lang, `policy_${p}`))));
    select.addEventListener('change', () => {
      plan.policy = select.value as Plan['policy'];
      dirty = true;
      d.refresh();
    });
    out.push(h('p', { class: 'controls' }, h('label', { class: 'field', for: 'policy' }, st(lang, 'policy')), select));
    plan.quotas.forEach((q, qi) => out.push(quotaTable(d, q, qi, readOnly)));
  }
  const buttons = readOnly ? [] : [
    draft ? h('button', { type: 'button', class: 'primary', id: 'save', disabled: busy || !dirty || draft.quotas.length === 0, onclick: () => void save(d) }, st(lang, busy ? 'saving' : 'save')) : null,
    dirty ? h('button', { type: 'button', id: 'discard', onclick: () => { edit(history[0]?.plan ?? null); message = null; d.refresh(); } }, st(lang, 'discard')) : null,
  ];
  const upload = h('input', { type: 'file', id: 'csv-file', accept: '.csv,text/csv', class: 'visually-hidden' });
  upload.addEventListener('change', () => {
    const file = upload.files?.[0];
    if (file) void uploadCsv(d, file);
  });
  out.push(h('div', { class: 'card actions' },
    h('p', { class: 'buttons' }, ...buttons,
      current ? h('button', { type: 'button', id: 'csv-download', onclick: () => void downloadCsv(d) }, st(lang, 'csvDownload')) : null,
      readOnly ? null : h('label', { class: 'button', for: 'csv-file', id: 'csv-upload' }, st(lang, 'csvUpload')), readOnly ? null : upload),
    readOnly ? null : csvHint(lang),
    statusLine('message', message ? message.text(lang) : dirty ? st(lang, 'unsaved') : null, message?.kind ?? 'muted'),
    message?.problems ? problemList(lang, message.problems) : null,
    message?.reload ? h('p', {}, h('button', { type: 'button', id: 'load-current', class: 'primary', onclick: () => { message = null; void load(d); } }, st(lang, 'loadCurrent'))) : null));
  return out;
}

function controls(d: Dashboard): HTMLElement {
  const select = h('select', { id: 'survey' }, ...SURVEY_IDS.map((s) => h('option', { value: s, selected: s === survey }, bundles[d.lang].surveys[s].title)));
  select.addEventListener('change', () => {
    survey = select.value as SurveyId;
    history = [];
    message = null;
    window.history.replaceState(null, '', `${location.pathname}?survey=${survey}`);
    void load(d);
  });
  return h('p', { class: 'controls' }, h('label', { class: 'field', for: 'survey' }, st(d.lang, 'survey')), select);
}

startDashboard(TITLES, (d, main) => {
  const lang = d.lang;
  main.classList.add('settings');
  if (loadedFor !== survey) {
    void load(d);
    replaceContent(main, h('h1', {}, TITLES[lang]), h('p', { class: 'loading' }, st(lang, 'loading')));
    return;
  }
  if (loadFailure) {
    replaceContent(main, h('h1', {}, TITLES[lang]), controls(d), h('p', { class: 'error', role: 'alert', id: 'page-error' }, loadFailure.text(lang)));
    return;
  }
  const refusal = me ? editRefusal(lang, me) : null;
  const readOnly = refusal !== null;
  replaceContent(main,
    h('h1', {}, TITLES[lang]),
    controls(d),
    ...(refusal ? [h('p', { class: 'card warning', id: 'read-only', role: 'status' }, refusal)] : []),
    ...editor(d, readOnly),
    ...(readOnly ? [] : [allocationCard(d)]),
    ...[historyCard(d, readOnly)].filter((x): x is HTMLElement => x !== null));
});
