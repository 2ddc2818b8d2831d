/** Who is making a request: an authenticated user with a role and an optional region scope, or nobody. */
import type { Role } from '../../schemas/api.js';

export interface Actor {
  username: string | null;
  userId: string | null;
  role: Role | null;
  /** Regions a coordinator is scoped to; empty means all. */
  regions: string[];
}

export const ANONYMOUS: Actor = Object.freeze({ username: null, userId: null, role: null, regions: [] });

/** The actor the system itself acts as (CLI imports and seeds): all rights, named for the audit trail. */
export function systemActor(username: string): Actor {
  return { username, userId: null, role: 'admin', regions: [] };
}
