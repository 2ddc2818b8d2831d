/**
 * The interviewer app: wires the form model, the renderer and the offline layer together (one bundle per survey,
 * built by server/http/pages.routes.ts). Drafts are saved to IndexedDB after every answer; completed interviews
 * go to the outbox and are uploaded whenever there is a connection. Screens are drawn from state on navigation;
 * an answer only patches the page (see onAnswer), so taps and the caret are never lost.
 */
import { isLanguage, type Language } from '../../schemas/labels.js';
import type { Item } from '../../schemas/items.js';
import type { SurveyId } from '../../schemas/surveys.js';
import { toValidator, type RawValidate, type Validator } from '../../schemas/validation.js';
import type { ValidationError } from '../../schemas/validation-errors.js';
import { isSpecial } from '../model/answer-input.js';
import { draftVersion, newDraft, type Draft } from '../model/draft.js';
import { newId } from '../model/ids.js';
import { chooseVersion } from '../model/version-choice.js';
import { FormModel, type ReviewSection, type ScreeningCheck } from '../model/form-model.js';
import type { Page } from '../model/pages.js';
import { returnedText } from '../model/returned.texts.js';
import { Texts } from '../model/texts.js';
import { IdbStore, openDb } from '../offline/idb.js';
import { Outbox, type OutboxEntry, type SyncStatus } from '../offline/outbox.js';
import { registerServiceWorker } from '../offline/sw-register.js';
import { h, replaceContent } from '../render/dom.js';
import { patchBlocks, syncItem, type QuestionContext } from '../render/question.render.js';
import { insecureNotice, syncPageState, renderHome, renderLogin, renderPage, renderReview, renderStopped, renderTopBar, syncLine } from '../render/screens.render.js';
import type { SocialConcerns } from '../../schemas/concerns.js';
import { fetchConcerns } from './concerns.js';
import { fetchQuotaStatus, releaseQuota, screenQuota, type Derive, type QuotaStatus } from './quota-check.js';
import { fetchServerVersions } from './questionnaire-version.js';
import { fetchReturned, type ReturnedInterview } from './returned.js';
import { login, logout, upload, type Session } from './session.js';
import { APP_VERSION } from './version.js';

interface Setting {
  id: string;
  value: string;
}

type Screen = 'login' | 'home' | 'interview' | 'stopped';

const QUOTA_STATUS = 'quota-status';
/** The social concerns as last fetched (for the impact questions offline). */
const CONCERNS = 'social-concerns';
/** The questionnaire version new interviews use, as last learned from the server. */
const NEW_VERSION = 'questionnaire-version';

/** The standalone validators of every version this bundle carries, and the version it was built with as current. */
export interface FormVersions {
  validators: Readonly<Record<string, RawValidate>>;
  current: string;
}

const RETURNED = 'returned';

export interface FormAppOptions {
  /** Issue 6 (quotas) plugs in here: asked after the screening section whether the respondent's cell is open. */
  screeningCheck?: ScreeningCheck;
  /** The survey's derived variables, for quota cells on them (the population bundle passes its own; kept out of the others). */
  derive?: Derive;
}

interface Stores {
  drafts: IdbStore<Draft>;
  outbox: IdbStore<OutboxEntry>;
  settings: IdbStore<Setting | Session>;
}

export function startFormApp(survey: SurveyId, versions: FormVersions, options: FormAppOptions = {}): void {
  const root = document.getElementById('app');
  if (!root) throw new Error('no #app element');
  void new FormApp(root, survey, versions, options).start();
}

class FormApp {
  private lang: Language = 'ru';
  private screen: Screen = 'login';
  private session: Session | null = null;
  private model: FormModel | null = null;
  private sync: SyncStatus | null = null;
  private drafts: Draft[] = [];
  private quotaStatus: QuotaStatus | null = null;
  private concerns: SocialConcerns | null = null;
  private rejected: Array<{ id: string; error: string | null }> = [];
  private pending: OutboxEntry[] = [];
  /** Returned and rejected interviews of the interviewer logged in, as last fetched (kept for offline use). */
  private returned: ReturnedInterview[] = [];
  private showErrors = false;
  private reviewErrors: ValidationError[] = [];
  /** Worded at render time, so a language switch rewords it too. */
  private loginError: ((t: Texts) => string) | null = null;
  private logoutPending: { count: number; afterTry: boolean } | null = null;
  private notice: string | null = null;
  private saving: Promise<void> = Promise.resolve();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stores!: Stores;
  private outbox!: Outbox;
  private readonly validators: Readonly<Record<string, Validator>>;
  /** The questionnaire version new interviews use; an open interview keeps its own (its draft's). */
  private version: string;

  constructor(private readonly root: HTMLElement, private readonly survey: SurveyId, private readonly versions: FormVersions, private readonly options: FormAppOptions) {
    this.validators = Object.fromEntries(Object.entries(versions.validators).map(([v, raw]) => [v, toValidator(survey, raw)]));
    this.version = versions.current;
  }

  private get texts(): Texts {
    return new Texts(this.lang, this.survey, this.model ? draftVersion(this.model.draft) : this.version, this.concerns);
  }

  async start(): Promise<void> {
    const db = await openDb();
    this.stores = { drafts: new IdbStore(db, 'drafts'), outbox: new IdbStore(db, 'outbox'), settings: new IdbStore(db, 'settings') };
    this.outbox = new Outbox(this.stores.outbox, (e) => this.send(e), Date.now, (s) => this.onSyncStatus(s), (e) => this.mine(e.owner));
    const [session, lang, sync] = await Promise.all([this.stores.settings.get('session'), this.stores.settings.get('language'), this.outbox.status()]);
    this.session = (session as Session | undefined) ?? null;
    const known = (await this.stores.settings.get(NEW_VERSION)) as Setting | undefined;
    this.version = chooseVersion(null, Object.keys(this.validators), this.versions.current, known?.value).version;
    const cached = (await this.stores.settings.get(QUOTA_STATUS)) as Setting | undefined;
    this.quotaStatus = cached ? (JSON.parse(cached.value) as QuotaStatus) : null;
    const concerns = (await this.stores.settings.get(CONCERNS)) as Setting | undefined;
    this.concerns = concerns ? (JSON.parse(concerns.value) as SocialConcerns | null) : null;
    const returned = (await this.stores.settings.get(`${RETURNED}-${this.survey}`)) as (Setting & { owner?: string }) | undefined;
    this.returned = returned && returned.owner === this.session?.username ? (JSON.parse(returned.value) as ReturnedInterview[]) : [];
    await this.loadDrafts();
    const preferred = (lang as Setting | undefined)?.value ?? navigator.language.slice(0, 2);
    if (isLanguage(preferred)) this.lang = preferred;
    this.sync = sync;
    this.screen = this.session ? 'home' : 'login';
    this.render();
    performance.mark('csi:first-render');
    window.addEventListener('online', () => {
      void this.flush(true).then(() => this.syncReturned());
      void this.syncQuotaStatus();
      void this.syncConcerns();
      void this.syncVersion();
    });
    void this.syncQuotaStatus();
    void this.syncConcerns();
    void this.syncVersion();
    void this.syncReturned();
    window.addEventListener('offline', () => this.render());
    void registerServiceWorker([location.pathname, '/assets/app.css', `/assets/form-${this.survey}.js`]);
    void this.flush(true);
  }

  // ---- sync ----

  /** Keeps the latest quota status for screening offline (which cells were full when last online). */
  private async syncQuotaStatus(): Promise<void> {
    const status = await fetchQuotaStatus(this.survey, this.session?.token);
    if (!status) return;
    this.quotaStatus = status;
    await this.stores.settings.put({ id: QUOTA_STATUS, value: JSON.stringify(status) });
  }

  /** Keeps the social concerns the impact questions name, for interviews offline; an open screen is redrawn with them. */
  private async syncConcerns(): Promise<void> {
    const published = await fetchConcerns(this.session?.token);
    if (!published || JSON.stringify(published.concerns) === JSON.stringify(this.concerns)) return;
    this.concerns = published.concerns;
    await this.stores.settings.put({ id: CONCERNS, value: JSON.stringify(published.concerns) });
    // Not under an open interview (a redraw would take the caret): its next page reads them.
    if (this.screen === 'home') this.render();
  }

  /**
   * Asks the server which questionnaire version is current, for new interviews. A version newer than this bundle
   * needs the new bundle: the page reloads once, from the home screen only (an open interview is never interrupted;
   * drafts live in IndexedDB and the new bundle still carries their versions).
   */
  private async syncVersion(): Promise<void> {
    const server = await fetchServerVersions(this.survey, this.session?.token);
    if (!server) return;
    const { version, update } = chooseVersion(server, Object.keys(this.validators), this.versions.current, this.version);
    if (update && this.screen === 'home' && sessionStorage.getItem(`csi-reloaded-for-${server.current}`) === null) {
      sessionStorage.setItem(`csi-reloaded-for-${server.current}`, '1');
      // Uploads first: nothing would be lost (the outbox is in IndexedDB), but they need not wait for the reload.
      await this.flush(true);
      location.reload();
      return;
    }
    if (version === this.version) return;
    this.version = version;
    await this.stores.settings.put({ id: NEW_VERSION, value: version });
    if (this.screen === 'home') this.render();
  }

  /**
   * Fetches what coordinators returned or rejected, and keeps it (under its owner: a shared tablet shows each
   * interviewer only theirs). Offline the kept list stands, so a returned interview can be fixed without a connection.
   */
  private async syncReturned(): Promise<void> {
    const owner = this.session?.username;
    const list = await fetchReturned(this.survey, this.session?.token);
    if (!list || owner !== this.session?.username) return;
    this.returned = list;
    await this.stores.settings.put({ id: `${RETURNED}-${this.survey}`, value: JSON.stringify(list), owner } as Setting);
    if (this.screen === 'home') this.render();
  }

  /** Reopens a returned interview as a draft under its own id, on the review page, to be fixed and sent again. */
  private fix(id: string): void {
    const r = this.returned.find((x) => x.id === id && x.status === 'has_issues');
    if (!r) return;
    const language = isLanguage(r.meta.language) ? r.meta.language : this.lang;
    const draft: Draft = {
      ...newDraft(r.id, this.survey, language, new Date(), this.session?.username, r.questionnaireVersion),
      answers: structuredClone(r.answers), startedAt: r.meta.startedAt, sectionDurations: { ...(r.meta.sectionDurations ?? {}) }, returned: true,
    };
    this.save(draft);
    this.open(draft);
    this.model?.goTo(this.model.pages.length);
    this.render();
  }

  /** Whether something owned by `owner` belongs to the interviewer logged in (unowned: anyone's). */
  private mine(owner: string | undefined): boolean {
    return owner === undefined || owner === this.session?.username;
  }

  private send(entry: OutboxEntry): Promise<{ status: number; message?: string }> {
    if (!this.session) return Promise.resolve({ status: 401 });
    return upload(entry, this.session.token);
  }

  /** Uploads what is due, one tab at a time, then schedules the next retry. */
  private async flush(force: boolean): Promise<void> {
    const run = () => this.outbox.flush(force);
    if (navigator.locks) await navigator.locks.request('csi-outbox', run);
    else await run();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const due = await this.outbox.nextDue();
    if (due !== null) this.retryTimer = setTimeout(() => void this.flush(false), Math.max(500, due - Date.now()));
  }

  private onSyncStatus(status: SyncStatus): void {
    const changed = status.rejected !== this.sync?.rejected || status.pending !== this.sync?.pending;
    this.sync = status;
    // An expired or revoked session: ask for a login, except in the middle of an interview (it can wait).
    if (status.needsLogin && this.session && this.screen === 'home') {
      this.session = null;
      void this.stores.settings.delete('session');
      this.loginError = (t) => t.ui('sync_login');
      this.screen = 'login';
      this.render();
      return;
    }
    if (this.screen === 'home') {
      if (changed) void this.loadDrafts().then(() => this.render());
      else this.render();
      return;
    }
    document.getElementById('sync-status')?.replaceWith(syncLine(this.texts, status, navigator.onLine));
  }

  // ---- drafts ----

  private async loadDrafts(): Promise<void> {
    const [all, outbox] = await Promise.all([this.stores.drafts.all(), this.stores.outbox.all()]);
    this.drafts = all.filter((d) => d.survey === this.survey && this.mine(d.interviewer)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    // Only this interviewer's: on a shared tablet, someone else's refused interview is not theirs to fix.
    this.rejected = outbox.filter((e) => e.state === 'rejected' && this.mine(e.owner)).map((e) => ({ id: e.id, error: e.lastError }));
    this.pending = outbox.filter((e) => e.state === 'pending' && e.survey === this.survey && this.mine(e.owner)).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  }

  /** Saves are chained, so they reach IndexedDB in the order the answers were given. */
  private save(draft: Draft): void {
    const copy = structuredClone(draft);
    this.saving = this.saving.then(() => this.stores.drafts.put(copy)).catch(() => undefined);
  }

  private open(draft: Draft): void {
    const screeningCheck = this.options.screeningCheck ?? ((d: Readonly<Draft>) => screenQuota(this.survey, d, this.session?.token, this.quotaStatus, this.options.derive));
    // Each interview is validated in its own version (a bundle without it falls back to the current one's rules).
    const validate = this.validators[draftVersion(draft)] ?? (this.validators[this.versions.current] as Validator);
    // A returned interview was screened when it was conducted; the server re-matches its quota cells on resubmission.
    this.model = new FormModel(draft, { validate, ...(draft.returned ? {} : { screeningCheck }), onChange: (d) => this.save(d) });
    this.showErrors = false;
    this.reviewErrors = [];
    this.notice = null;
    this.screen = draft.stopped ? 'stopped' : 'interview';
    this.render();
    this.focusHeading();
  }

  private async close(discard: boolean): Promise<void> {
    const model = this.model;
    this.model = null;
    await this.saving;
    if (model && discard) {
      await this.stores.drafts.delete(model.draft.id);
      releaseQuota(this.survey, model.draft.id, this.session?.token);
    }
    this.screen = 'home';
    await this.loadDrafts();
    this.render();
    void this.syncVersion();
  }

  // ---- events ----

  private setLanguage(lang: Language): void {
    this.lang = lang;
    void this.stores.settings.put({ id: 'language', value: lang });
    this.model?.setLanguage(lang);
    this.render();
  }

  private async doLogin(username: string, password: string): Promise<void> {
    const result = await login(username, password);
    if (!result.ok) {
      const { reason, problem } = result;
      this.loginError = (t) => (reason === 'credentials' ? t.ui('login_failed') : reason === 'offline' ? t.ui('login_offline') : t.problem(problem ?? 'network'));
      this.render();
      return;
    }
    this.session = result.session;
    this.loginError = null;
    await this.stores.settings.put(result.session);
    // Someone else chose this password: the console asks for a new one, then comes back here.
    if (result.mustChangePassword) {
      location.assign(`/dashboard/account?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    this.outbox.loggedIn();
    void this.syncQuotaStatus();
    void this.syncConcerns();
    void this.syncVersion();
    this.returned = [];
    void this.syncReturned();
    this.screen = 'home';
    await this.loadDrafts();
    this.render();
    void this.flush(true);
  }

  /** Logging out with interviews waiting asks first, offering to upload them (they would wait for the next login). */
  private async askLogout(): Promise<void> {
    const { pending } = await this.outbox.status();
    if (pending === 0) return this.doLogout();
    this.logoutPending = { count: pending, afterTry: false };
    this.render();
  }

  private async uploadThenLogout(): Promise<void> {
    await this.flush(true);
    const { pending } = await this.outbox.status();
    if (pending === 0) return this.doLogout();
    this.logoutPending = { count: pending, afterTry: true };
    await this.loadDrafts();
    this.render();
  }

  private async doLogout(): Promise<void> {
    this.logoutPending = null;
    if (this.session) await logout(this.session);
    this.session = null;
    await this.stores.settings.delete('session');
    this.screen = 'login';
    this.render();
  }

  /**
   * An answer is saved and the page patched, never redrawn: a follow-up is inserted or removed, the answered
   * item's controls show its value, and everything else stays (a redraw between touch and click loses the tap).
   */
  private onAnswer(item: Item, value: unknown): void {
    const model = this.model;
    const page = model?.currentPage;
    if (!model || !page) return;
    model.setAnswer(item.id, value);
    const questions = document.getElementById('questions');
    if (!questions) return;
    const ctx = this.questionContext(model, page);
    patchBlocks(questions, model.visibleBlocks(page), ctx);
    syncItem(questions, item, ctx);
    const { step, steps } = model.progress();
    syncPageState(this.root, this.texts, step, steps, ctx.errors.size);
  }

  private questionContext(model: FormModel, page: Page): QuestionContext {
    const errors = new Map<string, string>();
    if (this.showErrors) for (const e of model.pageErrors(page, this.lang)) if (e.item && !errors.has(e.item)) errors.set(e.item, e.message);
    // answers is read live: controls drawn earlier see the answers given since (a second tap on "don't know" clears it).
    return { texts: this.texts, get answers() { return model.answers; }, errors, required: (i) => model.isRequired(i), onAnswer: (i, v) => this.onAnswer(i, v) };
  }

  private correctScreening(): void {
    this.model?.reopenScreening();
    this.showErrors = false;
    this.screen = 'interview';
    this.render();
    this.focusHeading();
  }

  private async next(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const result = await model.next(this.lang);
    if (result.stopped) this.screen = 'stopped';
    this.showErrors = !result.moved && !result.stopped;
    this.render();
    if (this.showErrors) this.focusFirstError();
    else this.focusHeading();
  }

  private async submit(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const completion = model.complete(this.lang, { appVersion: APP_VERSION, device: navigator.userAgent });
    if (!completion.ok) {
      this.reviewErrors = completion.errors;
      this.render();
      return;
    }
    await this.saving;
    // Completed (or discarded) in another tab meanwhile: the first submission stands, this one is not queued.
    const elsewhere = (await this.stores.drafts.get(model.draft.id)) === undefined;
    if (!elsewhere) await this.outbox.enqueue(this.survey, completion.submission, model.draft.interviewer);
    if (model.draft.returned) {
      // Sent back (or waiting in the outbox): no longer one to fix.
      this.returned = this.returned.filter((r) => r.id !== model.draft.id);
      await this.stores.settings.put({ id: `${RETURNED}-${this.survey}`, value: JSON.stringify(this.returned), owner: this.session?.username } as Setting);
    }
    await this.close(true);
    this.notice = this.texts.ui(elsewhere ? 'already_submitted' : 'submitted');
    this.render();
    void this.flush(true);
  }

  // ---- rendering ----

  private render(): void {
    document.documentElement.lang = this.lang;
    // Installed to the home screen, the form is named in the interviewer's language.
    document.querySelector('link[rel=manifest]')?.setAttribute('href', `/assets/manifest-${this.survey}-${this.lang}.webmanifest`);
    document.title = `${this.texts.title()} · CSI`;
    const bar = renderTopBar({ texts: this.texts, sync: this.session ? this.sync : null, online: navigator.onLine, onLanguage: (l) => this.setLanguage(l), onSyncNow: () => void this.flush(true) });
    // Plain HTTP beyond localhost: no service worker, so no offline work (say so on the screens outside an interview).
    const warn = !window.isSecureContext && (this.screen === 'login' || this.screen === 'home') ? insecureNotice(this.texts) : null;
    const fixing = this.screen === 'interview' && this.model?.draft.returned ? h('p', { class: 'card', id: 'fixing-notice' }, returnedText(this.lang, 'returned_fixing')) : null;
    replaceContent(this.root, bar, h('main', { id: 'main' }, warn, fixing, this.screenContent()));
  }

  private screenContent(): HTMLElement {
    const t = this.texts;
    switch (this.screen) {
      case 'login':
        return renderLogin(t, this.loginError?.(t) ?? null, (u, p) => void this.doLogin(u, p));
      case 'home':
        return this.homeContent();
      case 'stopped':
        return renderStopped(t, this.model?.draft.fullCells ?? [], () => void this.close(true), () => this.correctScreening());
      case 'interview':
        return this.interviewContent();
    }
  }

  private homeContent(): HTMLElement {
    return renderHome({
      texts: this.texts,
      username: this.session?.username ?? '',
      drafts: this.drafts,
      version: this.version,
      notice: this.notice,
      rejected: this.rejected,
      pending: this.pending.map((e) => ({ id: e.id, queuedAt: e.queuedAt, attempts: e.attempts })),
      // One being fixed is listed as a draft (or an upload) instead.
      returned: this.returned.filter((r) => r.status === 'has_issues' && !this.drafts.some((d) => d.id === r.id) && !this.pending.some((e) => e.id === r.id))
        .map((r) => ({ id: r.id, receivedAt: r.receivedAt, comment: r.comment })),
      closed: this.returned.filter((r) => r.status === 'rejected').map((r) => ({ id: r.id, receivedAt: r.receivedAt, comment: r.comment })),
      onFix: (id) => this.fix(id),
      onNew: () => this.open(newDraft(newId(), this.survey, this.lang, new Date(), this.session?.username, this.version)),
      onResume: (id) => {
        const draft = this.drafts.find((d) => d.id === id);
        if (draft) this.open(draft);
      },
      onDiscard: (id) => {
        if (!confirm(this.texts.ui('discard_confirm'))) return;
        releaseQuota(this.survey, id, this.session?.token);
        void this.stores.drafts.delete(id).then(() => this.loadDrafts()).then(() => this.render());
      },
      onSyncNow: () => void this.flush(true),
      onLogout: () => void this.askLogout(),
      logoutPending: this.logoutPending,
      onLogoutUpload: () => void this.uploadThenLogout(),
      onLogoutAnyway: () => void this.doLogout(),
      onLogoutCancel: () => {
        this.logoutPending = null;
        this.render();
      },
    });
  }

  private interviewContent(): HTMLElement {
    const model = this.model;
    if (!model) return h('p', {}, '');
    const { step, steps } = model.progress();
    const page = model.currentPage;
    if (!page) {
      return renderReview({
        texts: this.texts, sections: model.review(), errors: this.reviewErrors, step, steps,
        valueText: (_s: ReviewSection, row) => this.valueText(row.item, row.value),
        onEdit: (index) => {
          model.goTo(index);
          this.render();
          this.focusHeading();
        },
        onBack: () => {
          model.back();
          this.render();
        },
        onSubmit: () => void this.submit(),
      });
    }
    const question = this.questionContext(model, page);
    return renderPage({
      texts: this.texts, sectionId: page.id, blocks: model.visibleBlocks(page), step, steps,
      isLast: model.draft.page === model.pages.length - 1, canGoBack: model.draft.page > 0, showSummary: question.errors.size > 0,
      question,
      onBack: () => {
        model.back();
        this.showErrors = false;
        this.render();
        this.focusHeading();
      },
      onNext: () => void this.next(),
      onHome: () => void this.close(false),
    });
  }

  private valueText(item: Item, value: unknown): string | null {
    if (value === undefined) return null;
    if (item.kind === 'choice' || isSpecial(value)) return this.texts.option(item, value);
    return String(value);
  }

  private focusHeading(): void {
    const heading = this.root.querySelector('h1');
    if (!heading) return;
    heading.setAttribute('tabindex', '-1');
    heading.focus();
    window.scrollTo(0, 0);
  }

  private focusFirstError(): void {
    const target = this.root.querySelector<HTMLElement>('.invalid input, .invalid textarea, .invalid button');
    target?.focus();
  }
}
