/**
 * What every console page shares: one sign-in (the session the forms use too, forms/app/session.ts), the header
 * with the navigation the user's role may open (nav.ts), the language switch (kk/ru/en, remembered with the form's)
 * and sign-out; API calls that send the token and turn a 401 back into the sign-in form; the request for a new
 * password when someone else chose the current one; and, for a page named in nav.ts, a refusal in the user's
 * language when their role may not open it. A page supplies its titles and a render function; it re-renders on a
 * language change.
 */
import { LANGUAGES, type Language } from '../../schemas/labels.js';
import { clearSession, readLanguage, readSession, saveLanguage, saveSession, type Session } from '../app/session.js';
import { h, replaceContent } from '../render/dom.js';
import { changePasswordForm } from './account-form.js';
import { ApiError, type Dashboard, type Me, type Render } from './dashboard-api.js';
import { ctext, roleName } from './console.texts.js';
import { problemText } from './errors.js';
import { navPage, pagesFor } from './nav.js';
import { text } from './texts.js';

/** Before one session served the whole site, the dashboards kept their own language here; still read once. */
const OLD_LANG_KEY = 'csi-dashboard-lang';
const LANGUAGE_NAMES: Record<Language, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

export { ApiError, type Dashboard, type Me, type Render } from './dashboard-api.js';

export interface DashboardOptions {
  /** The page's id in nav.ts: the shell refuses it, in the user's language, to a role nav.ts does not list. */
  page?: string;
}

async function initialLanguage(): Promise<Language> {
  const saved = (await readLanguage().catch(() => null)) ?? localStorage.getItem(OLD_LANG_KEY);
  if (saved && (LANGUAGES as readonly string[]).includes(saved)) return saved as Language;
  const browser = navigator.language.slice(0, 2);
  return (LANGUAGES as readonly string[]).includes(browser) ? (browser as Language) : 'en';
}

export function startDashboard(titles: Record<Language, string>, render: Render, options: DashboardOptions = {}): void {
  void start(titles, render, options);
}

async function start(titles: Record<Language, string>, render: Render, options: DashboardOptions): Promise<void> {
  const root = document.getElementById('app') as HTMLElement;
  let lang = await initialLanguage();
  let session: Session | null = await readSession().catch(() => null);
  let me: Me | null = null;
  let notice: string | null = null;
  const main = h('main', { id: 'main' });

  const signedOut = async () => {
    session = null;
    me = null;
    await clearSession().catch(() => undefined);
  };

  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (session) headers.set('authorization', `Bearer ${session.token}`);
    let res: Response;
    try {
      res = await fetch(path, { ...init, headers, cache: 'no-store' });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'network', problemText(lang, 0, undefined));
    }
    if (res.status === 401) {
      await signedOut();
      draw();
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string; details?: ApiError['details'] };
      // The server's messages are English and for developers: the page says it in the reader's language (errors.ts).
      throw new ApiError(res.status, body.code, problemText(lang, res.status, body.code), body.details ?? {});
    }
    return res;
  };
  const dashboard: Dashboard = {
    get lang() {
      return lang;
    },
    get me() {
      return me as Me;
    },
    get: async <T>(path: string) => (await (await request(path)).json()) as T,
    blob: async (path: string) => (await request(path)).blob(),
    open: (path: string, signal?: AbortSignal) => request(path, signal ? { signal } : {}),
    send: async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await request(path, {
        method, ...(body === undefined ? { headers } : { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
      });
      return (res.status === 204 ? null : await res.json()) as T;
    },
    adoptToken: async (token: string) => {
      if (!session) return;
      session = { ...session, token };
      await saveSession(session);
    },
    refresh: () => draw(),
  };

  function header(): HTMLElement {
    const langs = LANGUAGES.map((l) => h('button', {
      type: 'button', lang: l, 'aria-pressed': String(l === lang), id: `lang-${l}`,
      onclick: () => {
        lang = l;
        void saveLanguage(l).catch(() => undefined);
        document.documentElement.lang = l;
        draw();
      },
    }, LANGUAGE_NAMES[l]));
    const signOut = session ? h('button', {
      type: 'button', id: 'sign-out',
      onclick: async () => {
        const token = session?.token;
        await signedOut();
        if (token) await fetch('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
        draw();
      },
    }, text(lang, 'signOut')) : null;
    const here = options.page ?? '';
    // Until the user has chosen their own password, nothing else is offered.
    const links = me && !me.mustChangePassword ? [
      { id: 'home', href: '/', title: ctext(lang, 'page_home') },
      ...pagesFor(me.role, me.regions).map((p) => ({ id: p.id, href: p.href, title: ctext(lang, p.title) })),
    ] : [];
    const nav = links.length > 0 ? h('nav', { class: 'console-nav', 'aria-label': ctext(lang, 'navLabel') },
      h('ul', {}, ...links.map((l) => h('li', {}, h('a', { href: l.href, id: `nav-${l.id}`, ...(l.id === here ? { 'aria-current': 'page' } : {}) }, l.title))))) : null;
    const who = me ? h('span', { class: 'who', id: 'who' }, ctext(lang, 'signedInAs', { user: me.username, role: roleName(lang, me.role) })) : null;
    return h('header', { class: 'topbar console-header' },
      h('span', { class: 'title' }, titles[lang]),
      who,
      h('div', { class: 'langs', role: 'group', 'aria-label': ctext(lang, 'langLabel') }, ...langs),
      signOut,
      nav);
  }

  function loginForm(): HTMLElement {
    const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
    const form = h('form', { id: 'login', class: 'card' },
      h('h1', {}, text(lang, 'signIn')),
      h('label', { class: 'field', for: 'username' }, text(lang, 'username')),
      h('input', { type: 'text', id: 'username', autocomplete: 'username', required: true }),
      h('label', { class: 'field', for: 'password' }, text(lang, 'password')),
      h('input', { type: 'password', id: 'password', autocomplete: 'current-password', required: true }),
      h('p', {}, h('button', { type: 'submit', class: 'primary' }, text(lang, 'signIn'))),
      error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const username = (document.getElementById('username') as HTMLInputElement).value;
      const password = (document.getElementById('password') as HTMLInputElement).value;
      try {
        const res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
        const body = (await res.json().catch(() => ({}))) as { token?: string };
        if (!res.ok || !body.token) {
          error.textContent = text(lang, 'badLogin');
          return;
        }
        session = { id: 'session', token: body.token, username };
        await saveSession(session);
        draw();
      } catch {
        error.textContent = text(lang, 'offline');
      }
    });
    return form;
  }

  /** The page itself, or what stands in its way: a password to choose, or a role that may not open it. */
  function content(user: Me): HTMLElement {
    if (user.mustChangePassword) {
      return h('div', { class: 'console-page' }, changePasswordForm(dashboard, {
        required: true,
        onChanged: () => {
          user.mustChangePassword = false;
          notice = ctext(lang, 'pwChanged');
          const next = new URLSearchParams(location.search).get('next');
          // Only a path of this site: never an address elsewhere.
          if (next && /^\/[a-z]/.test(next)) location.assign(next);
          else draw();
        },
      }));
    }
    const page = options.page ? navPage(options.page) : undefined;
    if (page && !pagesFor(user.role, user.regions).includes(page)) {
      document.title = `${ctext(lang, 'forbiddenTitle')} · CSI`;
      return h('section', { class: 'card', id: 'forbidden' },
        h('h1', {}, ctext(lang, 'forbiddenTitle')),
        h('p', { class: 'error' }, ctext(lang, 'forbidden', { role: roleName(lang, user.role) })),
        h('p', {}, h('a', { href: '/' }, ctext(lang, 'backHome'))));
    }
    render(dashboard, main);
    return main;
  }

  function draw(): void {
    document.documentElement.lang = lang;
    document.title = `${titles[lang]} · CSI`;
    if (!session) {
      replaceContent(root, h('div', { class: 'dashboard' }, header(), loginForm()));
      return;
    }
    if (!me) {
      replaceContent(root, h('div', { class: 'dashboard' }, header(), h('p', { class: 'loading' }, '…')));
      void dashboard.get<Me>('/api/v1/me').then((user) => {
        me = user;
        draw();
      }, (error: unknown) => {
        // A 401 has already signed out and redrawn; anything else is said where the page would be.
        if (session) replaceContent(root, h('div', { class: 'dashboard' }, header(), h('p', { class: 'card error', role: 'alert' }, (error as Error).message)));
      });
      return;
    }
    const notices = h('div', { id: 'admin-notices' });
    const said = notice ? h('p', { class: 'card notice', role: 'status', id: 'console-notice' }, notice) : null;
    notice = null;
    const body = content(me);
    replaceContent(root, h('div', { class: 'dashboard' }, header(), notices, said, body));
    void transportNotice(notices);
  }

  /** For admins: /healthz's warning that the app is served over plain HTTP to other devices (no offline form). */
  async function transportNotice(into: HTMLElement): Promise<void> {
    try {
      if (me?.role !== 'admin') return;
      const health = (await (await fetch('/healthz', { cache: 'no-store' })).json()) as { warning?: { code: string } };
      if (health.warning?.code !== 'plain_http') return;
      into.replaceChildren(h('p', { class: 'card warning', id: 'transport-warning', role: 'status' }, text(lang, 'plainHttp', { host: location.host })));
    } catch {
      // No connection: nothing to say about the transport.
    }
  }

  draw();
}

/** Hands a downloaded file to the browser under a name. */
export function saveBlob(blob: Blob, filename: string): void {
  const link = h('a', { href: URL.createObjectURL(blob), download: filename });
  document.body.append(link);
  link.click();
  link.remove();
}

/** An SVG document (as the charts and the Diamond are built) as a node of this page. */
export function svgNode(svg: string): Node {
  return document.importNode(new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement, true);
}
