/**
 * /dashboard/users (admins): the users, a new one (role, regions from the survey's list; the server generates the
 * one-time password, shown once), and per user: edit role and regions, disable or enable, reset the password.
 */
import { ROLES, type Role } from '../../schemas/api.js';
import type { User, UserList } from '../../schemas/generated/api.types.js';
import type { Language } from '../../schemas/labels.js';
import { h } from '../render/dom.js';
import { ADMIN_TEXTS, atext } from './admin.texts.js';
import { roleName } from './console.texts.js';
import { REGION_CODES, regionLabel } from './regions.js';
import { ApiError, startDashboard, type Dashboard } from './shell.js';

const titles = { en: ADMIN_TEXTS.en.usersTitle, ru: ADMIN_TEXTS.ru.usersTitle, kk: ADMIN_TEXTS.kk.usersTitle };

/** What survives a redraw (a language change): the one-time password just shown, the user being edited. */
const state: { shown: { kind: 'created' | 'reset'; username: string; password: string } | null; editing: string | null } = { shown: null, editing: null };

startDashboard(titles, (d, main) => {
  const list = h('div', { id: 'users-list' }, h('p', { class: 'loading' }, '…'));
  main.replaceChildren(h('div', {}, h('h1', {}, atext(d.lang, 'usersTitle')), oneTime(d.lang), createForm(d), list));
  void d.get<UserList>('/api/v1/users').then(({ items }) => list.replaceChildren(usersTable(d, items)),
    (e: unknown) => list.replaceChildren(h('p', { class: 'error', role: 'alert' }, (e as Error).message)));
}, { page: 'users' });

function oneTime(lang: Language): HTMLElement | null {
  const shown = state.shown;
  if (!shown) return null;
  return h('div', { class: 'card notice', role: 'status', id: 'one-time' },
    h('p', {}, atext(lang, shown.kind, { user: shown.username })),
    h('p', {}, h('span', { class: 'muted' }, `${atext(lang, 'oneTime')}: `), h('code', { id: 'one-time-password', class: 'secret' }, shown.password)));
}

function roleSelect(lang: Language, id: string, value: Role): HTMLSelectElement {
  return h('select', { id }, ...ROLES.map((r) => h('option', { value: r, selected: r === value }, roleName(lang, r))));
}

/** The survey's regions as tick boxes, labelled in the interface language. */
function regionBoxes(lang: Language, prefix: string, chosen: readonly string[]): HTMLFieldSetElement {
  return h('fieldset', { class: 'regions', id: `${prefix}-regions` },
    h('legend', {}, atext(lang, 'regions')),
    h('p', { class: 'hint' }, atext(lang, 'regionsHint')),
    h('div', { class: 'region-grid' }, ...REGION_CODES.map((code) => h('label', { class: 'option' },
      h('input', { type: 'checkbox', value: code, name: `${prefix}-region`, id: `${prefix}-region-${code}`, checked: chosen.includes(code) }),
      regionLabel(lang, code)))));
}

const ticked = (box: HTMLElement) => [...box.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((i) => i.value);

/** A refusal worded for the page: the field and rule the server named, in the interface language where known. */
function refusal(lang: Language, error: unknown): string {
  if (!(error instanceof ApiError)) return (error as Error).message;
  if (error.code === '409.4') return atext(lang, 'taken');
  const errors = error.details.errors ?? [];
  if (errors.some((e) => e.path === '/username')) return atext(lang, 'badUsername');
  if (errors.some((e) => e.path.startsWith('/regions'))) return atext(lang, 'unknownRegion');
  return error.code === 'network' ? error.message : atext(lang, 'invalid', { reason: error.message });
}

function createForm(d: Dashboard): HTMLElement {
  const lang = d.lang;
  const username = h('input', { type: 'text', id: 'new-username', required: true, autocomplete: 'off', pattern: '[a-z0-9][a-z0-9._\\-]{1,63}', 'aria-describedby': 'new-username-hint' });
  const role = roleSelect(lang, 'new-role', 'interviewer');
  const regions = regionBoxes(lang, 'new', []);
  const error = h('p', { class: 'error', role: 'alert', id: 'new-user-error' });
  const form = h('form', { class: 'card', id: 'new-user' },
    h('h2', {}, atext(lang, 'usersNew')),
    h('div', { class: 'form-row' },
      h('div', {}, h('label', { class: 'field', for: 'new-username' }, atext(lang, 'username')), username,
        h('p', { class: 'hint', id: 'new-username-hint' }, atext(lang, 'usernameHint'))),
      h('div', {}, h('label', { class: 'field', for: 'new-role' }, atext(lang, 'role')), role)),
    regions,
    h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'create-user' }, atext(lang, 'create'))),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const chosen = ticked(regions);
    try {
      const created = await d.send<User & { password: string }>('POST', '/api/v1/users', {
        username: username.value.trim(), role: role.value, ...(chosen.length > 0 ? { regions: chosen } : {}),
      });
      state.shown = { kind: 'created', username: created.username, password: created.password };
      d.refresh();
    } catch (e) {
      error.textContent = refusal(lang, e);
    }
  });
  return form;
}

function usersTable(d: Dashboard, users: User[]): HTMLElement {
  const lang = d.lang;
  const act = async (fn: () => Promise<void>, error: HTMLElement) => {
    error.textContent = '';
    try {
      await fn();
      d.refresh();
    } catch (e) {
      error.textContent = refusal(lang, e);
    }
  };
  const rows = users.flatMap((u) => {
    const error = h('p', { class: 'error', role: 'alert', id: `user-${u.username}-error` });
    const status = [u.disabled ? atext(lang, 'disabled') : atext(lang, 'active'), u.mustChangePassword ? atext(lang, 'mustChange') : null].filter(Boolean).join(' · ');
    const row = h('tr', { 'data-user': u.username, class: u.disabled ? 'disabled' : '' },
      h('th', { scope: 'row' }, u.username),
      h('td', {}, roleName(lang, u.role)),
      h('td', {}, u.regions.length === 0 ? atext(lang, 'allRegions') : u.regions.map((r) => regionLabel(lang, r)).join(', ')),
      h('td', {}, status),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'edit', onclick: () => { state.editing = u.id; d.refresh(); } }, atext(lang, 'edit')),
        h('button', {
          type: 'button', class: 'toggle',
          onclick: () => void act(async () => { await d.send('PATCH', `/api/v1/users/${u.id}`, { disabled: !u.disabled }); }, error),
        }, atext(lang, u.disabled ? 'enable' : 'disable')),
        h('button', {
          type: 'button', class: 'reset',
          onclick: () => {
            if (!confirm(atext(lang, 'resetConfirm', { user: u.username }))) return;
            void act(async () => {
              const reset = await d.send<User & { password: string }>('POST', `/api/v1/users/${u.id}/password`);
              state.shown = { kind: 'reset', username: reset.username, password: reset.password };
            }, error);
          },
        }, atext(lang, 'resetPassword')),
        error));
    return state.editing === u.id ? [row, editRow(d, u)] : [row];
  });
  return h('table', { class: 'numbers admin-table', id: 'users' },
    h('thead', {}, h('tr', {}, ...(['username', 'role', 'regions', 'status', 'actions'] as const).map((k) => h('th', { scope: 'col' }, atext(lang, k))))),
    h('tbody', {}, ...rows));
}

function editRow(d: Dashboard, u: User): HTMLElement {
  const lang = d.lang;
  const role = roleSelect(lang, 'edit-role', u.role);
  const regions = regionBoxes(lang, 'edit', u.regions);
  const error = h('p', { class: 'error', role: 'alert', id: 'edit-error' });
  const form = h('form', { id: 'edit-user', 'data-user': u.username },
    h('label', { class: 'field', for: 'edit-role' }, atext(lang, 'role')), role, regions,
    h('p', {},
      h('button', { type: 'submit', class: 'primary', id: 'save-user' }, atext(lang, 'save')), ' ',
      h('button', { type: 'button', onclick: () => { state.editing = null; d.refresh(); } }, atext(lang, 'cancel'))),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await d.send('PATCH', `/api/v1/users/${u.id}`, { role: role.value, regions: ticked(regions) });
      state.editing = null;
      d.refresh();
    } catch (e) {
      error.textContent = refusal(lang, e);
    }
  });
  return h('tr', { class: 'editing' }, h('td', { colspan: 5 }, form));
}
