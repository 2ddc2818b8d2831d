/** Users, tokens and audit entries: the records of access control, and the pure rules about them. */
import type { Role } from '../../schemas/api.js';

export interface User {
  id: string;
  username: string;
  role: Role;
  regions: string[];
  passwordHash: string;
  disabled: boolean;
  failedLogins: number;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A user as the API shows it: never the password hash or the lockout counters. */
export type PublicUser = Pick<User, 'id' | 'username' | 'role' | 'regions' | 'disabled' | 'createdAt' | 'updatedAt'>;

export function publicUser(u: User): PublicUser {
  return { id: u.id, username: u.username, role: u.role, regions: u.regions, disabled: u.disabled, createdAt: u.createdAt, updatedAt: u.updatedAt };
}

export interface Token {
  id: string;
  /** SHA-256 of the secret: the secret itself is never stored or logged. */
  tokenHash: string;
  userId: string;
  username: string;
  kind: 'session' | 'api';
  name: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export type PublicToken = Omit<Token, 'tokenHash'>;

export function publicToken(t: Token): PublicToken {
  const { tokenHash: _hash, ...rest } = t;
  return rest;
}

export function tokenUsable(t: Token, now: Date): boolean {
  return t.revokedAt === null && Date.parse(t.expiresAt) > now.getTime();
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string | null;
  action: string;
  target: string;
  /** SHA-256 of the canonical record before and after the change (null where there is none). */
  beforeHash: string | null;
  afterHash: string | null;
  details?: Record<string, unknown>;
}

export const LOCKOUT = { failures: 5, minutes: 15 } as const;

export function isLocked(u: User, now: Date): boolean {
  return u.lockedUntil !== null && Date.parse(u.lockedUntil) > now.getTime();
}
