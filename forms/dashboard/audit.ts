/**
 * /dashboard/audit (admins): the audit trail, newest first, filtered by who, action, target and dates, a page at a
 * time. Each entry shows its details and its before and after: the records themselves for account changes, only
 * their fingerprints for responses (the trail holds no survey answers).
 */
import { AUDIT_ACTIONS } from '../../schemas/api.js';
import type { AuditEntry, AuditPage } from '../../schemas/generated/api.types.js';
import type { Language } from '../../schemas/labels.js';
import { h } from '../render/dom.js';
import { ADMIN_TEXTS, atext } from './admin.texts.js';
import { ApiError, startDashboard, type Dashboard } from './shell.js';

const PAGE = 50;

const titles = { en: ADMIN_TEXTS.en.auditTitle, ru: ADMIN_TEXTS.ru.auditTitle, kk: ADMIN_TEXTS.kk.auditTitle };

/** The filters and the page shown, kept in the address (a bookmark or a reload shows the same entries). */
function filters(): URLSearchParams {
  return new URLSearchParams(location.search);
}

let followsHistory = false;

startDashboard(titles, (d, main) => {
  // Back and forward walk through the filters and pages seen (each is an address).
  if (!followsHistory) {
    window.addEventListener('popstate', () => d.refresh());
    followsHistory = true;
  }
  const list = h('div', { id: 'audit-list' }, h('p', { class: 'loading' }, '…'));
  main.replaceChildren(h('h1', {}, atext(d.lang, 'auditTitle')), filterForm(d), list);
  const q = filters();
  const query = new URLSearchParams({ order: 'desc', limit: String(PAGE) });
  for (const key of ['actor', 'action', 'target', 'cursor']) {
    const v = q.get(key);
    if (v) query.set(key, v);
  }
  // Dates are days in the admin's own time zone: from the start of `since` to the end of `until`.
  const since = q.get('since');
  const until = q.get('until');
  if (since) query.set('since', new Date(`${since}T00:00:00`).toISOString());
  if (until) query.set('until', new Date(new Date(`${until}T00:00:00`).getTime() + 86_400_000).toISOString());
  void d.get<AuditPage>(`/api/v1/audit?${query.toString()}`).then((page) => list.replaceChildren(entries(d, page.items, page.next)),
    (e: unknown) => list.replaceChildren(h('p', { class: 'error', role: 'alert' }, e instanceof ApiError && e.code !== 'network' ? atext(d.lang, 'invalid', { reason: e.message }) : (e as Error).message)));
}, { page: 'audit' });

function go(d: Dashboard, params: URLSearchParams): void {
  history.pushState(null, '', `${location.pathname}${params.size > 0 ? `?${params.toString()}` : ''}`);
  d.refresh();
}

function filterForm(d: Dashboard): HTMLElement {
  const lang = d.lang;
  const q = filters();
  const input = (id: string, key: 'auditActor' | 'auditAction' | 'auditTarget' | 'auditSince' | 'auditUntil', type: string, extra: Record<string, string> = {}) => h('div', {},
    h('label', { class: 'field', for: `filter-${id}` }, atext(lang, key)),
    h('input', { type, id: `filter-${id}`, name: id, value: q.get(id) ?? '', ...extra }));
  const actions = h('datalist', { id: 'audit-actions' }, ...AUDIT_ACTIONS.map((a) => h('option', { value: a })));
  const form = h('form', { class: 'card controls', id: 'audit-filters' },
    h('div', { class: 'form-row' },
      input('actor', 'auditActor', 'text', { autocomplete: 'off' }),
      input('action', 'auditAction', 'text', { list: 'audit-actions', autocomplete: 'off', placeholder: atext(lang, 'auditAnyAction') }),
      input('target', 'auditTarget', 'text', { autocomplete: 'off', placeholder: 'user:…, token:…', translate: 'no' }),
      input('since', 'auditSince', 'date'),
      input('until', 'auditUntil', 'date')),
    actions,
    h('p', {},
      h('button', { type: 'submit', class: 'primary', id: 'audit-apply' }, atext(lang, 'auditFilter')), ' ',
      h('button', { type: 'button', id: 'audit-clear', onclick: () => go(d, new URLSearchParams()) }, atext(lang, 'auditClear'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const el of form.querySelectorAll('input')) if (el.value.trim()) params.set(el.name, el.value.trim());
    go(d, params);
  });
  return form;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

function change(lang: Language, key: 'auditBefore' | 'auditAfter', record: unknown, hash: string | null): HTMLElement | null {
  if (record === undefined && hash === null) return null;
  return h('div', { class: 'audit-change' },
    h('h4', {}, atext(lang, key)),
    record !== undefined ? h('pre', { class: `audit-${key === 'auditBefore' ? 'before' : 'after'}`, translate: 'no' }, json(record)) : h('p', { class: 'hint' }, atext(lang, 'auditHashOnly', { hash: (hash ?? '').slice(0, 16) })));
}

function entries(d: Dashboard, items: AuditEntry[], next: string | null): HTMLElement {
  const lang = d.lang;
  if (items.length === 0) return h('p', { id: 'audit-none' }, atext(lang, 'auditNone'));
  const q = filters();
  const older = () => {
    const params = new URLSearchParams(q);
    params.set('cursor', next ?? '');
    go(d, params);
  };
  const newest = () => {
    const params = new URLSearchParams(q);
    params.delete('cursor');
    go(d, params);
  };
  return h('div', {},
    h('p', { class: 'hint' }, atext(lang, 'auditShowing', { n: items.length })),
    h('ol', { class: 'audit-entries', id: 'audit-entries' }, ...items.map((e) => h('li', { class: 'card', 'data-action': e.action, 'data-target': e.target },
      h('p', { class: 'audit-head' },
        h('time', { datetime: e.at }, new Date(e.at).toLocaleString(lang)), ' · ',
        h('strong', {}, e.actor ?? atext(lang, 'auditSystem')), ' · ',
        h('code', { class: 'audit-action', translate: 'no' }, e.action), ' · ',
        h('code', { class: 'audit-target', translate: 'no' }, e.target)),
      e.details || e.before !== undefined || e.after !== undefined || e.beforeHash || e.afterHash ? h('details', {},
        h('summary', {}, atext(lang, 'auditDetails')),
        e.details ? h('pre', { class: 'audit-details', translate: 'no' }, json(e.details)) : null,
        h('div', { class: 'audit-changes' }, change(lang, 'auditBefore', e.before, e.beforeHash), change(lang, 'auditAfter', e.after, e.afterHash))) : null))),
    h('p', { class: 'pager' },
      q.get('cursor') ? h('button', { type: 'button', id: 'audit-newest', onclick: newest }, atext(lang, 'auditNewer')) : null, ' ',
      next ? h('button', { type: 'button', id: 'audit-older', onclick: older }, atext(lang, 'auditMore')) : null));
}
