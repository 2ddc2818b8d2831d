/**
 * /dashboard/tokens (admins): API tokens (sign-in sessions on request), a new one for a user (its secret shown
 * once), and revoking one.
 */
import type { Token, TokenList, UserList } from '../../schemas/generated/api.types.js';
import type { Language } from '../../schemas/labels.js';
import { h } from '../render/dom.js';
import { ADMIN_TEXTS, atext } from './admin.texts.js';
import { ApiError, startDashboard, type Dashboard } from './shell.js';

const titles = { en: ADMIN_TEXTS.en.tokensTitle, ru: ADMIN_TEXTS.ru.tokensTitle, kk: ADMIN_TEXTS.kk.tokensTitle };
const state: { shown: { name: string; username: string; token: string } | null; sessions: boolean } = { shown: null, sessions: false };

const when = (lang: Language, iso: string) => new Date(iso).toLocaleString(lang);

startDashboard(titles, (d, main) => {
  const list = h('div', { id: 'tokens-list' }, h('p', { class: 'loading' }, '…'));
  const users = h('datalist', { id: 'usernames' });
  main.replaceChildren(h('div', {}, h('h1', {}, atext(d.lang, 'tokensTitle')), secret(d.lang), createForm(d), users, list));
  void d.get<UserList>('/api/v1/users').then(({ items }) => users.replaceChildren(...items.map((u) => h('option', { value: u.username }))), () => undefined);
  void d.get<TokenList>('/api/v1/tokens').then(({ items }) => list.replaceChildren(tokensTable(d, items)),
    (e: unknown) => list.replaceChildren(h('p', { class: 'error', role: 'alert' }, (e as Error).message)));
}, { page: 'tokens' });

function secret(lang: Language): HTMLElement | null {
  const shown = state.shown;
  if (!shown) return null;
  return h('div', { class: 'card notice', role: 'status', id: 'token-secret' },
    h('p', {}, atext(lang, 'tokenCreated', { name: shown.name, user: shown.username })),
    h('p', {}, h('code', { id: 'token-secret-value', class: 'secret' }, shown.token)));
}

function refusal(lang: Language, error: unknown): string {
  if (!(error instanceof ApiError)) return (error as Error).message;
  return error.code === 'network' ? error.message : atext(lang, 'invalid', { reason: error.message });
}

function createForm(d: Dashboard): HTMLElement {
  const lang = d.lang;
  const user = h('input', { type: 'text', id: 'token-user', list: 'usernames', required: true, autocomplete: 'off' });
  const name = h('input', { type: 'text', id: 'token-name', required: true, maxlength: 100, 'aria-describedby': 'token-name-hint' });
  const days = h('input', { type: 'number', id: 'token-days', min: 1, max: 3650, value: 365, required: true });
  const error = h('p', { class: 'error', role: 'alert', id: 'new-token-error' });
  const form = h('form', { class: 'card', id: 'new-token' },
    h('h2', {}, atext(lang, 'tokensNew')),
    h('div', { class: 'form-row' },
      h('div', {}, h('label', { class: 'field', for: 'token-user' }, atext(lang, 'tokenUser')), user),
      h('div', {}, h('label', { class: 'field', for: 'token-name' }, atext(lang, 'tokenName')), name, h('p', { class: 'hint', id: 'token-name-hint' }, atext(lang, 'tokenNameHint'))),
      h('div', {}, h('label', { class: 'field', for: 'token-days' }, atext(lang, 'tokenDays')), days)),
    h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'create-token' }, atext(lang, 'tokenCreate'))),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const issued = await d.send<Token & { token: string }>('POST', '/api/v1/tokens', { username: user.value.trim(), name: name.value.trim(), expiresInDays: Number(days.value) });
      state.shown = { name: issued.name, username: issued.username, token: issued.token };
      d.refresh();
    } catch (e) {
      error.textContent = refusal(lang, e);
    }
  });
  return form;
}

function tokensTable(d: Dashboard, tokens: Token[]): HTMLElement {
  const lang = d.lang;
  const now = Date.now();
  const shown = tokens.filter((t) => state.sessions || t.kind === 'api').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const toggle = h('label', { class: 'option inline' },
    h('input', { type: 'checkbox', id: 'show-sessions', checked: state.sessions, onchange: () => { state.sessions = !state.sessions; d.refresh(); } }),
    atext(lang, 'showSessions'));
  const rows = shown.map((t) => {
    const error = h('p', { class: 'error', role: 'alert' });
    const live = t.revokedAt === null && Date.parse(t.expiresAt) > now;
    const st = t.revokedAt !== null ? atext(lang, 'tokenRevoked', { at: when(lang, t.revokedAt) }) : live ? atext(lang, 'tokenLive') : atext(lang, 'tokenExpired');
    return h('tr', { 'data-token': t.id, 'data-name': t.name },
      h('th', { scope: 'row', translate: 'no' }, t.name),
      h('td', {}, t.username),
      h('td', {}, atext(lang, t.kind === 'api' ? 'kind_api' : 'kind_session')),
      h('td', {}, when(lang, t.createdAt)),
      h('td', {}, when(lang, t.expiresAt)),
      h('td', { class: 'state' }, st),
      h('td', {}, live ? h('button', {
        type: 'button', class: 'revoke',
        onclick: async () => {
          if (!confirm(atext(lang, 'revokeConfirm', { name: t.name, user: t.username }))) return;
          try {
            await d.send('DELETE', `/api/v1/tokens/${t.id}`);
            d.refresh();
          } catch (e) {
            error.textContent = refusal(lang, e);
          }
        },
      }, atext(lang, 'revoke')) : null, error));
  });
  return h('div', {}, toggle, h('table', { class: 'numbers admin-table', id: 'tokens' },
    h('thead', {}, h('tr', {}, ...(['tokenName', 'tokenUser', 'tokenKind', 'tokenCreatedAt', 'tokenExpires', 'tokenState', 'actions'] as const).map((k) => h('th', { scope: 'col' }, atext(lang, k))))),
    h('tbody', {}, ...rows)));
}
