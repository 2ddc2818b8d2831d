/**
 * The frame the population margins and the secondary data pages share: loading, a failed load, the read-only
 * notice, the note that the figures are the built-in defaults, the page's own cards, and the save and discard
 * buttons with the status line. Each page keeps its own state and cards; this only lays them out.
 */
import type { Language } from '../../schemas/labels.js';
import { h, replaceContent } from '../render/dom.js';
import { SettingsCallError, statusLine } from './settings-api.js';
import { editRefusal, st, type Me, type SettingsKey } from './settings.texts.js';
import type { Dashboard } from './shell.js';

export interface SettingsMessage { kind: 'error' | 'ok' | 'muted'; key: SettingsKey; params?: Record<string, string> }

export interface SettingsPage {
  titles: Record<Language, string>;
  /** The page's state as it is now. */
  loaded: boolean;
  loadFailed: boolean;
  me: Me | null;
  isDefault: boolean;
  /** Says the figures shown are the built-in defaults, nobody's yet. */
  defaultKey: SettingsKey;
  dirty: boolean;
  busy: boolean;
  message: SettingsMessage | null;
  load(): void;
  save(): void;
  discard(): void;
  /** The page's own cards. */
  cards(readOnly: boolean): HTMLElement[];
}

/** A typed number, with a decimal comma as Russian and Kazakh write it; null when it is not one (0 or more). */
export function parseNumber(raw: string): number | null {
  const t = raw.trim().replace(',', '.');
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : null;
}

/** A failed load or save as the status line says it. */
export function settingsFailure(error: unknown): SettingsMessage {
  if (error instanceof SettingsCallError) {
    if (error.problem.status === 0) return { kind: 'error', key: 'network' };
    if (error.problem.status === 403) return { kind: 'error', key: 'forbidden' };
    if (error.problem.code === '404.9') return { kind: 'error', key: 'readOnlyRole' };
    return { kind: 'error', key: 'failed', params: { code: error.problem.code } };
  }
  return { kind: 'error', key: 'failed', params: { code: String(error) } };
}

export function renderSettingsPage(dash: Dashboard, main: HTMLElement, page: SettingsPage): void {
  const lang = dash.lang;
  const title = h('h1', {}, page.titles[lang]);
  const say = (m: SettingsMessage | null) => (m ? st(lang, m.key, m.params) : null);
  main.classList.add('settings');
  if (!page.loaded) {
    page.load();
    replaceContent(main, title, h('p', { class: 'loading' }, st(lang, 'loading')));
    return;
  }
  if (!page.me || page.loadFailed) {
    replaceContent(main, title, statusLine('message', say(page.message), 'error'));
    return;
  }
  const refusal = editRefusal(lang, page.me);
  const readOnly = refusal !== null;
  replaceContent(main,
    title,
    ...(refusal ? [h('p', { class: 'card warning', id: 'read-only', role: 'status' }, refusal)] : []),
    ...(page.isDefault ? [h('p', { class: 'muted', id: 'default' }, st(lang, page.defaultKey))] : []),
    ...page.cards(readOnly),
    h('div', { class: 'card actions' },
      readOnly ? null : h('p', { class: 'buttons' },
        h('button', { type: 'button', class: 'primary', id: 'save', disabled: page.busy || !page.dirty, onclick: () => page.save() }, st(lang, page.busy ? 'saving' : 'save')),
        page.dirty ? h('button', { type: 'button', id: 'discard', onclick: () => page.discard() }, st(lang, 'discard')) : null),
      statusLine('message', say(page.message) ?? (page.dirty ? st(lang, 'unsaved') : null), page.message?.kind ?? 'muted')));
}
