/**
 * The social concerns setting: the two concerns the impact questions name, versioned like a quota plan (every
 * version kept under `social-concerns`, the audit entry stored with it) so two editors never both win: a change
 * made from a version that is no longer current is refused (If-Match, 412.2).
 */
import { CONCERN_SLOTS, type PublishedConcerns, type SocialConcerns } from '../../schemas/concerns.js';
import type { Actor } from '../domain/actor.js';
import { problem } from '../domain/problems.js';
import type { AccountStore, SettingsStore } from '../store/store.port.js';
import type { Audit } from './audit.service.js';
import type { Clock } from './responses.service.js';
import { apiErrors, type Validators } from './validation.js';

const KEY = 'social-concerns';

/** Names as typed, trimmed (the schema then refuses what is empty or too long); anything else is left for the schema to name. */
function trimmed(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).map(([slot, name]) => [slot,
    typeof name === 'object' && name !== null && !Array.isArray(name)
      ? Object.fromEntries(Object.entries(name).map(([lang, text]) => [lang, typeof text === 'string' ? text.trim() : text]))
      : name]));
}

export class ConcernsService {
  constructor(private readonly store: SettingsStore & AccountStore, private readonly validators: Validators, private readonly clock: Clock, private readonly audit: Audit) {}

  async current(): Promise<PublishedConcerns> {
    const [latest] = await this.store.listSettingVersions(KEY, { limit: 1, published: true });
    return latest ? { concerns: latest.value as SocialConcerns, version: latest.version } : { concerns: null, version: 0 };
  }

  /** `ifMatch`: the version the editor started from (0: none was set); undefined replaces whatever is current. */
  async put(body: unknown, actor: Actor, ifMatch?: number): Promise<PublishedConcerns> {
    const value = trimmed(body);
    const errors = apiErrors(this.validators.api.socialConcerns, value);
    if (errors) throw problem('schemaInvalid', { errors: errors.map((e) => ({ ...e, item: CONCERN_SLOTS.find((s) => e.path.startsWith(`/${s}`)) ?? null })) });
    const previous = await this.current();
    if (ifMatch !== undefined && ifMatch !== previous.version) throw problem('settingChanged', { current: previous.version, given: ifMatch });
    const version = previous.version + 1;
    const entry = this.audit.entry(actor, 'concerns.updated', KEY, { before: previous.concerns ?? undefined, after: value, details: { version }, keep: true });
    const stored = { key: KEY, version, value, at: this.clock().toISOString(), by: actor.username ?? null, published: false };
    // A lost race (another editor took this number) is refused, with or without If-Match: it edited an older version.
    if (!(await this.store.insertSettingVersion(stored, entry))) throw problem('settingChanged', { current: version, given: ifMatch ?? previous.version });
    await this.store.publishSettingVersion(KEY, version);
    return { concerns: value as SocialConcerns, version };
  }
}
