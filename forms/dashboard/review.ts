/**
 * /dashboard/review: coordinators check every interview. A list (GET …/review: filters, counts per status, sort,
 * cursor pages) and one response at a time (GET …/review/:id) laid out as the interviewer saw it: the form's own
 * pages, sections and grids, labels in the chosen language, skipped questions as skipped, don't know and refused as
 * such; then derived variables, paradata with seconds per section beside the medians, the quality flags with the
 * numbers that tripped them, the quota cells, and the revision history with each revision's changes.
 *
 * Actions write through PATCH …/responses/:id with the revision read, so a change made meanwhile by someone else
 * is a 409.3, shown as such with a reload, never overwritten. Corrections use the form's model (skip rules clear
 * what no longer applies), its renderer and the survey's standalone validator, as the interviewer's form does.
 * Analysts read only; interviewers are told the page is not for them (the API refuses them anyway).
 */
import type { ResponseReceipt, ReviewDetail, ReviewList } from '../../schemas/generated/api.types.js';
import { itemsOf, type Item } from '../../schemas/items.js';
import { bundles, optionLabel, type Language } from '../../schemas/labels.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { toValidator, type RawValidate, type Validator } from '../../schemas/validation.js';
import validateExternal from '../../schemas/generated/external.validate.js';
import validateOrganisational from '../../schemas/generated/organisational.validate.js';
import validatePopulation from '../../schemas/generated/population.validate.js';
import { isSpecial } from '../model/answer-input.js';
import { FormModel } from '../model/form-model.js';
import type { Page } from '../model/pages.js';
import { LANGUAGE_NAMES, Texts } from '../model/texts.js';
import { h, replaceContent } from '../render/dom.js';
import { patchBlocks, renderBlock, syncItem, type QuestionContext } from '../render/question.render.js';
import { rt, type ReviewTextKey } from './review.texts.js';
import { ApiError, startDashboard, type Dashboard } from './shell.js';

type Status = 'submitted' | 'approved' | 'rejected' | 'has_issues' | 'withdrawn';
const STATUSES: Status[] = ['submitted', 'has_issues', 'approved', 'rejected', 'withdrawn'];
const FLAGS = ['speeder', 'straight_lining', 'many_dont_know', 'duplicate'] as const;
const SORTS = ['-received', 'received', 'duration', '-duration'] as const;
const FILTERS = ['status', 'region', 'interviewer', 'flag', 'overQuota', 'since', 'until', 'id'] as const;
type FilterName = (typeof FILTERS)[number];

type ListAnswer = ReviewList;
type Receipt = ResponseReceipt;
type Detail = ReviewDetail;

const TITLES: Record<Language, string> = { en: 'Review', ru: 'Проверка', kk: 'Тексеру' };
const RAW: Record<SurveyId, RawValidate> = { population: validatePopulation, organisational: validateOrganisational, external: validateExternal };
const PREFIX: Record<SurveyId, string> = { population: 'ps', organisational: 'os', external: 'es' };
const LOCALES: Record<Language, string> = { en: 'en-GB', ru: 'ru-RU', kk: 'kk-KZ' };

const params = new URLSearchParams(location.search);
let survey: SurveyId = (SURVEY_IDS as readonly string[]).includes(params.get('survey') ?? '') ? (params.get('survey') as SurveyId) : 'population';
const filters: Partial<Record<FilterName, string>> = {};
for (const f of FILTERS) if (params.get(f)) filters[f] = params.get(f) as string;
let sort: (typeof SORTS)[number] = (SORTS as readonly string[]).includes(params.get('sort') ?? '') ? (params.get('sort') as (typeof SORTS)[number]) : '-received';
let currentId: string | null = params.get('response');

let role: string | null = null;
let list: ListAnswer | null = null;
let listError: string | null = null;
let listKey = '';
const selected = new Set<string>();
let detail: Detail | null = null;
let detailError: string | null = null;
let detailFor: string | null = null;
let action: 'reject' | 'return' | 'correct' | null = null;
let comment = '';
let message: { kind: 'ok' | 'error' | 'conflict'; text: string } | null = null;
let busy = false;
let correction: { model: FormModel; errors: Map<string, string> } | null = null;
const validators: Partial<Record<SurveyId, Validator>> = {};
let keysInstalled = false;

const api = (path = '') => `/api/v1/surveys/${survey}${path}`;
const canAct = () => role === 'coordinator' || role === 'admin';
const validatorOf = (s: SurveyId): Validator => (validators[s] ??= toValidator(s, RAW[s]));
const itemOf = (id: string): Item | undefined => itemsOf(survey).find((i) => i.id === id);

/**
 * Dates in the filters as the reader writes them (31.12.2026 in Kazakh and Russian, 31/12/2026 in English): a
 * native date input shows the browser's own format and hint (mm/dd/yyyy in a headless or English browser), whatever
 * the page's language. The filters keep ISO dates (YYYY-MM-DD), in the URL too.
 */
const DATE_SEPARATOR: Record<Language, string> = { en: '/', ru: '.', kk: '.' };
const DATE_FILTERS = ['since', 'until'] as const;
type DateFilter = (typeof DATE_FILTERS)[number];
/** What was typed into a date filter that is not a date: kept to show with the error beside it. */
const badDates: Partial<Record<DateFilter, string>> = {};

function showDate(lang: Language, iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? [m[3], m[2], m[1]].join(DATE_SEPARATOR[lang]) : iso;
}

/** A typed date (day, month, year with . / or - between them; or ISO) as ISO, or null when it is no calendar date. */
function readDate(text: string): string | null {
  const dmy = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(text);
  const ymd = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const [y, m, d] = dmy ? [dmy[3], dmy[2], dmy[1]] : ymd ? [ymd[1], ymd[2], ymd[3]] : [];
  if (!y || !m || !d) return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  return date.toISOString().slice(0, 10);
}

function regionLabel(t: Texts, code: string | null): string {
  if (code === null) return '–';
  const item = itemOf(`${PREFIX[survey]}_region`);
  return item ? t.option(item, code) : code;
}

const when = (lang: Language, iso: string) => new Date(iso).toLocaleString(LOCALES[lang], { dateStyle: 'short', timeStyle: 'short' });
const minutes = (lang: Language, seconds: number | null) => (seconds === null ? '–' : rt(lang, 'minutes', { minutes: (seconds / 60).toFixed(1) }));

/** An answer as the interviewer saw it: the option's label, don't know and refused by name, never a code. */
function valueText(t: Texts, item: Item | undefined, value: unknown): string {
  if (value === undefined || value === null) return rt(t.lang, 'notAnswered');
  if (!item) return String(value);
  if (item.kind === 'choice' || isSpecial(value) || typeof value === 'boolean') return t.option(item, value);
  return String(value);
}

function syncUrl(): void {
  const q = new URLSearchParams({ survey });
  for (const f of FILTERS) if (filters[f]) q.set(f, filters[f] as string);
  if (sort !== '-received') q.set('sort', sort);
  if (currentId) q.set('response', currentId);
  history.replaceState(null, '', `${location.pathname}?${q.toString()}`);
}

function listQuery(cursor?: string): string {
  const q = new URLSearchParams();
  for (const f of FILTERS) {
    const v = filters[f];
    if (!v) continue;
    // Dates from the date inputs: the whole day in the browser's time zone.
    if (f === 'since') q.set(f, new Date(`${v}T00:00:00`).toISOString());
    else if (f === 'until') q.set(f, new Date(new Date(`${v}T00:00:00`).getTime() + 86_400_000).toISOString());
    else q.set(f, v);
  }
  q.set('sort', sort);
  q.set('limit', '25');
  if (cursor) q.set('cursor', cursor);
  return `?${q.toString()}`;
}

async function loadList(d: Dashboard, more = false): Promise<void> {
  try {
    const page = await d.get<ListAnswer>(api(`/review${listQuery(more ? (list?.next ?? undefined) : undefined)}`));
    list = more && list ? { ...page, items: [...list.items, ...page.items] } : page;
    listError = null;
  } catch (error) {
    list = null;
    listError = error instanceof ApiError && error.status === 403 ? rt(d.lang, 'forbidden') : (error as Error).message;
  }
  d.refresh();
}

async function loadDetail(d: Dashboard, id: string): Promise<void> {
  detailFor = id;
  try {
    const answer = await d.get<Detail>(api(`/review/${id}`));
    if (detailFor !== id) return;
    detail = answer;
    detailError = null;
  } catch (error) {
    detail = null;
    detailError = (error as Error).message;
  }
  d.refresh();
}

function open(d: Dashboard, id: string): void {
  currentId = id;
  action = null;
  comment = '';
  message = null;
  correction = null;
  detail = null;
  syncUrl();
  void loadDetail(d, id);
  d.refresh();
}

/** Next or previous response of the list, loading the next page when the end of the loaded rows is reached. */
async function step(d: Dashboard, by: 1 | -1): Promise<void> {
  if (!list || list.items.length === 0) return;
  let index = list.items.findIndex((r) => r.id === currentId) + by;
  if (index >= list.items.length && list.next) {
    await loadList(d, true);
    index = Math.min(index, list.items.length - 1);
  }
  const row = list.items[Math.max(0, Math.min(index, list.items.length - 1))];
  if (row && row.id !== currentId) open(d, row.id);
}

function installKeys(d: Dashboard): void {
  if (keysInstalled) return;
  keysInstalled = true;
  // By physical key (event.code), so N and P work on Kazakh and Russian layouts too; never while typing.
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement | null;
    if (event.ctrlKey || event.metaKey || event.altKey || (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (event.code === 'KeyN') void step(d, 1);
    else if (event.code === 'KeyP') void step(d, -1);
  });
}

// ---- writes ----

async function patch(d: Dashboard, body: Record<string, unknown>, done: ReviewTextKey): Promise<void> {
  if (!detail) return;
  busy = true;
  d.refresh();
  try {
    const receipt = await d.send<Receipt>('PATCH', api(`/responses/${detail.response.id}`), { ...body, revision: detail.response.revision });
    message = { kind: 'ok', text: rt(d.lang, done, { revision: receipt.revision }) };
    action = null;
    comment = '';
    correction = null;
    await Promise.all([loadDetail(d, detail.response.id), loadList(d)]);
  } catch (error) {
    if (error instanceof ApiError && error.code === '409.3') {
      const current = (error.details as { current?: number } | undefined)?.current;
      message = { kind: 'conflict', text: rt(d.lang, 'conflict', { revision: current ?? '?' }) };
    } else if (error instanceof ApiError && error.code === '400.2' && correction) {
      // Errors the server found in the corrected answers: beside their questions, as the form shows them.
      for (const e of (error.details as { errors?: Array<{ item: string | null; message: string }> }).errors ?? []) if (e.item) correction.errors.set(e.item, e.message);
      message = { kind: 'error', text: rt(d.lang, 'fixErrors') };
    } else {
      message = { kind: 'error', text: rt(d.lang, 'failed', { message: (error as Error).message }) };
    }
  }
  busy = false;
  d.refresh();
}

async function bulkApprove(d: Dashboard): Promise<void> {
  const rows = (list?.items ?? []).filter((r) => selected.has(r.id));
  let approved = 0;
  busy = true;
  d.refresh();
  for (const row of rows) {
    try {
      await d.send('PATCH', api(`/responses/${row.id}`), { status: 'approved', revision: row.revision });
      approved += 1;
      selected.delete(row.id);
    } catch {
      // Counted below: changed meanwhile (409.3) or out of reach; the row stays selected to look at.
    }
  }
  busy = false;
  message = { kind: approved === rows.length ? 'ok' : 'error', text: rt(d.lang, 'bulkDone', { approved, failed: rows.length - approved }) };
  await loadList(d);
  if (currentId) await loadDetail(d, currentId);
}

function startCorrection(d: Dashboard): void {
  if (!detail) return;
  const r = detail.response;
  const draft = { id: r.id, survey, answers: structuredClone(r.answers), page: 0, language: d.lang, startedAt: r.meta.startedAt, updatedAt: r.meta.completedAt, sectionDurations: {} };
  correction = { model: new FormModel(draft, { validate: validatorOf(survey) }), errors: new Map() };
  action = 'correct';
  message = null;
  d.refresh();
}

/** What changed against the stored answers, as the API's corrections: a value sets an item, null removes it. */
function corrections(original: Record<string, unknown>, answers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const id of new Set([...Object.keys(original), ...Object.keys(answers)])) {
    if (JSON.stringify(original[id]) !== JSON.stringify(answers[id])) out[id] = answers[id] === undefined ? null : answers[id];
  }
  return out;
}

function saveCorrection(d: Dashboard): void {
  if (!detail || !correction) return;
  const c = correction;
  c.errors = new Map();
  for (const e of c.model.errors(d.lang)) if (e.item && !c.errors.has(e.item)) c.errors.set(e.item, e.message);
  const changes = corrections(detail.response.answers, c.model.answers);
  if (c.errors.size > 0) message = { kind: 'error', text: rt(d.lang, 'fixErrors') };
  else if (Object.keys(changes).length === 0) message = { kind: 'error', text: rt(d.lang, 'noChanges') };
  else if (comment.trim() === '') message = { kind: 'error', text: rt(d.lang, 'reasonRequired') };
  else {
    void patch(d, { corrections: changes, comment: comment.trim() }, 'done_corrected');
    return;
  }
  d.refresh();
}

// ---- rendering ----

function filtersCard(d: Dashboard): HTMLElement {
  const lang = d.lang;
  const t = new Texts(lang, survey);
  const regionItem = itemOf(`${PREFIX[survey]}_region`);
  const field = (name: FilterName, label: string, control: HTMLElement) => h('div', { class: name === 'region' ? 'field-row wide' : 'field-row' }, h('label', { class: 'field', for: `f-${name}` }, label), control);
  const select = (name: FilterName, options: Array<[string, string]>) => h('select', { id: `f-${name}` }, ...options.map(([value, label]) => h('option', { value, selected: (filters[name] ?? '') === value }, label)));
  const input = (name: FilterName, type: string) => h('input', { id: `f-${name}`, type, value: filters[name] ?? '', ...(name === 'id' ? { autocomplete: 'off', spellcheck: 'false' } : {}) });
  const dateField = (name: DateFilter, label: string) => {
    const bad = badDates[name];
    const hint = h('span', { class: bad === undefined ? 'hint' : 'error', id: `f-${name}-hint` }, rt(lang, bad === undefined ? 'dateFormat' : 'dateRule'));
    const control = h('input', {
      id: `f-${name}`, type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: rt(lang, 'dateFormat'),
      value: bad ?? showDate(lang, filters[name] ?? ''), 'aria-describedby': `f-${name}-hint`, 'aria-invalid': String(bad !== undefined),
    });
    return h('div', { class: 'field-row' }, h('label', { class: 'field', for: `f-${name}` }, label), control, hint);
  };
  const form = h('form', { id: 'review-filters', class: 'card filters' },
    h('h2', {}, rt(lang, 'filters')),
    h('div', { class: 'filter-grid' },
      field('status', rt(lang, 'status'), select('status', [['', rt(lang, 'anyStatus')], ...STATUSES.map((s): [string, string] => [s, rt(lang, `status_${s}`)])])),
      field('region', rt(lang, 'region'), select('region', [['', rt(lang, 'anyRegion')], ...(regionItem?.codes ?? []).map((c): [string, string] => [String(c), t.option(regionItem as Item, c)])])),
      field('interviewer', rt(lang, 'interviewer'), input('interviewer', 'text')),
      field('flag', rt(lang, 'flag'), select('flag', [['', rt(lang, 'anyFlag')], ...FLAGS.map((f): [string, string] => [f, rt(lang, `flag_${f}`)])])),
      dateField('since', rt(lang, 'since')),
      dateField('until', rt(lang, 'until')),
      field('id', rt(lang, 'responseId'), input('id', 'text')),
      h('div', { class: 'field-row check' }, h('input', { type: 'checkbox', id: 'f-overQuota', checked: filters.overQuota === 'true' }), h('label', { for: 'f-overQuota' }, rt(lang, 'overQuota')))),
    h('p', { class: 'nav-row' },
      h('button', { type: 'submit', class: 'primary', id: 'apply-filters' }, rt(lang, 'apply')),
      h('button', { type: 'button', id: 'clear-filters', onclick: () => {
        for (const f of FILTERS) delete filters[f];
        for (const f of DATE_FILTERS) delete badDates[f];
        syncUrl();
        void loadList(d);
      } }, rt(lang, 'clear'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const f of FILTERS) {
      const el = form.querySelector<HTMLInputElement | HTMLSelectElement>(`#f-${f}`);
      const value = el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.checked ? 'true' : '') : (el?.value.trim() ?? '');
      if (value) filters[f] = value;
      else delete filters[f];
    }
    for (const f of DATE_FILTERS) {
      const typed = filters[f];
      const iso = typed === undefined ? null : readDate(typed);
      delete badDates[f];
      if (typed === undefined) continue;
      if (iso) filters[f] = iso;
      else badDates[f] = typed;
    }
    if (Object.keys(badDates).length > 0) {
      // Nothing is asked of the server until every date is one; the fields say which and how.
      for (const f of DATE_FILTERS) if (badDates[f] !== undefined) delete filters[f];
      d.refresh();
      form.querySelector<HTMLInputElement>(`#f-${Object.keys(badDates)[0] ?? 'since'}`)?.focus();
      return;
    }
    selected.clear();
    syncUrl();
    void loadList(d);
  });
  return form;
}

function statusTabs(d: Dashboard, counts: Record<Status, number>): HTMLElement {
  const lang = d.lang;
  const tab = (status: Status | '') => h('button', {
    type: 'button', class: 'tab', 'data-status': status || 'all', 'aria-pressed': String((filters.status ?? '') === status),
    onclick: () => {
      if (status) filters.status = status;
      else delete filters.status;
      syncUrl();
      void loadList(d);
    },
  }, status ? `${rt(lang, `status_${status}`)} ${counts[status]}` : `${rt(lang, 'anyStatus')} ${STATUSES.reduce((n, s) => n + counts[s], 0)}`);
  return h('div', { class: 'tabs', id: 'status-counts', role: 'group', 'aria-label': rt(lang, 'status') }, tab(''), ...STATUSES.map(tab));
}

function listCard(d: Dashboard): HTMLElement {
  const lang = d.lang;
  const t = new Texts(lang, survey);
  if (listError) return h('section', { class: 'card', id: 'review-list' }, h('p', { class: 'error', role: 'alert' }, listError));
  if (!list) return h('section', { class: 'card', id: 'review-list' }, h('p', { class: 'muted' }, rt(lang, 'loading')));
  const sortSelect = h('select', { id: 'sort' }, ...SORTS.map((s) => h('option', { value: s, selected: s === sort }, rt(lang, `sort_${s}`))));
  sortSelect.addEventListener('change', () => {
    sort = sortSelect.value as (typeof SORTS)[number];
    syncUrl();
    void loadList(d);
  });
  const rows = list.items.map((r) => h('li', { class: `review-row${r.id === currentId ? ' current' : ''}`, 'data-response': r.id, 'data-status': r.status },
    canAct() ? h('input', {
      type: 'checkbox', id: `sel-${r.id}`, 'aria-label': `${rt(lang, 'select')} ${r.id.slice(0, 8)}`, checked: selected.has(r.id),
      onchange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) selected.add(r.id);
        else selected.delete(r.id);
        d.refresh();
      },
    }) : null,
    h('button', { type: 'button', class: 'link open-response', onclick: () => open(d, r.id) }, r.id.slice(0, 8)),
    h('span', { class: `chip status-${r.status}` }, rt(lang, `status_${r.status}`)),
    h('span', { class: 'muted' }, when(lang, r.receivedAt)),
    h('span', { class: 'muted' }, minutes(lang, r.durationSeconds)),
    h('span', {}, regionLabel(t, r.region)),
    r.interviewer ? h('span', { class: 'muted' }, r.interviewer) : null,
    ...r.flags.map((f) => h('span', { class: 'chip flag', 'data-flag': f }, rt(lang, `flag_${f}` as ReviewTextKey))),
    r.overQuota.length > 0 ? h('span', { class: 'chip flag', 'data-flag': 'over_quota' }, rt(lang, 'flag_over_quota')) : null));
  const all = list.items.length > 0 && list.items.every((r) => selected.has(r.id));
  return h('section', { class: 'card', id: 'review-list' },
    statusTabs(d, list.counts),
    h('p', { class: 'nav-row' },
      h('label', { class: 'field', for: 'sort' }, rt(lang, 'sort')), sortSelect,
      h('span', { class: 'muted', id: 'shown' }, rt(lang, 'shown', { shown: list.items.length, total: list.total }))),
    canAct() && list.items.length > 0 ? h('p', { class: 'nav-row' },
      h('span', { class: 'check' }, h('input', {
        type: 'checkbox', id: 'select-all', checked: all,
        onchange: () => {
          for (const r of list?.items ?? []) if (all) selected.delete(r.id); else selected.add(r.id);
          d.refresh();
        },
      }), h('label', { for: 'select-all' }, rt(lang, 'selectAll'))),
      h('button', { type: 'button', id: 'bulk-approve', disabled: selected.size === 0 || busy, onclick: () => void bulkApprove(d) }, rt(lang, 'bulkApprove', { count: selected.size }))) : null,
    list.items.length === 0 ? h('p', { class: 'muted', id: 'no-rows' }, rt(lang, 'none')) : h('ul', { class: 'review-rows' }, ...rows),
    list.next ? h('p', {}, h('button', { type: 'button', id: 'more', onclick: () => void loadList(d, true) }, rt(lang, 'more'))) : null);
}

/** The answers, page by page as the form shows them: sections, grids, skipped questions marked. */
function answersCard(d: Dashboard, r: Receipt): HTMLElement {
  const t = new Texts(d.lang, survey);
  if (action === 'correct' && correction) return correctionCard(d, correction);
  const model = new FormModel({ id: r.id, survey, answers: r.answers, page: 0, language: r.meta.language, startedAt: r.meta.startedAt, updatedAt: r.meta.completedAt, sectionDurations: {} }, { validate: validatorOf(survey) });
  const row = (item: Item) => {
    const value = r.answers[item.id];
    const skipped = value === undefined && !model.isVisible(item);
    const text = skipped ? rt(d.lang, 'skipped') : valueText(t, item, value);
    const cls = skipped || value === undefined ? 'muted' : isSpecial(value) ? 'special' : null;
    return [h('dt', {}, t.label(item)), h('dd', { 'data-item': item.id, class: cls, 'data-skipped': skipped ? 'true' : null }, text)];
  };
  return h('section', { class: 'card', id: 'answers' },
    h('h2', {}, rt(d.lang, 'answers')),
    ...model.pages.map((page: Page) => h('section', { class: 'answers-section', 'data-section': page.id },
      h('h3', {}, t.section(page.id)),
      ...page.blocks.map((b) => (b.kind === 'item'
        ? h('dl', { class: 'answer' }, ...row(b.item))
        : h('div', { class: 'grid-answers', 'data-grid': b.grid }, h('h4', {}, t.grid(b.grid)), h('dl', { class: 'answer' }, ...b.items.flatMap(row))))))));
}

function correctionCard(d: Dashboard, c: NonNullable<typeof correction>): HTMLElement {
  const lang = d.lang;
  const t = new Texts(lang, survey);
  const model = c.model;
  const container = h('div', { id: 'correct-questions' });
  const ctx: QuestionContext = {
    texts: t,
    get answers() {
      return model.answers;
    },
    errors: c.errors,
    required: (i) => model.isRequired(i),
    // Patched, never redrawn (as in the form): a redraw between a touch and its click loses the tap.
    onAnswer: (item, value) => {
      model.setAnswer(item.id, value);
      c.errors.delete(item.id);
      for (const page of model.pages) {
        const section = container.querySelector<HTMLElement>(`[data-correct-section="${page.id}"] .questions`);
        if (section) patchBlocks(section, model.visibleBlocks(page), ctx);
      }
      syncItem(container, item, ctx);
    },
  };
  for (const page of model.pages) {
    const blocks = model.visibleBlocks(page);
    if (blocks.length === 0) continue;
    container.append(h('section', { class: 'answers-section', 'data-correct-section': page.id }, h('h3', {}, t.section(page.id)), h('div', { class: 'questions' }, ...blocks.map((b) => renderBlock(b, ctx)))));
  }
  const reason = h('textarea', { id: 'review-comment', rows: 3, maxlength: 2000 }, comment);
  reason.addEventListener('input', () => {
    comment = reason.value;
  });
  return h('section', { class: 'card', id: 'answers', 'data-correcting': 'true' },
    h('h2', {}, rt(lang, 'correct')),
    container,
    h('label', { class: 'field', for: 'review-comment' }, rt(lang, 'correctionReason')), reason,
    h('p', { class: 'nav-row' },
      h('button', { type: 'button', class: 'primary', id: 'save-corrections', disabled: busy, onclick: () => saveCorrection(d) }, rt(lang, 'saveCorrections')),
      h('button', { type: 'button', id: 'cancel-action', onclick: () => {
        action = null;
        correction = null;
        message = null;
        d.refresh();
      } }, rt(lang, 'cancel'))));
}

function flagLines(d: Dashboard, det: Detail): HTMLElement[] {
  const lang = d.lang;
  const t = new Texts(lang, survey);
  const lines: HTMLElement[] = [];
  for (const f of det.flags) {
    const x = f.detail;
    const why: string[] = [];
    if (f.flag === 'speeder') {
      why.push(rt(lang, 'why_speeder', { length: minutes(lang, x.seconds as number), median: minutes(lang, x.medianSeconds as number) }));
      for (const s of det.sections) {
        if (s.medianSeconds !== null && s.seconds < s.medianSeconds / 2) why.push(rt(lang, 'why_section', { section: t.section(s.id), seconds: Math.round(s.seconds), median: Math.round(s.medianSeconds) }));
      }
    } else if (f.flag === 'straight_lining') {
      for (const g of (x.grids as Array<{ grid: string; value: unknown; items: number }>) ?? []) {
        const item = itemsOf(survey).find((i) => i.grid === g.grid);
        why.push(rt(lang, 'why_straight_lining', { answer: valueText(t, item, g.value), items: g.items, grid: t.grid(g.grid) }));
      }
    } else if (f.flag === 'many_dont_know') {
      why.push(rt(lang, 'why_many_dont_know', { special: x.special as number, eligible: x.eligible as number, percent: Math.round((x.share as number) * 100) }));
    } else if (f.flag === 'duplicate') {
      const of = (x.of as string[]) ?? [];
      why.push(rt(lang, 'why_duplicate', { count: of.length, percent: Math.round((x.match as number) * 100), ids: of.map((id) => id.slice(0, 8)).join(', ') }));
    }
    lines.push(h('li', { 'data-flag': f.flag }, h('strong', {}, rt(lang, `flag_${f.flag}` as ReviewTextKey)), h('ul', {}, ...why.map((w) => h('li', { class: 'why' }, w)))));
  }
  const over = det.response.overQuota ?? [];
  if (over.length > 0) lines.push(h('li', { 'data-flag': 'over_quota' }, h('strong', {}, rt(lang, 'flag_over_quota')), h('ul', {}, h('li', { class: 'why' }, rt(lang, 'why_over_quota', { quotas: over.join(', ') })))));
  return lines;
}

function sideCards(d: Dashboard, det: Detail): HTMLElement[] {
  const lang = d.lang;
  const t = new Texts(lang, survey);
  const r = det.response;
  const derived = Object.entries(r.derived).filter(([, v]) => v !== undefined && v !== null);
  const flagItems = flagLines(d, det);
  const dl = (pairs: Array<[string, string]>) => h('dl', { class: 'pairs' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const changeText = (c: { item: string; before?: unknown; after?: unknown }) => {
    const item = itemOf(c.item);
    return rt(lang, 'change', { item: item ? t.label(item) : t.labelOf(c.item), before: valueText(t, item, c.before), after: valueText(t, item, c.after) });
  };
  return [
    h('section', { class: 'card', id: 'flags' },
      h('h2', {}, rt(lang, 'flags')),
      flagItems.length > 0 ? h('ul', { class: 'flag-list' }, ...flagItems) : h('p', { class: 'muted' }, rt(lang, 'noFlags'))),
    derived.length > 0 ? h('section', { class: 'card', id: 'derived' },
      h('h2', {}, rt(lang, 'derived')),
      dl(derived.map(([k, v]): [string, string] => [t.labelOf(k), optionLabel(lang, survey, k, v as string) ?? String(v)]))) : null,
    h('section', { class: 'card', id: 'paradata' },
      h('h2', {}, rt(lang, 'paradata')),
      dl([
        [rt(lang, 'language'), LANGUAGE_NAMES[r.meta.language] ?? r.meta.language],
        [rt(lang, 'device'), r.meta.device ?? '–'],
        [rt(lang, 'started'), when(lang, r.meta.startedAt)],
        [rt(lang, 'completed'), when(lang, r.meta.completedAt)],
        [rt(lang, 'duration'), rt(lang, 'durationOf', { length: minutes(lang, det.durationSeconds), median: minutes(lang, det.medianSeconds) })],
      ]),
      det.sections.length > 0 ? h('table', { class: 'numbers sections' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, rt(lang, 'section')), h('th', { scope: 'col' }, rt(lang, 'sectionSeconds')), h('th', { scope: 'col' }, rt(lang, 'sectionMedian')))),
        h('tbody', {}, ...det.sections.map((s) => h('tr', { 'data-section': s.id, class: s.medianSeconds !== null && s.seconds < s.medianSeconds / 2 ? 'short' : null },
          h('th', { scope: 'row' }, t.section(s.id)), h('td', { class: 'num' }, String(Math.round(s.seconds))), h('td', { class: 'num' }, s.medianSeconds === null ? '–' : String(Math.round(s.medianSeconds))))))) : null),
    h('section', { class: 'card', id: 'quota-cells' },
      h('h2', {}, rt(lang, 'quotaCells')),
      det.quotaCells.length > 0 ? h('ul', { class: 'list' }, ...det.quotaCells.map((c) => h('li', { 'data-quota': c.quota }, t.cell(c.categories), (r.overQuota ?? []).includes(c.quota) ? h('span', { class: 'chip flag' }, rt(lang, 'flag_over_quota')) : null)))
        : h('p', { class: 'muted' }, rt(lang, 'noQuotaCells'))),
    h('section', { class: 'card', id: 'history' },
      h('h2', {}, rt(lang, 'history')),
      h('ol', { class: 'revisions' }, ...[...det.revisions].reverse().map((rev) => h('li', { 'data-revision': rev.revision, 'data-action': rev.action },
        h('p', {}, rt(lang, 'revisionLine', { revision: rev.revision, action: rt(lang, `action_${rev.action}` as ReviewTextKey), who: rev.actor ?? rt(lang, 'server'), when: when(lang, rev.at), status: rt(lang, `status_${rev.status}`) })),
        rev.comment ? h('p', { class: 'comment' }, `${rt(lang, 'comment')}: ${rev.comment}`) : null,
        rev.changes && rev.changes.length > 0 ? h('ul', { class: 'changes' }, ...rev.changes.map((c) => h('li', { 'data-item': c.item }, changeText(c)))) : null,
        rev.action === 'flagged' && rev.overQuota ? h('p', { class: 'muted' }, rt(lang, 'why_over_quota', { quotas: rev.overQuota.join(', ') || '–' })) : null)))),
  ].filter((x): x is HTMLElement => x !== null);
}

function actionsCard(d: Dashboard, r: Receipt): HTMLElement {
  const lang = d.lang;
  if (!canAct()) return h('p', { class: 'card muted', id: 'read-only' }, rt(lang, 'readOnly'));
  const commentBox = (label: ReviewTextKey) => {
    const box = h('textarea', { id: 'review-comment', rows: 3, maxlength: 2000, required: true }, comment);
    box.addEventListener('input', () => {
      comment = box.value;
    });
    return [h('label', { class: 'field', for: 'review-comment' }, rt(lang, label)), box];
  };
  const confirm = (status: 'rejected' | 'has_issues') => () => {
    if (comment.trim() === '') {
      message = { kind: 'error', text: rt(lang, 'reasonRequired') };
      d.refresh();
      return;
    }
    void patch(d, { status, comment: comment.trim() }, status === 'rejected' ? 'done_rejected' : 'done_has_issues');
  };
  const cancel = h('button', { type: 'button', id: 'cancel-action', onclick: () => {
    action = null;
    message = null;
    d.refresh();
  } }, rt(lang, 'cancel'));
  const choose = (a: 'reject' | 'return') => () => {
    action = a;
    message = null;
    d.refresh();
    document.getElementById('review-comment')?.focus();
  };
  return h('section', { class: 'card', id: 'actions' },
    h('h2', {}, rt(lang, 'actions')),
    action === 'reject' ? h('div', {}, ...commentBox('reason'), h('p', { class: 'nav-row' }, h('button', { type: 'button', class: 'primary danger', id: 'confirm-reject', disabled: busy, onclick: confirm('rejected') }, rt(lang, 'confirmReject')), cancel))
      : action === 'return' ? h('div', {}, ...commentBox('returnComment'), h('p', { class: 'nav-row' }, h('button', { type: 'button', class: 'primary', id: 'confirm-return', disabled: busy, onclick: confirm('has_issues') }, rt(lang, 'confirmReturn')), cancel))
        : action === 'correct' ? null
          : h('p', { class: 'nav-row' },
            h('button', { type: 'button', class: 'primary', id: 'approve', disabled: busy || r.status === 'approved', onclick: () => void patch(d, { status: 'approved' }, 'done_approved') }, rt(lang, 'approve')),
            h('button', { type: 'button', id: 'return', disabled: busy, onclick: choose('return') }, rt(lang, 'returnTo')),
            h('button', { type: 'button', id: 'reject', disabled: busy || r.status === 'rejected', onclick: choose('reject') }, rt(lang, 'reject')),
            h('button', { type: 'button', id: 'correct', disabled: busy, onclick: () => startCorrection(d) }, rt(lang, 'correct'))));
}

function detailCard(d: Dashboard): HTMLElement | null {
  const lang = d.lang;
  if (!currentId) return null;
  const nav = h('p', { class: 'nav-row', id: 'detail-nav' },
    h('button', { type: 'button', id: 'back-to-list', onclick: () => {
      currentId = null;
      detail = null;
      action = null;
      syncUrl();
      d.refresh();
    } }, rt(lang, 'back')),
    h('button', { type: 'button', id: 'prev', 'aria-keyshortcuts': 'P', onclick: () => void step(d, -1) }, rt(lang, 'previous')),
    h('button', { type: 'button', id: 'next', 'aria-keyshortcuts': 'N', onclick: () => void step(d, 1) }, rt(lang, 'next')),
    h('span', { class: 'muted' }, rt(lang, 'keys')));
  if (detailError) return h('div', { id: 'review-detail' }, nav, h('p', { class: 'error', role: 'alert' }, detailError));
  if (!detail || detail.response.id !== currentId) return h('div', { id: 'review-detail' }, nav, h('p', { class: 'muted' }, rt(lang, 'loading')));
  const r = detail.response;
  const t = new Texts(lang, survey);
  const note = message ? h('div', { class: `card ${message.kind === 'ok' ? 'ok' : 'warning'}`, id: message.kind === 'conflict' ? 'conflict' : 'review-message', role: message.kind === 'ok' ? 'status' : 'alert' },
    h('p', {}, message.text),
    message.kind === 'conflict' ? h('button', { type: 'button', id: 'reload', onclick: () => {
      message = null;
      correction = null;
      action = null;
      void loadDetail(d, r.id);
    } }, rt(lang, 'reload')) : null) : null;
  return h('div', { id: 'review-detail', 'data-response': r.id, 'data-revision': r.revision },
    nav,
    h('h2', { id: 'detail-title' }, r.id),
    h('p', { id: 'detail-status' }, rt(lang, 'currentStatus', { status: rt(lang, `status_${r.status}`), revision: r.revision }),
      r.interviewer ? ` · ${rt(lang, 'interviewerOf', { name: r.interviewer })}` : '', ` · ${rt(lang, 'regionOf', { name: regionLabel(t, r.region) })}`),
    note,
    actionsCard(d, r),
    // What a reviewer weighs first (flags, paradata, history) above the answers, except while correcting them.
    action === 'correct' ? answersCard(d, r) : h('div', { class: 'detail-columns' }, h('div', { class: 'side' }, ...sideCards(d, detail)), answersCard(d, r)));
}

function controls(d: Dashboard): HTMLElement {
  const select = h('select', { id: 'survey' }, ...SURVEY_IDS.map((s) => h('option', { value: s, selected: s === survey }, bundles[d.lang].surveys[s].title)));
  select.addEventListener('change', () => {
    survey = select.value as SurveyId;
    for (const f of FILTERS) delete filters[f];
    currentId = null;
    detail = null;
    selected.clear();
    syncUrl();
    void loadList(d);
  });
  return h('p', { class: 'controls' }, h('label', { class: 'field', for: 'survey' }, rt(d.lang, 'survey')), select);
}

startDashboard(TITLES, (d, main) => {
  installKeys(d);
  const key = `${survey}|${sort}|${JSON.stringify(filters)}`;
  if (role === null) {
    role = '';
    void d.get<{ role: string }>('/api/v1/me').then((me) => {
      role = me.role;
      d.refresh();
    }).catch(() => {
      role = null;
    });
  }
  if (listKey !== key && list === null && listError === null) {
    listKey = key;
    void loadList(d);
  }
  if (currentId && detailFor !== currentId) void loadDetail(d, currentId);
  if (role === 'interviewer') {
    replaceContent(main, h('h1', {}, TITLES[d.lang]), h('p', { class: 'error', role: 'alert' }, rt(d.lang, 'forbidden')));
    return;
  }
  const layout = h('div', { class: `review-layout${currentId ? ' has-detail' : ''}` },
    h('div', { class: 'review-side' }, filtersCard(d), listCard(d)),
    detailCard(d));
  replaceContent(main, h('h1', {}, TITLES[d.lang]), controls(d), layout);
});
