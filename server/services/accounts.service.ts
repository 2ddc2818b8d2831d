/**
 * Accounts: users with a role and region scope, logins that issue expiring session tokens, long-lived API tokens
 * for scripts, logout, lockout after repeated failures, and the first admin. Token secrets are random 256-bit
 * values shown once; only their SHA-256 is stored. Every change is audited.
 */
import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { AuditAction } from '../../schemas/generated/api.types.js';
import type { Role } from '../../schemas/api.js';
import {
  LOCKOUT, lockedUntil, loginAttempt, publicToken, publicUser, regionErrors, tokenUsable, type AuditEntry, type PublicToken, type PublicUser, type Token, type User,
} from '../domain/accounts.js';
import type { Actor } from '../domain/actor.js';
import { problem } from '../domain/problems.js';
import type { AccountStore } from '../store/store.port.js';
import type { Audit } from './audit.service.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import type { Clock } from './responses.service.js';
import { apiErrors, type Validators } from './validation.js';

const SESSION_HOURS = 12;
/**
 * How long this process trusts a token it has already checked. Revocation through this process takes effect at
 * once (the cache is cleared); through another instance sharing the store, within this many milliseconds.
 */
const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 10_000;
const API_TOKEN_DAYS = 365;

export function hashToken(secret: string): string {
  return hash('sha256', secret, 'hex');
}

function newSecret(): string {
  return `csi_${randomBytes(32).toString('base64url')}`;
}

/** Who a bearer token stands for. */
export interface Checked {
  actor: Actor;
  tokenId: string;
}

export interface IssuedToken extends PublicToken {
  /** The secret: returned once, never stored. */
  token: string;
}

/** What a change of a user may set (the UserPatch schema's fields). */
interface UserChange {
  password?: string;
  role?: Role;
  regions?: string[];
  disabled?: boolean;
}

export class AccountsService {
  /** Compared against when the user does not exist, so a login takes as long either way. */
  private readonly dummyHash: Promise<string>;
  private readonly checked = new Map<string, { found: Checked; until: number }>();

  constructor(private readonly store: AccountStore, private readonly validators: Validators, private readonly clock: Clock, private readonly audit: Audit) {
    this.dummyHash = hashPassword(generatePassword());
  }

  private validate(name: keyof Validators['api'], body: unknown): void {
    const errors = apiErrors(this.validators.api[name], body);
    if (errors) throw problem('schemaInvalid', { errors });
  }

  /**
   * A user payload: its schema, and its regions against the questionnaire's (a list the schema cannot hold). A region
   * error replaces the schema's at the same path, since it also says which regions there are.
   */
  private validateUser(name: 'userCreate' | 'userPatch', body: unknown): void {
    const regions = typeof body === 'object' && body !== null ? (body as { regions?: unknown }).regions : undefined;
    const unknownRegions = regionErrors(Array.isArray(regions) ? regions : []);
    const schemaErrors = (apiErrors(this.validators.api[name], body) ?? []).filter((e) => !unknownRegions.some((r) => r.path === e.path));
    const errors = [...schemaErrors, ...unknownRegions];
    if (errors.length > 0) throw problem('schemaInvalid', { errors });
  }

  /**
   * A new user. Whoever creates it chose the password (or it is generated and returned once, as `password`), so the
   * user is asked to choose their own at the first sign-in; `mustChangePassword: false` only for the first admin
   * whose password the operator configured.
   */
  async createUser(body: unknown, actor: Actor | string, options: { mustChangePassword?: boolean } = {}): Promise<PublicUser & { password?: string }> {
    this.validateUser('userCreate', body);
    const b = body as { username: string; password?: string; role: Role; regions?: string[] };
    const generated = b.password === undefined ? generatePassword() : undefined;
    const now = this.clock().toISOString();
    const user: User = {
      id: randomUUID(), username: b.username, role: b.role, regions: b.regions ?? [], passwordHash: await hashPassword(b.password ?? generated ?? ''),
      disabled: false, mustChangePassword: options.mustChangePassword ?? true, createdAt: now, updatedAt: now,
    };
    const created = this.audit.entry(actor, 'user.created', `user:${user.id}`, { after: publicUser(user), keep: true });
    if (!(await this.store.insertUser(user, created))) throw problem('usernameTaken', { username: b.username });
    return { ...publicUser(user), ...(generated ? { password: generated } : {}) };
  }

  /** The current user as the API shows it (an actor without an account, such as a system actor, as itself). */
  /** The signed-in user as the API shows it; an actor with no stored user behind it (the CLI's) has none. */
  async me(actor: Actor): Promise<PublicUser> {
    const user = actor.userId ? await this.store.findUserById(actor.userId) : null;
    if (!user) throw problem('userNotFound', { username: actor.username });
    return publicUser(user);
  }

  async listUsers(): Promise<PublicUser[]> {
    return (await this.store.listUsers()).map(publicUser);
  }

  async updateUser(id: string, body: unknown, actor: Actor): Promise<PublicUser> {
    this.validateUser('userPatch', body);
    return this.changeUser(id, body as UserChange, actor, 'user.updated');
  }

  /**
   * An admin's reset: a generated one-time password, returned once, which the user is asked to replace at the next
   * sign-in. Like any password set by someone else, it ends every session and API token of the user.
   */
  async resetPassword(id: string, actor: Actor): Promise<PublicUser & { password: string }> {
    const password = generatePassword();
    return { ...(await this.changeUser(id, { password }, actor, 'user.password_reset')), password };
  }

  /**
   * A user's change of their own password: the current one must be given (checked like a login, so it counts
   * towards the lockout of the account and address), the new one must differ. It ends every session and token of
   * the user, as any password change does, and answers a fresh session token for the device that made the change.
   */
  async changeOwnPassword(actor: Actor, body: unknown, address: string): Promise<IssuedToken & { mustChangePassword: false }> {
    this.validate('passwordChange', body);
    const { currentPassword, newPassword } = body as { currentPassword: string; newPassword: string };
    const user = actor.userId ? await this.store.findUserById(actor.userId) : null;
    if (!user) throw problem('userNotFound', { username: actor.username });
    const now = this.clock();
    const claim = await this.store.claimLoginAttempt(loginAttempt(user.username, address, now));
    const target = `user:${user.id}`;
    if (!claim.allowed) {
      await this.audit(actor, 'user.password_change_failed', target, { details: { reason: 'locked', address } });
      throw problem('accountLocked', { until: lockedUntil(claim.lastAt) });
    }
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      await this.audit(actor, 'user.password_change_failed', target, { details: { reason: 'wrong current password', address, failures: claim.slot + 1 } });
      throw problem('schemaInvalid', { errors: [{ path: '/currentPassword', item: null, keyword: 'currentPassword', message: 'is not your current password' }] });
    }
    if (newPassword.normalize('NFC') === currentPassword.normalize('NFC')) {
      await this.store.clearLoginAttempts(user.username, address);
      throw problem('schemaInvalid', { errors: [{ path: '/newPassword', item: null, keyword: 'not', message: 'must differ from the current password' }] });
    }
    await this.changeUser(user.id, { password: newPassword }, actor, 'user.password_changed', { mustChangePassword: false });
    const after = (await this.store.findUserById(user.id)) ?? user;
    const issued = await this.issue(after, 'session', 'login', new Date(now.getTime() + SESSION_HOURS * 3600_000),
      (token) => this.audit.entry(actor, 'auth.login', target, { details: { tokenId: token.id, address, after: 'password change' } }));
    return { ...issued, mustChangePassword: false };
  }

  /** One change of a user, audited as `action`; a password set here is someone else's choice unless `own` says otherwise. */
  private async changeUser(id: string, b: UserChange, actor: Actor, action: AuditAction, own: { mustChangePassword?: false } = {}): Promise<PublicUser> {
    const before = await this.store.findUserById(id);
    if (!before) throw problem('userNotFound', { id });
    const after: User = {
      ...before,
      mustChangePassword: before.mustChangePassword === true,
      ...(b.role ? { role: b.role } : {}),
      ...(b.regions ? { regions: b.regions } : {}),
      ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
      ...(b.password ? { passwordHash: await hashPassword(b.password), mustChangePassword: own.mustChangePassword ?? true } : {}),
      updatedAt: this.clock().toISOString(),
    };
    // A new password ends every session and API token of the user: a stolen token must not outlive the reset. So
    // does disabling, and so does enabling again (whatever a disabled user held stays dead: it may have been the
    // reason). Revoked before the user changes, so the entry below can say how many, and a crash in between leaves
    // the safer state.
    const endsTokens = b.password !== undefined || (b.disabled !== undefined && b.disabled !== before.disabled);
    const revoked = endsTokens ? await this.store.revokeTokensOfUser(id, this.clock().toISOString()) : 0;
    this.forgetCheckedTokens();
    const named = action !== 'user.updated' ? action : b.disabled ? 'user.disabled' : b.disabled === false && before.disabled ? 'user.enabled' : action;
    const entry = this.audit.entry(actor, named, `user:${id}`, {
      before: publicUser(before), after: publicUser(after), keep: true, details: { passwordChanged: b.password !== undefined, tokensRevoked: revoked },
    });
    await this.store.replaceUser(after, entry);
    // A new password also forgives failed logins, from every address.
    if (b.password) await this.store.clearLoginAttempts(before.username);
    this.forgetCheckedTokens();
    return publicUser(after);
  }

  /** `updateUser` for a user named by username (the command line knows names, not ids). */
  async updateUserByUsername(username: string, body: unknown, actor: Actor): Promise<PublicUser> {
    const user = await this.store.findUserByUsername(username);
    if (!user) throw problem('userNotFound', { username });
    return this.updateUser(user.id, body, actor);
  }

  /**
   * A login from `address`. The attempt takes one of LOCKOUT.failures slots of its account and address before any
   * password is checked, so parallel guesses cannot outrun the lockout: at most that many passwords are evaluated
   * per lock period and address. Unknown names are counted alike, and every answer costs one scrypt comparison
   * (a locked or unknown name against a dummy hash), so neither the answer nor its timing tells who exists.
   */
  async login(body: unknown, address: string): Promise<IssuedToken & { mustChangePassword: boolean }> {
    this.validate('login', body);
    const { username, password } = body as { username: string; password: string };
    const now = this.clock();
    const claim = await this.store.claimLoginAttempt(loginAttempt(username, address, now));
    const user = await this.store.findUserByUsername(username);
    const target = user ? `user:${user.id}` : `username:${username}`;
    if (!claim.allowed) {
      await verifyPassword(password, await this.dummyHash);
      await this.audit(null, 'auth.login_failed', target, { details: { reason: 'locked', address } });
      throw problem('accountLocked', { until: lockedUntil(claim.lastAt) });
    }
    const valid = await verifyPassword(password, user ? user.passwordHash : await this.dummyHash);
    if (!user || user.disabled || !valid) {
      const reason = !user ? 'unknown user' : user.disabled ? 'disabled' : 'wrong password';
      await this.audit(null, 'auth.login_failed', target, { details: { reason, address, failures: claim.slot + 1 } });
      if (claim.slot === LOCKOUT.failures - 1) {
        await this.audit(null, 'auth.locked', target, { details: { address, lockedUntil: lockedUntil(now.toISOString()) } });
      }
      throw problem('invalidCredentials');
    }
    await this.store.clearLoginAttempts(username, address);
    const issued = await this.issue(user, 'session', 'login', new Date(now.getTime() + SESSION_HOURS * 3600_000),
      (token) => this.audit.entry(user.username, 'auth.login', `user:${user.id}`, { details: { tokenId: token.id, address } }));
    // The sign-in page asks for a new password before anything else when someone else chose this one.
    return { ...issued, mustChangePassword: user.mustChangePassword === true };
  }

  /** A new token, stored together with the audit entry `audited` makes for it. */
  private async issue(user: User, kind: Token['kind'], name: string, expiresAt: Date, audited: (token: PublicToken) => AuditEntry): Promise<IssuedToken> {
    const secret = newSecret();
    const token: Token = {
      id: randomUUID(), tokenHash: hashToken(secret), userId: user.id, username: user.username, kind, name,
      createdAt: this.clock().toISOString(), expiresAt: expiresAt.toISOString(), revokedAt: null,
    };
    await this.store.insertToken(token, audited(publicToken(token)));
    return { ...publicToken(token), token: secret };
  }

  async logout(actor: Actor, tokenId: string | null): Promise<void> {
    if (tokenId !== null) await this.store.revokeToken(tokenId, this.clock().toISOString(), this.audit.entry(actor, 'auth.logout', `token:${tokenId}`));
    this.forgetCheckedTokens();
  }

  async createApiToken(body: unknown, actor: Actor | string): Promise<IssuedToken> {
    this.validate('tokenCreate', body);
    const b = body as { username: string; name: string; expiresInDays?: number };
    const user = await this.store.findUserByUsername(b.username);
    if (!user) throw problem('userNotFound', { username: b.username });
    const days = b.expiresInDays ?? API_TOKEN_DAYS;
    return this.issue(user, 'api', b.name, new Date(this.clock().getTime() + days * 86_400_000),
      (token) => this.audit.entry(actor, 'token.created', `token:${token.id}`, { after: token, keep: true }));
  }

  async listTokens(): Promise<PublicToken[]> {
    return (await this.store.listTokens()).map(publicToken);
  }

  async revokeToken(id: string, actor: Actor | string): Promise<PublicToken> {
    const before = await this.store.findTokenById(id);
    if (!before) throw problem('tokenNotFound', { id });
    const at = this.clock().toISOString();
    // Revoking a revoked token changes nothing, so records nothing.
    const entry = this.audit.entry(actor, 'token.revoked', `token:${id}`, { before: publicToken(before), after: publicToken({ ...before, revokedAt: at }), keep: true });
    await this.store.revokeToken(id, at, entry);
    this.forgetCheckedTokens();
    return publicToken((await this.store.findTokenById(id)) ?? before);
  }

  /**
   * The actor a bearer secret stands for, with the token's id; null when it is unknown, expired, revoked or its user
   * disabled. A secret checked in the last few seconds is answered from memory, synchronously (the hot path of every request).
   */
  authenticate(secret: string): Checked | null | Promise<Checked | null> {
    const tokenHash = hashToken(secret);
    const cached = this.checked.get(tokenHash);
    if (cached && cached.until > this.clock().getTime()) return cached.found;
    return this.lookUp(tokenHash);
  }

  private async lookUp(tokenHash: string): Promise<Checked | null> {
    const token = await this.store.findTokenByHash(tokenHash);
    if (!token || !tokenUsable(token, this.clock())) return null;
    const user = await this.store.findUserById(token.userId);
    if (!user || user.disabled) return null;
    const found = { actor: { username: user.username, userId: user.id, role: user.role, regions: user.regions }, tokenId: token.id };
    if (this.checked.size >= TOKEN_CACHE_MAX) this.checked.clear();
    const now = this.clock().getTime();
    this.checked.set(tokenHash, { found, until: Math.min(now + TOKEN_CACHE_MS, Date.parse(token.expiresAt)) });
    return found;
  }

  /** After any change to users or tokens: nothing checked before it is trusted any more. */
  private forgetCheckedTokens(): void {
    this.checked.clear();
  }

  /** On an empty store, the first admin: with the given password, or a generated one the caller shows once. */
  async bootstrapAdmin(password: string | undefined): Promise<{ created: boolean; username: string; generatedPassword?: string }> {
    if ((await this.store.countUsers()) > 0) return { created: false, username: 'admin' };
    const chosen = password ?? generatePassword();
    try {
      // A printed password has been on a screen and in a terminal's scrollback: it is replaced at the first sign-in.
      await this.createUser({ username: 'admin', password: chosen, role: 'admin' }, 'system', { mustChangePassword: password === undefined });
    } catch (error) {
      // Another instance bootstrapped at the same moment: theirs stands.
      if ((error as { code?: string }).code === '409.4') return { created: false, username: 'admin' };
      throw error;
    }
    return { created: true, username: 'admin', ...(password === undefined ? { generatedPassword: chosen } : {}) };
  }
}
