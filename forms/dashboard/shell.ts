/**
 * What every dashboard shares: sign-in (the token lives in sessionStorage, so closing the browser signs out), the
 * top bar with the language switch (kk/ru/en, remembered), and API calls that send the token and turn a 401 back
 * into the sign-in form. A dashboard supplies its title and a render function; it re-renders on a language change.
 */
import { LANGUAGES, type Language } from '../../schemas/labels.js';
import { h, replaceContent } from '../render/dom.js';
import { isNetworkFailure, problemText } from './errors.js';
import { text } from './texts.js';

const TOKEN_KEY = 'csi-dashboard-token';
const LANG_KEY = 'csi-dashboard-lang';
const LANGUAGE_NAMES: Record<Language, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

/**
 * A failed call: `message` is for the person at the screen, in their language (errors.ts); `details` is the
 * problem's own (validation errors with their paths), for a page that marks the fields concerned.
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, message: string, readonly details?: unknown) {
    super(message);
  }
}

export interface Dashboard {
  lang: Language;
  /** GET a JSON resource of the API. */
  get<T>(path: string): Promise<T>;
  /** GET a resource as a Blob (downloads). */
  blob(path: string): Promise<Blob>;
  /** GET a resource as the raw Response, for streams read as they arrive (the event stream). */
  open(path: string, signal?: AbortSignal): Promise<Response>;
  /** Re-render the page (after a state change). */
  refresh(): void;
}

export type Render = (dashboard: Dashboard, main: HTMLElement) => void;

function initialLanguage(): Language {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved && (LANGUAGES as readonly string[]).includes(saved)) return saved as Language;
  const browser = navigator.language.slice(0, 2);
  return (LANGUAGES as readonly string[]).includes(browser) ? (browser as Language) : 'en';
}

export function startDashboard(titles: Record<Language, string>, render: Render): void {
  const root = document.getElementById('app') as HTMLElement;
  let lang = initialLanguage();
  const main = h('main', { id: 'main' });

  const request = async (path: string, signal?: AbortSignal): Promise<Response> => {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store', ...(signal ? { signal } : {}) }).catch((error: unknown) => {
      if (isNetworkFailure(error) && !signal?.aborted) throw new ApiError(0, undefined, problemText(lang, 0, undefined));
      throw error;
    });
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      draw();
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { code?: string; details?: unknown };
      throw new ApiError(res.status, body.code, problemText(lang, res.status, body.code), body.details);
    }
    return res;
  };
  const dashboard: Dashboard = {
    get lang() {
      return lang;
    },
    get: async <T>(path: string) => (await (await request(path)).json()) as T,
    blob: async (path: string) => (await request(path)).blob(),
    open: (path: string, signal?: AbortSignal) => request(path, signal),
    refresh: () => draw(),
  };

  function topbar(signedIn: boolean): HTMLElement {
    const langs = LANGUAGES.map((l) => h('button', {
      type: 'button', lang: l, 'aria-pressed': String(l === lang), id: `lang-${l}`,
      onclick: () => {
        lang = l;
        localStorage.setItem(LANG_KEY, l);
        document.documentElement.lang = l;
        draw();
      },
    }, LANGUAGE_NAMES[l]));
    const signOut = signedIn ? h('button', {
      type: 'button', id: 'sign-out',
      onclick: async () => {
        const token = sessionStorage.getItem(TOKEN_KEY);
        sessionStorage.removeItem(TOKEN_KEY);
        if (token) await fetch('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
        draw();
      },
    }, text(lang, 'signOut')) : null;
    return h('header', { class: 'topbar' }, h('span', { class: 'title' }, titles[lang]), h('nav', { class: 'langs', 'aria-label': text(lang, 'language') }, ...langs), signOut);
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
        sessionStorage.setItem(TOKEN_KEY, body.token);
        draw();
      } catch {
        error.textContent = text(lang, 'offline');
      }
    });
    return form;
  }

  function draw(): void {
    document.documentElement.lang = lang;
    document.title = `${titles[lang]} · CSI`;
    const signedIn = sessionStorage.getItem(TOKEN_KEY) !== null;
    if (!signedIn) {
      replaceContent(root, h('div', { class: 'dashboard' }, topbar(false), loginForm()));
      return;
    }
    const notice = h('div', { id: 'admin-notices' });
    replaceContent(root, h('div', { class: 'dashboard' }, topbar(true), notice, main));
    void transportNotice(notice);
    render(dashboard, main);
  }

  /** For admins: /healthz's warning that the app is served over plain HTTP to other devices (no offline form). */
  async function transportNotice(into: HTMLElement): Promise<void> {
    try {
      const me = await dashboard.get<{ role?: string }>('/api/v1/me');
      if (me.role !== 'admin') return;
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
