/**
 * Who may call what: one table, applied by one middleware. Every route the app serves has an entry (the app
 * refuses to start otherwise, and a test derives the full route x role matrix from this table). Row-level scope
 * (own responses, regions) is in access.ts.
 */
import { ROLES, type Role } from '../../schemas/api.js';

export type RouteKey = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

export interface RoutePolicy {
  /** Roles allowed; 'public' routes need no authentication at all. */
  allow: readonly Role[] | 'public';
  /** Whether the route writes (rate-limited per token). */
  write?: boolean;
  /**
   * The route changes something national (a quota plan, margins, secondary data), which no region scope covers:
   * a region-scoped coordinator gets "not found" (404.9), as for any write outside their scope.
   */
  national?: boolean;
}

const ALL = ROLES;
const STAFF: readonly Role[] = ['coordinator', 'admin'];

export const POLICY = {
  'GET /healthz': { allow: 'public' },
  'GET /openapi.json': { allow: 'public' },
  'POST /api/v1/auth/login': { allow: 'public', write: true },
  'POST /api/v1/auth/logout': { allow: ALL, write: true },
  'GET /api/v1/me': { allow: ALL },
  // Everyone changes their own password (the current one is checked, like a login); admins reset anyone's.
  'POST /api/v1/me/password': { allow: ALL, write: true },
  'GET /api/v1/surveys': { allow: ALL },
  'GET /api/v1/surveys/:survey/schema': { allow: ALL },
  'POST /api/v1/surveys/:survey/responses': { allow: ['interviewer', 'coordinator', 'admin'], write: true },
  'GET /api/v1/surveys/:survey/responses': { allow: ALL },
  'GET /api/v1/surveys/:survey/responses/:id': { allow: ALL },
  'GET /api/v1/surveys/:survey/responses/:id/revisions': { allow: ALL },
  'PATCH /api/v1/surveys/:survey/responses/:id': { allow: STAFF, write: true },
  // The review screen's reads: coordinators and admins act on what they read; analysts read only.
  'GET /api/v1/surveys/:survey/review': { allow: ['coordinator', 'analyst', 'admin'] },
  'GET /api/v1/surveys/:survey/review/:id': { allow: ['coordinator', 'analyst', 'admin'] },
  'GET /api/v1/surveys/:survey/export': { allow: ['coordinator', 'analyst', 'admin'] },
  'GET /api/v1/surveys/:survey/paradata': { allow: ['coordinator', 'analyst', 'admin'] },
  'GET /api/v1/surveys/:survey/margins': { allow: ['coordinator', 'analyst', 'admin'] },
  'PUT /api/v1/surveys/:survey/margins': { allow: STAFF, write: true, national: true },
  'GET /api/v1/surveys/:survey/tallies': { allow: ['coordinator', 'analyst', 'admin'] },
  // Quotas: staff set plans; whoever submits screens (and gives a reservation back); staff and analysts watch.
  'GET /api/v1/surveys/:survey/quotas': { allow: ALL },
  'PUT /api/v1/surveys/:survey/quotas': { allow: STAFF, write: true, national: true },
  'GET /api/v1/surveys/:survey/quotas/versions': { allow: ['coordinator', 'analyst', 'admin'] },
  'POST /api/v1/surveys/:survey/quotas/allocation': { allow: STAFF },
  'POST /api/v1/surveys/:survey/quotas/screen': { allow: ['interviewer', 'coordinator', 'admin'], write: true },
  'DELETE /api/v1/surveys/:survey/quotas/reservations/:id': { allow: ['interviewer', 'coordinator', 'admin'], write: true },
  'GET /api/v1/surveys/:survey/quotas/status': { allow: ALL },
  'GET /api/v1/surveys/:survey/quotas/progress': { allow: ['coordinator', 'analyst', 'admin'] },
  'GET /api/v1/surveys/:survey/fieldwork': { allow: ['coordinator', 'analyst', 'admin'] },
  'GET /api/v1/surveys/:survey/fieldwork/events': { allow: ['coordinator', 'analyst', 'admin'] },
  'GET /api/v1/indicators': { allow: ['coordinator', 'analyst', 'admin'] },
  'GET /api/v1/indicators/diamond.svg': { allow: ['coordinator', 'analyst', 'admin'] },
  'GET /api/v1/indicators/secondary': { allow: ['coordinator', 'analyst', 'admin'] },
  'PUT /api/v1/indicators/secondary': { allow: STAFF, write: true, national: true },
  // The social concerns the impact questions name: every form reads them; staff set them, like the secondary data.
  'GET /api/v1/social-concerns': { allow: ALL },
  'PUT /api/v1/social-concerns': { allow: STAFF, write: true, national: true },
  'GET /api/v1/users': { allow: ['admin'] },
  'POST /api/v1/users': { allow: ['admin'], write: true },
  'PATCH /api/v1/users/:id': { allow: ['admin'], write: true },
  'POST /api/v1/users/:id/password': { allow: ['admin'], write: true },
  'GET /api/v1/tokens': { allow: ['admin'] },
  'POST /api/v1/tokens': { allow: ['admin'], write: true },
  'DELETE /api/v1/tokens/:id': { allow: ['admin'], write: true },
  'GET /api/v1/audit': { allow: ['admin'] },
  // Pages hold no data (it comes only from the authenticated API): HTML shells, stylesheet and bundled scripts.
  'GET /': { allow: 'public' },
  'GET /forms/:survey': { allow: 'public' },
  'GET /dashboard/:page': { allow: 'public' },
  'GET /assets/:file': { allow: 'public' },
} as const satisfies Record<RouteKey, RoutePolicy>;

export type PolicyKey = keyof typeof POLICY;

export function policyFor(key: string): RoutePolicy | undefined {
  return (POLICY as Record<string, RoutePolicy>)[key];
}

export type Decision = 'allow' | 'unauthenticated' | 'forbidden';

export function decide(policy: RoutePolicy, role: Role | null): Decision {
  if (policy.allow === 'public') return 'allow';
  if (role === null) return 'unauthenticated';
  return policy.allow.includes(role) ? 'allow' : 'forbidden';
}
