/**
 * The console's home (served at /): after the one sign-in, what the user's role does, grouped as nav.ts groups it;
 * for interviewers their own uploads, for those who may export the data files.
 */
import type { ResponseList } from '../../schemas/generated/api.types.js';
import { bundles, type Language } from '../../schemas/labels.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { h } from '../render/dom.js';
import { CONSOLE_TEXTS, ctext, type ConsoleTextKey } from './console.texts.js';
import { EXPORT_ROLES, NAV_GROUPS, pagesFor } from './nav.js';
import { regionLabel } from './regions.js';
import { ApiError, saveBlob, startDashboard, type Dashboard } from './shell.js';

const titles = { en: CONSOLE_TEXTS.en.consoleTitle, ru: CONSOLE_TEXTS.ru.consoleTitle, kk: CONSOLE_TEXTS.kk.consoleTitle };
const EXPORTS = [{ format: 'csv', ext: 'csv' }, { format: 'xlsx', ext: 'xlsx' }, { format: 'sav', ext: 'sav' }, { format: 'dta', ext: 'dta' }] as const;

startDashboard(titles, (d, main) => {
  const lang = d.lang;
  const pages = pagesFor(d.me.role, d.me.regions);
  const groups = NAV_GROUPS.map((group) => ({ group, pages: pages.filter((p) => p.group === group) })).filter((g) => g.pages.length > 0);
  main.replaceChildren(h('div', { class: 'console-home' },
    ...groups.map(({ group, pages: inGroup }) => h('section', { class: 'card', id: `group-${group}` },
      h('h2', {}, ctext(lang, `group_${group}` as ConsoleTextKey)),
      h('ul', { class: 'console-links' }, ...inGroup.map((p) => h('li', {},
        h('a', { href: p.href, id: `home-${p.id}` }, ctext(lang, p.title)),
        h('span', { class: 'hint' }, ctext(lang, p.about))))))),
    EXPORT_ROLES.includes(d.me.role) ? exportsCard(d) : null,
    d.me.role === 'interviewer' ? uploadsCard(d) : null));
});

function exportsCard(d: Dashboard): HTMLElement {
  const lang = d.lang;
  const error = h('p', { class: 'error', role: 'alert', id: 'export-error' });
  const download = async (survey: SurveyId, format: string, ext: string) => {
    error.textContent = '';
    try {
      saveBlob(await d.blob(`/api/v1/surveys/${survey}/export?format=${format}&lang=${lang}`), `${survey}.${ext}`);
    } catch (e) {
      error.textContent = ctext(lang, 'exportFailed', { reason: e instanceof ApiError && e.code === 'network' ? e.message : (e as Error).message });
    }
  };
  return h('section', { class: 'card', id: 'exports' },
    h('h2', {}, ctext(lang, 'exports')),
    h('p', { class: 'hint' }, ctext(lang, 'exportsHint')),
    h('table', { class: 'numbers' }, h('tbody', {}, ...SURVEY_IDS.map((survey) => h('tr', {},
      h('th', { scope: 'row' }, bundles[lang].surveys[survey].title),
      h('td', {}, h('div', { class: 'export-buttons' }, ...EXPORTS.map(({ format, ext }) => h('button', {
        type: 'button', id: `export-${survey}-${format}`, onclick: () => void download(survey, format, ext),
      }, ctext(lang, `export_${format}` as ConsoleTextKey))))))))),
    error);
}

/** The interviewer's own uploads, per survey (the API scopes an interviewer's listing to their own responses). */
function uploadsCard(d: Dashboard): HTMLElement {
  const lang = d.lang;
  const body = h('div', {}, h('p', { class: 'loading' }, '…'));
  void Promise.all(SURVEY_IDS.map(async (survey) => ({
    survey, listed: await d.get<ResponseList>(`/api/v1/surveys/${survey}/responses?interviewer=${encodeURIComponent(d.me.username)}&limit=20`),
  }))).then((all) => {
    const shown = all.filter((a) => a.listed.items.length > 0);
    if (shown.length === 0) {
      body.replaceChildren(h('p', { id: 'uploads-none' }, ctext(lang, 'uploadsNone')));
      return;
    }
    body.replaceChildren(...shown.map(({ survey, listed }) => uploadsTable(lang, survey, listed)));
  }, (error: unknown) => body.replaceChildren(h('p', { class: 'error', role: 'alert' }, (error as Error).message)));
  return h('section', { class: 'card', id: 'uploads' }, h('h2', {}, ctext(lang, 'uploads')), body);
}

function uploadsTable(lang: Language, survey: SurveyId, listed: ResponseList): HTMLElement {
  // Newest first: the listing is oldest first, and an interviewer looks for what they just sent.
  const rows = [...listed.items].reverse();
  const count = listed.next ? `${rows.length}+` : String(rows.length);
  return h('div', { class: 'uploads', 'data-survey': survey },
    h('h3', {}, bundles[lang].surveys[survey].title),
    h('p', { class: 'hint' }, ctext(lang, 'uploadsCount', { n: count })),
    h('table', { class: 'numbers' },
      h('thead', {}, h('tr', {}, ...(['uploadsReceived', 'uploadsStatus', 'uploadsRegion'] as const).map((k) => h('th', { scope: 'col' }, ctext(lang, k))))),
      h('tbody', {}, ...rows.map((r) => h('tr', {},
        h('td', {}, new Date(r.receivedAt).toLocaleString(lang)),
        h('td', {}, ctext(lang, `status_${r.status}` as ConsoleTextKey)),
        h('td', {}, r.region ? regionLabel(lang, r.region) : '—'))))));
}
