/**
 * /dashboard/secondary: the secondary data of the indicator matrix (data dictionary §5), each input on its native
 * scale with its source, year, status and a note. An input left without a value is not provided (its indicators
 * are then reported missing, with the reason), so a team can store what it has found so far.
 */
import { SECONDARY_KEYS, type SecondaryKey } from '../../schemas/csi/indicators.js';
import type { SecondaryValue } from '../../schemas/csi/secondary.js';
import type { StoredSecondary } from '../../schemas/generated/api.types.js';
import { h } from '../render/dom.js';
import { callJson, problemErrors } from './settings-api.js';
import { SETTINGS_TEXTS, st, type Me, type SettingsKey } from './settings.texts.js';
import { parseNumber, renderSettingsPage, settingsFailure, type SettingsMessage } from './settings-page.js';
import { startDashboard, type Dashboard } from './shell.js';

interface Draft { value: string; source: string; year: string; status: '' | 'reported' | 'derived'; note: string }

const TITLES = { en: SETTINGS_TEXTS.en.secondaryTitle, ru: SETTINGS_TEXTS.ru.secondaryTitle, kk: SETTINGS_TEXTS.kk.secondaryTitle };
const YEARS = { min: 1900, max: 2100 };

let me: Me | null = null;
let loaded = false;
let loadFailed = false;
let isDefault = false;
let drafts = new Map<SecondaryKey, Draft>();
let dirty = false;
let busy = false;
let serverErrors = new Map<string, SettingsKey>();
let message: SettingsMessage | null = null;

function toDraft(v: SecondaryValue | undefined): Draft {
  return { value: v ? String(v.value) : '', source: v?.source ?? '', year: v?.year == null ? '' : String(v.year), status: v?.status ?? '', note: v?.note ?? '' };
}

/** Problems of one input by field; an input with nothing typed is simply not provided. */
function problemsOf(d: Draft): Map<string, SettingsKey> {
  const out = new Map<string, SettingsKey>();
  const empty = d.value.trim() === '' && d.source.trim() === '' && d.year.trim() === '';
  if (empty) return out;
  if (parseNumber(d.value) === null) out.set('value', 'valueRule');
  if (d.source.trim() === '') out.set('source', 'sourceRule');
  const year = d.year.trim();
  if (year !== '' && (!/^\d{4}$/.test(year) || Number(year) < YEARS.min || Number(year) > YEARS.max)) out.set('year', 'yearRule');
  return out;
}

function body(): Partial<Record<SecondaryKey, SecondaryValue>> {
  const out: Partial<Record<SecondaryKey, SecondaryValue>> = {};
  for (const [key, d] of drafts) {
    if (d.value.trim() === '') continue;
    out[key] = { value: parseNumber(d.value) as number, source: d.source.trim(), year: d.year.trim() ? Number(d.year) : null, ...(d.status ? { status: d.status } : {}), ...(d.note.trim() ? { note: d.note.trim() } : {}) };
  }
  return out;
}

async function load(d: Dashboard): Promise<void> {
  try {
    me ??= await callJson<Me>('/api/v1/me');
    const stored = await callJson<StoredSecondary>('/api/v1/indicators/secondary');
    isDefault = stored.default;
    drafts = new Map(SECONDARY_KEYS.map((k) => [k, toDraft(stored.values[k])]));
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
  if ([...drafts.values()].some((x) => problemsOf(x).size > 0)) {
    message = { kind: 'error', key: 'fixFirst' };
    return d.refresh();
  }
  busy = true;
  d.refresh();
  try {
    await callJson('/api/v1/indicators/secondary', { method: 'PUT', json: body() });
    await load(d);
    message = { kind: 'ok', key: 'saved' };
  } catch (error) {
    serverErrors = new Map();
    for (const e of problemErrors(error)) {
      const m = /^\/(\w+)\/(value|source|year)/.exec(e.path);
      if (m) serverErrors.set(`${m[1]}:${m[2]}`, m[2] === 'value' ? 'valueRule' : m[2] === 'year' ? 'yearRule' : 'sourceRule');
    }
    message = settingsFailure(error);
  }
  busy = false;
  d.refresh();
}

/** One input as a card of labelled fields (a table of six inputs would clip the sources on a tablet). */
function card(dash: Dashboard, key: SecondaryKey, d: Draft, readOnly: boolean): HTMLElement {
  const lang = dash.lang;
  const problems = problemsOf(d);
  const errorOf = (field: string) => problems.get(field) ?? serverErrors.get(`${key}:${field}`);
  const field = (name: 'value' | 'source' | 'year' | 'note', labelKey: SettingsKey, attrs: Record<string, string> = {}, wide = false) => {
    const id = `${name}-${key}`;
    const error = errorOf(name);
    const el = h('input', { id, type: 'text', value: d[name], disabled: readOnly, 'aria-invalid': String(error !== undefined), 'aria-describedby': `${id}-err`, ...attrs });
    el.addEventListener('input', () => {
      d[name] = el.value;
      dirty = true;
      message = null;
      dash.refresh();
    });
    return h('div', { class: wide ? 'wide' : '' }, h('label', { class: 'field', for: id }, st(lang, labelKey)), el, h('p', { class: 'error', id: `${id}-err` }, error ? st(lang, error, YEARS) : ''));
  };
  const status = h('select', { id: `status-${key}`, disabled: readOnly },
    h('option', { value: '', selected: d.status === '' }, '–'),
    ...(['reported', 'derived'] as const).map((s) => h('option', { value: s, selected: d.status === s }, st(lang, `status_${s}`))));
  status.addEventListener('change', () => {
    d.status = status.value as Draft['status'];
    dirty = true;
    dash.refresh();
  });
  return h('section', { class: `card secondary-input${problems.size > 0 ? ' invalid' : ''}`, 'data-input': key },
    h('h2', {}, st(lang, `sec_${key}`)),
    h('div', { class: 'variable-meta' },
      field('value', 'value', { inputmode: 'decimal', class: 'value' }),
      field('year', 'year', { inputmode: 'numeric', class: 'year', placeholder: st(lang, 'yearUnknown') }),
      h('div', {}, h('label', { class: 'field', for: `status-${key}` }, st(lang, 'status')), status),
      field('source', 'source', {}, true),
      field('note', 'note', {}, true)));
}

function render(dash: Dashboard, main: HTMLElement): void {
  renderSettingsPage(dash, main, {
    titles: TITLES, loaded, loadFailed, me, isDefault, defaultKey: 'secondaryDefault', dirty, busy, message,
    load: () => void load(dash),
    save: () => void save(dash),
    discard: () => {
      message = null;
      void load(dash);
    },
    cards: (readOnly) => SECONDARY_KEYS.map((k) => card(dash, k, drafts.get(k) ?? toDraft(undefined), readOnly)),
  });
}

startDashboard(TITLES, render);
