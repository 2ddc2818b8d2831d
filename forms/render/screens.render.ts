/**
 * The app's screens as elements: login, the interviewer's home (drafts, uploads waiting, sync status), a page of
 * the interview, the review, and the polite stop after a full quota cell. Each takes plain state and callbacks;
 * what to show and what is allowed was decided by the model and the app.
 */
import { LANGUAGES, type Language } from '../../schemas/labels.js';
import type { SyncStatus } from '../offline/outbox.js';
import { draftVersion, type Draft } from '../model/draft.js';
import type { ReviewSection } from '../model/form-model.js';
import type { Block } from '../model/pages.js';
import { LANGUAGE_NAMES, type Texts } from '../model/texts.js';
import type { ValidationError } from '../../schemas/validation-errors.js';
import { returnedText } from '../model/returned.texts.js';
import { h, type Child } from './dom.js';
import { renderBlock, type QuestionContext } from './question.render.js';

export interface TopBar {
  texts: Texts;
  sync: SyncStatus | null;
  online: boolean;
  onLanguage(lang: Language): void;
  onSyncNow(): void;
}

export function syncLine(texts: Texts, sync: SyncStatus | null, online: boolean): HTMLElement {
  const parts: string[] = [];
  let error = false;
  if (sync) {
    if (sync.pending > 0) parts.push(texts.ui('sync_pending', { count: sync.pending }));
    if (sync.rejected > 0) {
      parts.push(texts.ui('sync_rejected', { count: sync.rejected }));
      error = true;
    }
    if (sync.pending === 0 && sync.rejected === 0) parts.push(texts.ui('sync_done'));
    if (sync.needsLogin) parts.push(texts.ui('sync_login'));
    if (sync.lastError && (sync.pending > 0 || sync.rejected > 0)) {
      parts.push(texts.ui('sync_error', { error: texts.problem(sync.lastError) }));
      error = true;
    }
  }
  if (!online) parts.unshift(texts.ui('sync_offline'));
  return h('p', { class: `sync${error ? ' error' : ''}`, id: 'sync-status', role: 'status', 'data-pending': sync?.pending ?? 0 }, parts.join(' · '));
}

export function renderTopBar(bar: TopBar): HTMLElement {
  return h('header', { class: 'topbar' },
    h('span', { class: 'title' }, bar.texts.title()),
    h('div', { class: 'langs', role: 'group', 'aria-label': bar.texts.ui('language') }, LANGUAGES.slice().reverse().map((lang) => h('button', {
      type: 'button', lang, 'data-lang': lang, 'aria-pressed': lang === bar.texts.lang ? 'true' : 'false', onclick: () => bar.onLanguage(lang),
    }, LANGUAGE_NAMES[lang]))),
    syncLine(bar.texts, bar.sync, bar.online));
}

/** Over plain HTTP (not localhost) the browser gives no service worker: the interviewer must know before going offline. */
export function insecureNotice(texts: Texts): HTMLElement {
  return h('p', { class: 'card warning', id: 'insecure', role: 'status' }, texts.ui('offline_needs_https'));
}

export function renderLogin(texts: Texts, error: string | null, onLogin: (username: string, password: string) => void): HTMLElement {
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    onLogin((form.elements.namedItem('username') as HTMLInputElement).value, (form.elements.namedItem('password') as HTMLInputElement).value);
  };
  return h('form', { class: 'card', id: 'login', onsubmit: submit },
    h('h1', {}, texts.ui('login_title')),
    h('label', { class: 'field', for: 'username' }, texts.ui('username')),
    h('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', required: true }),
    h('label', { class: 'field', for: 'password' }, texts.ui('password')),
    h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true }),
    error ? h('p', { class: 'error', role: 'alert' }, error) : null,
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, texts.ui('log_in'))));
}

export interface HomeView {
  texts: Texts;
  username: string;
  drafts: Draft[];
  /** The questionnaire version new interviews use. */
  version: string;
  notice: string | null;
  rejected: Array<{ id: string; error: string | null }>;
  pending: Array<{ id: string; queuedAt: string; attempts: number }>;
  /** Interviews a coordinator returned (to fix) or rejected (read-only), with their comment. */
  returned: Array<{ id: string; receivedAt: string; comment: string | null }>;
  closed: Array<{ id: string; receivedAt: string; comment: string | null }>;
  onFix(id: string): void;
  onNew(): void;
  onResume(id: string): void;
  onDiscard(id: string): void;
  onSyncNow(): void;
  onLogout(): void;
  /** Set while asking whether to upload before logging out: how many of this interviewer's interviews wait. */
  logoutPending: { count: number; afterTry: boolean } | null;
  onLogoutUpload(): void;
  onLogoutAnyway(): void;
  onLogoutCancel(): void;
}

function logoutQuestion(t: Texts, v: HomeView, ask: { count: number; afterTry: boolean }): HTMLElement {
  return h('div', { class: 'card warning', id: 'logout-confirm', role: 'alertdialog', 'aria-labelledby': 'logout-question' },
    h('p', { id: 'logout-question' }, t.ui(ask.afterTry ? 'logout_still_pending' : 'logout_pending', { count: ask.count })),
    h('p', {},
      h('button', { type: 'button', class: 'primary', id: 'logout-upload', onclick: v.onLogoutUpload }, t.ui('logout_upload')), ' ',
      h('button', { type: 'button', id: 'logout-anyway', onclick: v.onLogoutAnyway }, t.ui('logout_anyway')), ' ',
      h('button', { type: 'button', id: 'logout-cancel', onclick: v.onLogoutCancel }, t.ui('cancel'))));
}

export function renderHome(v: HomeView): HTMLElement {
  const t = v.texts;
  const when = (iso: string) => new Date(iso).toLocaleString(t.lang === 'kk' ? 'kk-KZ' : t.lang === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
  return h('div', { id: 'home' },
    v.notice ? h('p', { class: 'card', role: 'status', id: 'notice' }, v.notice) : null,
    h('h1', {}, t.ui('home')),
    h('p', { class: 'muted' }, t.ui('logged_in_as', { name: v.username })),
    h('p', {}, h('button', { type: 'button', class: 'primary', id: 'new-interview', onclick: v.onNew }, t.ui('new_interview'))),
    h('p', { class: 'muted', id: 'questionnaire-version', 'data-version': v.version }, t.ui('questionnaire_version', { version: v.version })),
    h('h2', {}, t.ui('drafts')),
    v.drafts.length === 0 ? h('p', { class: 'muted' }, t.ui('no_drafts')) : h('ul', { class: 'list', id: 'drafts' }, v.drafts.map((d) => h('li', { 'data-draft': d.id, 'data-version': draftVersion(d) },
      // A draft started in another version than new interviews get finishes in its own: say which.
      h('span', {}, t.ui('draft_started', { time: when(d.startedAt), page: d.page + 1 }), draftVersion(d) === v.version ? '' : ` (${t.ui('draft_version', { version: draftVersion(d) })})`),
      h('span', {},
        h('button', { type: 'button', class: 'primary', onclick: () => v.onResume(d.id) }, t.ui('resume')), ' ',
        h('button', { type: 'button', onclick: () => v.onDiscard(d.id) }, t.ui('discard')))))),
    v.returned.length > 0 ? [
      h('h2', {}, returnedText(t.lang, 'returned_title')),
      h('ul', { class: 'list', id: 'returned' }, v.returned.map((r) => h('li', { 'data-returned': r.id },
        h('span', {}, returnedText(t.lang, 'returned_entry', { time: when(r.receivedAt) })),
        h('span', { class: 'comment' }, r.comment ? returnedText(t.lang, 'returned_comment', { comment: r.comment }) : returnedText(t.lang, 'returned_no_comment')),
        h('button', { type: 'button', class: 'primary', id: `fix-${r.id}`, onclick: () => v.onFix(r.id) }, returnedText(t.lang, 'returned_fix'))))),
    ] : null,
    v.closed.length > 0 ? [
      h('h2', {}, returnedText(t.lang, 'rejected_title')),
      h('p', { class: 'muted' }, returnedText(t.lang, 'rejected_read_only')),
      h('ul', { class: 'list', id: 'closed-interviews' }, v.closed.map((r) => h('li', { 'data-closed': r.id },
        h('span', {}, returnedText(t.lang, 'returned_entry', { time: when(r.receivedAt) })),
        h('span', { class: 'comment' }, r.comment ? returnedText(t.lang, 'rejected_reason', { reason: r.comment }) : returnedText(t.lang, 'returned_no_comment'))))),
    ] : null,
    v.pending.length > 0 ? [
      h('h2', {}, t.ui('uploads')),
      h('ul', { class: 'list', id: 'uploads' }, v.pending.map((p) => h('li', { 'data-upload': p.id }, t.ui('upload_entry', { time: when(p.queuedAt), attempts: p.attempts })))),
    ] : null,
    v.rejected.length > 0 ? h('ul', { class: 'list', id: 'rejected' }, v.rejected.map((r) => h('li', { class: 'error' }, `${r.id.slice(0, 8)}: ${r.error ? t.problem(r.error) : ''}`))) : null,
    v.logoutPending ? logoutQuestion(t, v, v.logoutPending) : h('p', {},
      h('button', { type: 'button', id: 'sync-now', onclick: v.onSyncNow }, t.ui('sync_now')), ' ',
      h('button', { type: 'button', id: 'logout', onclick: v.onLogout }, t.ui('log_out'))),
    // The same session serves the console: the way back to the rest of what the role does.
    h('p', {}, h('a', { href: '/', id: 'console-home' }, t.ui('console_home'))),
    h('p', { class: 'muted' }, t.ui('saved_locally')));
}

export interface PageView {
  texts: Texts;
  sectionId: string;
  blocks: Block[];
  step: number;
  steps: number;
  isLast: boolean;
  canGoBack: boolean;
  showSummary: boolean;
  question: QuestionContext;
  onBack(): void;
  onNext(): void;
  onHome(): void;
}

function progressBar(texts: Texts, step: number, steps: number): Child[] {
  const pct = Math.round((step / steps) * 100);
  return [
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': steps, 'aria-valuenow': step, 'aria-label': texts.ui('page_of', { page: step, pages: steps }) },
      h('div', { style: `width:${pct}%` })),
    h('p', { class: 'muted', id: 'progress-text' }, texts.ui('page_of', { page: step, pages: steps })),
  ];
}

/**
 * After an answer, in place: the progress (skip rules can add or drop whole pages) and the errors summary once
 * the page has no error left. Neither is under the interviewer's finger.
 */
export function syncPageState(root: HTMLElement, texts: Texts, step: number, steps: number, errorsLeft: number): void {
  const bar = root.querySelector<HTMLElement>('.progress[role=progressbar]');
  if (bar && (bar.getAttribute('aria-valuemax') !== String(steps) || bar.getAttribute('aria-valuenow') !== String(step))) {
    const text = texts.ui('page_of', { page: step, pages: steps });
    bar.setAttribute('aria-valuemax', String(steps));
    bar.setAttribute('aria-valuenow', String(step));
    bar.setAttribute('aria-label', text);
    bar.firstElementChild?.setAttribute('style', `width:${Math.round((step / steps) * 100)}%`);
    const label = root.querySelector('#progress-text');
    if (label) label.textContent = text;
  }
  if (errorsLeft === 0) root.querySelector('#page #errors-summary')?.remove();
}

export function renderPage(v: PageView): HTMLElement {
  const t = v.texts;
  return h('form', { id: 'page', 'data-section': v.sectionId, novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); v.onNext(); } },
    ...progressBar(t, v.step, v.steps),
    h('h1', { id: 'section-title' }, t.section(v.sectionId)),
    v.showSummary ? h('p', { class: 'errors-summary', role: 'alert', id: 'errors-summary' }, t.ui('fix_errors')) : null,
    h('div', { id: 'questions' }, v.blocks.map((b) => renderBlock(b, v.question))),
    h('div', { class: 'nav' },
      v.canGoBack ? h('button', { type: 'button', id: 'back', onclick: v.onBack }, t.ui('back')) : h('button', { type: 'button', id: 'to-home', onclick: v.onHome }, t.ui('home')),
      h('button', { type: 'submit', class: 'primary', id: 'next' }, v.isLast ? t.ui('to_review') : t.ui('next'))));
}

export interface ReviewView {
  texts: Texts;
  sections: ReviewSection[];
  errors: ValidationError[];
  step: number;
  steps: number;
  valueText(section: ReviewSection, row: ReviewSection['rows'][number]): string | null;
  onEdit(index: number): void;
  onBack(): void;
  onSubmit(): void;
}

export function renderReview(v: ReviewView): HTMLElement {
  const t = v.texts;
  return h('div', { id: 'review', class: 'review' },
    ...progressBar(t, v.step, v.steps),
    h('h1', {}, t.ui('review_title')),
    h('p', { class: 'muted' }, t.ui('review_intro')),
    v.errors.length > 0 ? h('ul', { class: 'errors-summary', role: 'alert', id: 'errors-summary' }, v.errors.map((e) => h('li', {}, `${e.item ? `${t.labelOf(e.item)}: ` : ''}${e.message}`))) : null,
    v.sections.map((s) => h('section', { class: 'card', 'data-section': s.page.id },
      h('h2', {}, t.section(s.page.id)),
      h('dl', {}, s.rows.flatMap((row) => {
        const text = v.valueText(s, row);
        return [h('dt', {}, t.label(row.item)), h('dd', { 'data-item': row.item.id, class: text === null ? 'muted' : null }, text ?? t.ui('not_answered'))];
      })),
      h('button', { type: 'button', onclick: () => v.onEdit(s.index) }, t.ui('edit')))),
    h('div', { class: 'nav' },
      h('button', { type: 'button', id: 'back', onclick: v.onBack }, t.ui('back')),
      h('button', { type: 'button', class: 'primary', id: 'submit', onclick: v.onSubmit }, t.ui('submit'))));
}

/**
 * The polite stop: which cell is full, by its labels, and a way back to the screening answers in case one was
 * entered wrongly (the full cell may not be the respondent's at all).
 */
export function renderStopped(texts: Texts, cells: ReadonlyArray<Readonly<Record<string, string>>>, onEnd: () => void, onCorrect: () => void): HTMLElement {
  return h('div', { class: 'card', id: 'stopped', role: 'alert' },
    h('p', {}, texts.ui('screening_closed')),
    cells.length > 0 ? h('ul', { id: 'full-cells' }, cells.map((c) => h('li', {}, texts.ui('quota_full_cell', { cell: texts.cell(c) })))) : null,
    h('p', { class: 'nav' },
      h('button', { type: 'button', id: 'correct-screening', onclick: onCorrect }, texts.ui('screening_correct')),
      h('button', { type: 'button', class: 'primary', id: 'end-interview', onclick: onEnd }, texts.ui('end_interview'))));
}
