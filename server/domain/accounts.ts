/** Users, tokens and audit entries: the records of access control, and the pure rules about them. */
import type { Role } from '../../schemas/api.js';
import { regionItem, variableCodes } from '../../schemas/survey-definition.js';
import type { ValidationError } from '../../schemas/validation-errors.js';

export interface User {
  id: string;
  username: string;
  role: Role;
  regions: string[];
  passwordHash: string;
  disabled: boolean;
  /**
   * The password was chosen by someone else (an admin creating the user or resetting the password, or the first
   * start printing the admin's): the user is asked to choose their own at the next sign-in. Cleared only by the
   * user's own change, which needs the current password.
   */
  mustChangePassword: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A user as the API shows it: never the password hash. */
export type PublicUser = Pick<User, 'id' | 'username' | 'role' | 'regions' | 'disabled' | 'mustChangePassword' | 'createdAt' | 'updatedAt'>;

export function publicUser(u: User): PublicUser {
  return {
    id: u.id, username: u.username, role: u.role, regions: u.regions, disabled: u.disabled,
    // A user stored before the flag existed was never asked to change (store migration 5 / 4 writes false).
    mustChangePassword: u.mustChangePassword === true, createdAt: u.createdAt, updatedAt: u.updatedAt,
  };
}

/**
 * The regions a user can be scoped to: the population questionnaire's `ps_region` codes, the same list responses
 * are scoped by, so a scope can never name a region no response can have (a typo would silently scope to nothing).
 */
export function regionCodes(): string[] {
  return variableCodes('population', regionItem('population')) ?? [];
}

/** Errors for regions that are not `ps_region` codes, at `/regions/<i>`, each with the codes allowed (non-strings are the schema's to refuse). */
export function regionErrors(regions: readonly unknown[]): ValidationError[] {
  const allowed = regionCodes();
  return regions.flatMap((r, i) => (typeof r !== 'string' || allowed.includes(r) ? [] : [{
    path: `/regions/${i}`, item: null, keyword: 'enum', message: `"${r}" is not a region: must be one of the ps_region codes`, allowedValues: allowed,
  }]));
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
  /**
   * The records themselves, kept only for account changes (a user as the API shows it, a token without its hash):
   * they hold no secret and no survey answer, and an admin reading the trail needs to see what changed. Changes to
   * responses keep hashes only, so personal data never spreads into the trail.
   */
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
}

/**
 * Five failed logins for one account from one address lock that pair for 15 minutes after the fifth. Counted per
 * account and address, so a stranger elsewhere cannot keep someone's account (`admin`) locked; unknown names are
 * counted exactly like real ones, so the answer never tells who exists.
 */
export const LOCKOUT = { failures: 5, minutes: 15 } as const;

/** One failed (or pending) login: a numbered slot 0..failures-1 of an account and address, unique in the store. */
export interface LoginAttempt {
  account: string;
  address: string;
  /** How many attempts at most a set holds: its slots are numbered 0..max-1. */
  max: number;
  /** The current time (ISO). */
  now: string;
  /** A set whose newest attempt is older than this (ISO) has lapsed: it is deleted and counting starts afresh. */
  lapseBefore: string;
}

/** Whether an attempt may check a password: it holds slot `slot`; or every slot is taken since `lastAt`. */
export type LoginClaim = { allowed: true; slot: number } | { allowed: false; lastAt: string };

export function loginAttempt(account: string, address: string, now: Date): LoginAttempt {
  return {
    account, address, max: LOCKOUT.failures, now: now.toISOString(),
    lapseBefore: new Date(now.getTime() - LOCKOUT.minutes * 60_000).toISOString(),
  };
}

/** Until when a full set of attempts keeps its pair locked. */
export function lockedUntil(lastAt: string): string {
  return new Date(Date.parse(lastAt) + LOCKOUT.minutes * 60_000).toISOString();
}

/** The free slot numbers of a set, lowest first. */
export function freeLoginSlots(max: number, held: number[]): number[] {
  const taken = new Set(held);
  return Array.from({ length: max }, (_, i) => i).filter((i) => !taken.has(i));
}
