/**
 * The console's navigation: every page once, with the text key of its name, the group it belongs to on the home
 * page, and the roles that may open it. The header shows each role only the pages it may open, the home page
 * groups them, and the shell refuses (in the user's language) a page opened anyway.
 *
 * Roles come from the access policy (server/domain/policy.ts), which the browser code may not import: `api` names
 * the policy key of what the page is for, and tests/unit/console-nav.test.ts fails when `roles` and that key's
 * roles differ. To add a page: one line here (and its title in pages.routes.ts DASHBOARDS).
 */
import type { Role } from '../../schemas/api.js';
import { SURVEY_IDS } from '../../schemas/surveys.js';
import type { ConsoleTextKey } from './console.texts.js';

export type NavGroup = 'work' | 'fieldwork' | 'analysis' | 'admin' | 'account';

export interface NavPage {
  /** The page's name: /dashboard/<id>, or form-<survey> for the forms. */
  id: string;
  href: string;
  title: ConsoleTextKey;
  about: ConsoleTextKey;
  group: NavGroup;
  roles: readonly Role[];
  /** The policy key the page's roles are those of (checked by a test); absent only where no route decides alone. */
  api?: string;
  /** What the page changes is national (the policy's `national`): not offered to anyone scoped to regions. */
  national?: boolean;
}

const ALL: readonly Role[] = ['interviewer', 'coordinator', 'analyst', 'admin'];
const SUBMIT: readonly Role[] = ['interviewer', 'coordinator', 'admin'];
const WATCH: readonly Role[] = ['coordinator', 'analyst', 'admin'];
const STAFF: readonly Role[] = ['coordinator', 'admin'];
const ADMIN: readonly Role[] = ['admin'];

const dashboard = (id: string, group: NavGroup, roles: readonly Role[], api?: string, national = false): NavPage => ({
  id, href: `/dashboard/${id}`, title: `page_${id}` as ConsoleTextKey, about: `about_${id}` as ConsoleTextKey, group, roles, ...(api ? { api } : {}), ...(national ? { national } : {}),
});

export const NAV: readonly NavPage[] = [
  ...SURVEY_IDS.map((s): NavPage => ({
    id: `form-${s}`, href: `/forms/${s}`, title: `page_form_${s}`, about: 'about_form', group: 'work', roles: SUBMIT, api: 'POST /api/v1/surveys/:survey/responses',
  })),
  dashboard('fieldwork', 'fieldwork', WATCH, 'GET /api/v1/surveys/:survey/fieldwork'),
  // The review page (issue 16): the staff who review, and analysts, who read the reviews (as its route allows).
  dashboard('review', 'fieldwork', WATCH, 'GET /api/v1/surveys/:survey/review'),
  dashboard('quotas', 'fieldwork', STAFF, 'PUT /api/v1/surveys/:survey/quotas', true),
  dashboard('margins', 'fieldwork', STAFF, 'PUT /api/v1/surveys/:survey/margins', true),
  dashboard('secondary', 'fieldwork', STAFF, 'PUT /api/v1/indicators/secondary', true),
  dashboard('concerns', 'fieldwork', STAFF, 'PUT /api/v1/social-concerns', true),
  dashboard('tallies', 'analysis', WATCH, 'GET /api/v1/surveys/:survey/tallies'),
  dashboard('indicators', 'analysis', WATCH, 'GET /api/v1/indicators'),
  dashboard('users', 'admin', ADMIN, 'GET /api/v1/users'),
  dashboard('tokens', 'admin', ADMIN, 'GET /api/v1/tokens'),
  dashboard('audit', 'admin', ADMIN, 'GET /api/v1/audit'),
  dashboard('account', 'account', ALL, 'POST /api/v1/me/password'),
];

/** The roles that may export data (the home page's export card): those of the export route. */
export const EXPORT_ROLES: readonly Role[] = WATCH;
export const EXPORT_API = 'GET /api/v1/surveys/:survey/export';

export const NAV_GROUPS: readonly NavGroup[] = ['work', 'fieldwork', 'analysis', 'admin', 'account'];

/** The pages a user may open: by role, and national settings only for those not scoped to regions. */
export function pagesFor(role: Role, regions: readonly string[] = []): NavPage[] {
  return NAV.filter((p) => p.roles.includes(role) && !(p.national && regions.length > 0));
}

export function navPage(id: string): NavPage | undefined {
  return NAV.find((p) => p.id === id);
}
