/**
 * Accounts: users with a role and region scope, logins that issue expiring session tokens, long-lived API tokens
 * for scripts, logout, lockout after repeated failures, and the first admin. Token secrets are random 256-bit
 * values shown once; only their SHA-256 is stored. Every change is audited.
 */
import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '../../schemas/api.js';
import { isLocked, LOCKOUT, publicToken, publicUser, tokenUsable, type PublicToken, type PublicUser, type Token, type User } from '../domain/accounts.js';
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

  async createUser(body: unknown, actor: Actor | string): Promise<PublicUser> {
    this.validate('userCreate', body);
    const b = body as { username: string; password: string; role: Role; regions?: string[] };
    const now = this.clock().toISOString();
    const user: User = {
      id: randomUUID(), username: b.username, role: b.role, regions: b.regions ?? [], passwordHash: await hashPassword(b.password),
      disabled: false, failedLogins: 0, lockedUntil: null, createdAt: now, updatedAt: now,
    };
    if (!(await this.store.insertUser(user))) throw problem('usernameTaken', { username: b.username });
    await this.audit(actor, 'user.created', `user:${user.id}`, { after: publicUser(user) });
    return publicUser(user);
  }

  /** The current user as the API shows it (an actor without an account, such as a system actor, as itself). */
  async me(actor: Actor): Promise<PublicUser | Actor> {
    const user = actor.userId ? await this.store.findUserById(actor.userId) : null;
    return user ? publicUser(user) : actor;
  }

  async listUsers(): Promise<PublicUser[]> {
    return (await this.store.listUsers()).map(publicUser);
  }

  async updateUser(id: string, body: unknown, actor: Actor): Promise<PublicUser> {
    this.validate('userPatch', body);
    const b = body as { password?: string; role?: Role; regions?: string[]; disabled?: boolean };
    const before = await this.store.findUserById(id);
    if (!before) throw problem('userNotFound', { id });
    const after: User = {
      ...before,
      ...(b.role ? { role: b.role } : {}),
      ...(b.regions ? { regions: b.regions } : {}),
      ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
      ...(b.password ? { passwordHash: await hashPassword(b.password), failedLogins: 0, lockedUntil: null } : {}),
      updatedAt: this.clock().toISOString(),
    };
    await this.store.replaceUser(after);
    // A new password ends every session and API token of the user: a stolen token must not outlive the reset.
    const revoked = b.password ? await this.store.revokeTokensOfUser(id, this.clock().toISOString()) : 0;
    this.forgetCheckedTokens();
    await this.audit(actor, b.disabled ? 'user.disabled' : 'user.updated', `user:${id}`, {
      before: publicUser(before), after: publicUser(after), details: { passwordChanged: b.password !== undefined, tokensRevoked: revoked },
    });
    return publicUser(after);
  }

  /**
   * A login. The attempt is counted before the password is checked, so parallel guesses cannot outrun the lockout:
   * at most LOCKOUT.failures passwords are ever evaluated per lock period.
   */
  async login(body: unknown, address?: string): Promise<IssuedToken> {
    this.validate('login', body);
    const { username, password } = body as { username: string; password: string };
    // The client's address (behind a trusted proxy, the one the proxy saw), recorded with every login attempt.
    const from = address ? { address } : {};
    const user = await this.store.findUserByUsername(username);
    const now = this.clock();
    if (!user) {
      await verifyPassword(password, await this.dummyHash);
      await this.audit(null, 'auth.login_failed', `username:${username}`, { details: { reason: 'unknown user', ...from } });
      throw problem('invalidCredentials');
    }
    if (isLocked(user, now)) {
      await this.audit(null, 'auth.login_failed', `user:${user.id}`, { details: { reason: 'locked', ...from } });
      throw problem('accountLocked', { until: user.lockedUntil });
    }
    const attempts = await this.store.incrementFailedLogins(user.id);
    if (attempts > LOCKOUT.failures) {
      await this.lock(user, now, attempts, from);
      throw problem('accountLocked', { until: new Date(now.getTime() + LOCKOUT.minutes * 60_000).toISOString() });
    }
    const valid = await verifyPassword(password, user.passwordHash);
    if (user.disabled || !valid) {
      if (attempts >= LOCKOUT.failures) await this.lock(user, now, attempts, from);
      await this.audit(null, 'auth.login_failed', `user:${user.id}`, { details: { reason: user.disabled ? 'disabled' : 'wrong password', attempts, ...from } });
      throw problem('invalidCredentials');
    }
    await this.store.setLoginState(user.id, 0, null);
    const issued = await this.issue(user, 'session', 'login', new Date(now.getTime() + SESSION_HOURS * 3600_000));
    await this.audit(user.username, 'auth.login', `user:${user.id}`, { details: { tokenId: issued.id, ...from } });
    return issued;
  }

  private async lock(user: User, now: Date, attempts: number, from: { address?: string }): Promise<void> {
    const lockedUntil = new Date(now.getTime() + LOCKOUT.minutes * 60_000).toISOString();
    await this.store.setLoginState(user.id, 0, lockedUntil);
    await this.audit(null, 'auth.locked', `user:${user.id}`, { details: { attempts, lockedUntil, ...from } });
  }

  private async issue(user: User, kind: Token['kind'], name: string, expiresAt: Date): Promise<IssuedToken> {
    const secret = newSecret();
    const token: Token = {
      id: randomUUID(), tokenHash: hashToken(secret), userId: user.id, username: user.username, kind, name,
      createdAt: this.clock().toISOString(), expiresAt: expiresAt.toISOString(), revokedAt: null,
    };
    await this.store.insertToken(token);
    return { ...publicToken(token), token: secret };
  }

  async logout(actor: Actor, tokenId: string | null): Promise<void> {
    const revoked = tokenId !== null && (await this.store.revokeToken(tokenId, this.clock().toISOString()));
    this.forgetCheckedTokens();
    if (revoked) await this.audit(actor, 'auth.logout', `token:${tokenId}`);
  }

  async createApiToken(body: unknown, actor: Actor | string): Promise<IssuedToken> {
    this.validate('tokenCreate', body);
    const b = body as { username: string; name: string; expiresInDays?: number };
    const user = await this.store.findUserByUsername(b.username);
    if (!user) throw problem('userNotFound', { username: b.username });
    const days = b.expiresInDays ?? API_TOKEN_DAYS;
    const issued = await this.issue(user, 'api', b.name, new Date(this.clock().getTime() + days * 86_400_000));
    const { token: _secret, ...recorded } = issued;
    await this.audit(actor, 'token.created', `token:${issued.id}`, { after: recorded });
    return issued;
  }

  async listTokens(): Promise<PublicToken[]> {
    return (await this.store.listTokens()).map(publicToken);
  }

  async revokeToken(id: string, actor: Actor | string): Promise<PublicToken> {
    const before = await this.store.findTokenById(id);
    if (!before) throw problem('tokenNotFound', { id });
    await this.store.revokeToken(id, this.clock().toISOString());
    this.forgetCheckedTokens();
    const after = (await this.store.findTokenById(id)) ?? before;
    await this.audit(actor, 'token.revoked', `token:${id}`, { before: publicToken(before), after: publicToken(after) });
    return publicToken(after);
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
      await this.createUser({ username: 'admin', password: chosen, role: 'admin' }, 'system');
    } catch (error) {
      // Another instance bootstrapped at the same moment: theirs stands.
      if ((error as { code?: string }).code === '409.4') return { created: false, username: 'admin' };
      throw error;
    }
    return { created: true, username: 'admin', ...(password === undefined ? { generatedPassword: chosen } : {}) };
  }
}
