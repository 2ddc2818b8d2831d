/**
 * /dashboard/concerns: the two social concerns the impact questions of the organisational and external forms name,
 * each in Kazakh, Russian and English. Saved as a new version from the version loaded (If-Match), so an editor who
 * loaded an older one is told rather than overwriting.
 */
import { CONCERN_MAX_LENGTH, CONCERN_SLOTS, type ConcernSlot, type PublishedConcerns, type SocialConcerns } from '../../schemas/concerns.js';
import { LANGUAGES, type Language } from '../../schemas/labels.js';
import { h } from '../render/dom.js';
import { callJson, problemErrors, SettingsCallError } from './settings-api.js';
import { SETTINGS_TEXTS, st, type Me, type SettingsKey } from './settings.texts.js';
import { renderSettingsPage, settingsFailure, type SettingsMessage } from './settings-page.js';
import { startDashboard, type Dashboard } from './shell.js';

type Draft = Record<ConcernSlot, Record<Language, string>>;

const TITLES = { en: SETTINGS_TEXTS.en.concernsTitle, ru: SETTINGS_TEXTS.ru.concernsTitle, kk: SETTINGS_TEXTS.kk.concernsTitle };
/** The order the fields are asked in: the country's languages first. */
const FIELD_ORDER: readonly Language[] = ['kk', 'ru', 'en'];

let me: Me | null = null;
let loaded = false;
let loadFailed = false;
let version = 0;
let isMissing = false;
let draft: Draft = emptyDraft();
let dirty = false;
let busy = false;
let serverErrors = new Set<string>();
let message: SettingsMessage | null = null;

function emptyDraft(): Draft {
  const none = () => Object.fromEntries(LANGUAGES.map((l) => [l, ''])) as Record<Language, string>;
  return { concern1: none(), concern2: none() };
}

const invalid = (text: string) => text.trim() === '' || text.trim().length > CONCERN_MAX_LENGTH;

async function load(d: Dashboard): Promise<void> {
  try {
    me ??= await callJson<Me>('/api/v1/me');
    const published = await callJson<PublishedConcerns>('/api/v1/social-concerns');
    version = published.version;
    isMissing = published.concerns === null;
    draft = published.concerns ? structuredClone(published.concerns) : emptyDraft();
    dirty = false;
    serverErrors = new Set();
    loadFailed = false;
  } catch (error) {
    message = settingsFailure(error);
    loadFailed = true;
  }
  loaded = true;
  d.refresh();
}

async function save(d: Dashboard): Promise<void> {
  if (CONCERN_SLOTS.some((s) => LANGUAGES.some((l) => invalid(draft[s][l])))) {
    message = { kind: 'error', key: 'fixFirst' };
    return d.refresh();
  }
  busy = true;
  d.refresh();
  try {
    const body: SocialConcerns = { concern1: trimmed(draft.concern1), concern2: trimmed(draft.concern2) };
    await callJson('/api/v1/social-concerns', { method: 'PUT', json: body, ifMatch: version });
    await load(d);
    message = { kind: 'ok', key: 'saved' };
  } catch (error) {
    if (error instanceof SettingsCallError && error.problem.status === 412) {
      await load(d);
      message = { kind: 'error', key: 'concernsChanged' };
    } else {
      serverErrors = new Set(problemErrors(error).map((e) => e.path.split('/').slice(1, 3).join('/')));
      message = settingsFailure(error);
    }
  }
  busy = false;
  d.refresh();
}

function trimmed(name: Record<Language, string>): Record<Language, string> {
  return Object.fromEntries(LANGUAGES.map((l) => [l, name[l].trim()])) as Record<Language, string>;
}

/** One concern: its name in each language, each field with its rule shown when broken. */
function card(dash: Dashboard, slot: ConcernSlot, readOnly: boolean): HTMLElement {
  const lang = dash.lang;
  const field = (l: Language) => {
    const id = `${slot}-${l}`;
    const broken = (dirty && invalid(draft[slot][l])) || serverErrors.has(`${slot}/${l}`);
    const input = h('input', { id, type: 'text', lang: l, value: draft[slot][l], maxlength: String(CONCERN_MAX_LENGTH), disabled: readOnly, 'aria-invalid': String(broken), 'aria-describedby': `${id}-err` });
    input.addEventListener('input', () => {
      draft[slot][l] = input.value;
      dirty = true;
      message = null;
      dash.refresh();
    });
    return h('div', { class: 'wide' }, h('label', { class: 'field', for: id }, st(lang, `name_${l}` as SettingsKey)), input,
      h('p', { class: 'error', id: `${id}-err` }, broken ? st(lang, 'nameRule', { max: CONCERN_MAX_LENGTH }) : ''));
  };
  return h('section', { class: 'card concern', 'data-concern': slot },
    h('h2', {}, st(lang, `concern_${slot}`)),
    h('div', { class: 'variable-meta' }, ...FIELD_ORDER.map(field)));
}

function render(dash: Dashboard, main: HTMLElement): void {
  renderSettingsPage(dash, main, {
    titles: TITLES, loaded, loadFailed, me, isDefault: isMissing, defaultKey: 'concernsMissing', dirty, busy, message,
    load: () => void load(dash),
    save: () => void save(dash),
    discard: () => {
      message = null;
      void load(dash);
    },
    cards: (readOnly) => [h('p', { class: 'muted' }, st(dash.lang, 'concernsAbout')), ...CONCERN_SLOTS.map((s) => card(dash, s, readOnly))],
  });
}

startDashboard(TITLES, render);
