/**
 * The production store: MongoDB through the official driver. Writes are acknowledged only when durable
 * (`w: 'majority', j: true`). Nothing here needs multi-document transactions or operators FerretDB 1.24 lacks, nor
 * an update that must be atomic (FerretDB's are not under concurrency): the id is `_id` (unique by construction), and who
 * may make a change is decided by a unique key (REVISION_CLAIMS, QUOTA_COUNTS in quota-counts.ts).
 *
 * AUDIT_OUTBOX. A write and its audit entry are two documents, and without transactions a crash can fall between
 * them. So the entry is written first inside the changed document itself (`auditOutbox`, in the same single-
 * document write as the change), then appended to the trail (idempotent by the entry's id), then removed from the
 * document. A crash anywhere leaves either nothing, or the change with its entry still in it; whatever finds it
 * there completes it: the same call, a client's retry that meets the stored response, the next change of the same
 * document, and the repair every start runs (repairAudit). The entry is never visible to readers.
 */
import { MongoBulkWriteError, MongoClient, MongoServerError, type Collection, type Db, type Filter } from 'mongodb';
import { freeLoginSlots, type AuditEntry, type LoginAttempt, type LoginClaim, type Token, type User } from '../../domain/accounts.js';
import { QUOTA_GRACE_MS, reclaimCutoff, type CellUsage, type QuotaSlot } from '../../domain/quotas/slots.js';
import { GroupCommit, type Outcome } from '../group-commit.js';
import { auditPosition, pageOf, responsePosition } from '../paging.js';
import { claimSlot, type SlotTable } from '../slot-claim.js';
import type { StoredResponse } from '../../domain/response.js';
import type { SchemaUpgrade } from '../migrations.js';
import { migrate } from './migrations.js';
import { QuotaCounts, type CountDoc, type OpenDoc } from './quota-counts.js';
import { resumable } from './resumable.js';
import {
  type AuditFilter, type AuditPosition, type InsertOutcome, type Page, type PagePosition, type ResponseFilter, type SlotClaim,
  type SettingVersion, type SlotFilter, type Store, type StoreOptions,
} from '../store.port.js';
import { guardedStore } from './unavailable.js';

/**
 * A document that may carry audit entries of its changes not yet copied to the trail (AUDIT_OUTBOX), by entry id:
 * one is taken out by its own key, with a filter on `_id` alone. FerretDB 1.24 pushes only a bare `_id` filter down
 * to SQLite for an update; any other condition scans the whole collection (seconds per update at a few thousand
 * responses, measured), so "remove it only if it is still this entry" is written as a key per entry instead.
 */
interface Outboxed {
  _id: string;
  auditOutbox?: Record<string, AuditEntry>;
}

type Doc = Omit<StoredResponse, 'id' | 'receivedAt' | 'updatedAt'> & Outboxed & { receivedAt: Date; updatedAt: Date };

/** The claim of one revision (REVISION_CLAIMS): `_id` is [response id, the revision it moves from]. */
interface RevisionClaim extends Outboxed {
  response: Doc;
}

const revisionClaimId = (id: string, from: number) => JSON.stringify([id, from]);

/** The claim of a token's revocation, under the token's id. */
interface RevocationClaim extends Outboxed {
  revokedAt: string;
}

const DUPLICATE_KEY = 11000;

/** The server no longer knows the cursor (killed, or idle past its timeout). */
const CURSOR_NOT_FOUND = 43;

export function cursorDropped(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === CURSOR_NOT_FOUND;
}


function toDoc(r: StoredResponse): Doc {
  const { id, receivedAt, updatedAt, ...rest } = r;
  return { _id: id, ...rest, receivedAt: new Date(receivedAt), updatedAt: new Date(updatedAt) };
}

function fromDoc(d: Doc): StoredResponse {
  const { _id, receivedAt, updatedAt, auditOutbox: _outbox, ...rest } = d;
  return { id: _id, ...rest, receivedAt: receivedAt.toISOString(), updatedAt: updatedAt.toISOString() } as StoredResponse;
}

function toFilter(filter: ResponseFilter, after?: PagePosition): Filter<Doc> {
  const f: Filter<Doc> = { survey: filter.survey };
  if (filter.status) f.status = filter.status;
  if (filter.region && filter.regions) f.region = { $eq: filter.region, $in: filter.regions };
  else if (filter.region) f.region = filter.region;
  else if (filter.regions) f.region = { $in: filter.regions };
  if (filter.interviewer) f.interviewer = filter.interviewer;
  if (filter.since || filter.until) {
    f.receivedAt = {
      ...(filter.since ? { $gte: new Date(filter.since) } : {}),
      ...(filter.until ? { $lt: new Date(filter.until) } : {}),
    };
  }
  if (filter.changedSince) f.updatedAt = { $gte: new Date(filter.changedSince) };
  if (after) {
    const at = new Date(after.receivedAt);
    f.$or = [{ receivedAt: { $gt: at } }, { receivedAt: at, _id: { $gt: after.id } }];
  }
  return f;
}

type WithId<T extends { id: string }> = Omit<T, 'id'> & Outboxed;

interface LoginAttemptDoc {
  /** Account, address and slot: unique by construction, so at most `max` attempts of a pair hold slots. */
  _id: string;
  account: string;
  address: string;
  slot: number;
  at: string;
}

type SlotDoc = WithId<QuotaSlot>;

/** A setting version under `key@version`: the unique `_id` is what gives a version number to one writer only. */
type SettingVersionDoc = SettingVersion & Outboxed;

const settingVersionOf = ({ _id, auditOutbox: _outbox, ...v }: SettingVersionDoc): SettingVersion => v;


const iso = (at: string) => new Date(at).toISOString();

function withId<T extends { id: string }>(value: T): WithId<T> {
  const { id, ...rest } = value;
  return { _id: id, ...rest } as WithId<T>;
}

function withoutId<T extends { id: string }>(doc: WithId<T> | null): T | null {
  if (!doc) return null;
  const { _id, auditOutbox: _outbox, ...rest } = doc;
  return { id: _id, ...rest } as unknown as T;
}

/** Slots stored before reservations had owners read as ownerless. */
function slotFromDoc(doc: SlotDoc | null): QuotaSlot | null {
  const slot = withoutId<QuotaSlot>(doc);
  return slot ? { ...slot, owner: slot.owner ?? null } : null;
}

export class MongoStore implements Store {
  readonly kind = 'mongodb' as const;
  private readonly responses: Collection<Doc>;
  private readonly users: Collection<WithId<User>>;
  private readonly tokens: Collection<WithId<Token>>;
  private readonly audit: Collection<WithId<AuditEntry>>;
  private readonly settings: Collection<{ _id: string; value: unknown }>;
  private readonly quotaSlots: Collection<SlotDoc>;
  private readonly settingVersions: Collection<SettingVersionDoc>;
  private readonly loginAttempts: Collection<LoginAttemptDoc>;
  private readonly revisionClaims: Collection<RevisionClaim>;
  private readonly tokenRevocations: Collection<RevocationClaim>;
  private readonly quotaCounts: QuotaCounts;
  /** Audit entries waiting for the next batched insert. */
  private readonly auditGroup = new GroupCommit<AuditEntry, void>((batch) => this.commitAudit(batch));

  private constructor(private readonly client: MongoClient, db: Db, readonly schema: SchemaUpgrade, private readonly options: StoreOptions) {
    const durable = { writeConcern: { w: 'majority' as const, journal: true } };
    this.responses = db.collection<Doc>('responses', durable);
    this.users = db.collection<WithId<User>>('users', durable);
    this.tokens = db.collection<WithId<Token>>('tokens', durable);
    this.audit = db.collection<WithId<AuditEntry>>('audit', durable);
    this.settings = db.collection<{ _id: string; value: unknown }>('settings', durable);
    this.quotaSlots = db.collection<SlotDoc>('quota_slots', durable);
    this.settingVersions = db.collection<SettingVersionDoc>('setting_versions', durable);
    this.loginAttempts = db.collection<LoginAttemptDoc>('login_attempts', durable);
    this.revisionClaims = db.collection<RevisionClaim>('response_revisions', durable);
    this.tokenRevocations = db.collection<RevocationClaim>('token_revocations', durable);
    this.quotaCounts = new QuotaCounts(db.collection<CountDoc>('quota_counts', durable), db.collection<OpenDoc>('quota_open', durable), this.quotaSlots as unknown as ConstructorParameters<typeof QuotaCounts>[2]);
  }

  /**
   * Connects and brings the database's schema up to date (the indexes the queries need: ./migrations.ts). With
   * `timeoutMs`, a server that cannot be reached or does not answer within it fails the call as `storeUnavailable`
   * (unavailable.ts); the driver reconnects by itself when the server is back.
   */
  static async connect(uri: string, dbName?: string, options: StoreOptions = {}): Promise<MongoStore> {
    const timeout = options.timeoutMs ?? 10_000;
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeout, connectTimeoutMS: timeout });
    await client.connect();
    const db = client.db(dbName);
    let store: MongoStore;
    try {
      store = new MongoStore(client, db, await migrate(db, `The MongoDB database "${db.databaseName}"`), options);
    } catch (error) {
      await client.close();
      throw error;
    }
    return options.timeoutMs === undefined ? store : guardedStore(store, options.timeoutMs);
  }

  /** Completes every audit entry still waiting in a document (AUDIT_OUTBOX): what a crash left. How many. */
  async repairAudit(): Promise<number> {
    let repaired = 0;
    // A claimed revision is written before its entry goes to the trail: the entry must not record a change not made.
    for (const { _id } of await this.revisionClaims.find({ auditOutbox: { $exists: true } }).project<{ _id: string }>({ _id: 1 }).toArray()) {
      const [id, from] = JSON.parse(_id) as [string, number];
      repaired += await this.completeRevision(id, from);
    }
    for (const { _id } of await this.tokenRevocations.find({ auditOutbox: { $exists: true } }).project<{ _id: string }>({ _id: 1 }).toArray()) {
      repaired += await this.completeRevocation(_id);
    }
    for (const collection of [this.responses, this.users, this.tokens, this.settingVersions] as unknown as Array<Collection<Outboxed>>) {
      // Emptied outboxes stay as `{}`: those are skipped here rather than by a filter FerretDB would scan anyway.
      const waiting = await collection.find({ auditOutbox: { $exists: true } }).project<Outboxed>({ _id: 1, auditOutbox: 1 }).toArray();
      for (const doc of waiting) repaired += await this.settleOutbox(collection, doc);
    }
    return repaired;
  }

  /** Appends the entries a document carries, then takes each out of the document (by its own key: a later one stays). */
  private async settleOutbox(collection: Collection<Outboxed>, doc: Outboxed | null): Promise<number> {
    const entries = Object.values(doc?.auditOutbox ?? {});
    if (!doc || entries.length === 0) return 0;
    for (const entry of entries) this.options.beforeAudit?.(entry.action);
    await Promise.all(entries.map((entry) => this.appendAudit(entry)));
    await collection.updateOne({ _id: doc._id }, { $unset: Object.fromEntries(entries.map((e) => [`auditOutbox.${e.id}`, ''])) });
    return entries.length;
  }

  /** Before a change replaces a document: entries of earlier changes still in it go to the trail first. */
  private async settlePending(collection: Collection<Outboxed>, id: string): Promise<void> {
    await this.settleOutbox(collection, await collection.findOne({ _id: id }, { projection: { _id: 1, auditOutbox: 1 } }));
  }

  private outboxOf<T extends object>(doc: T, audit?: AuditEntry): T & { auditOutbox?: Record<string, AuditEntry> } {
    return audit ? { ...doc, auditOutbox: { [audit.id]: audit } } : doc;
  }

  private get outboxed(): { responses: Collection<Outboxed>; users: Collection<Outboxed>; tokens: Collection<Outboxed> } {
    return { responses: this.responses as unknown as Collection<Outboxed>, users: this.users as unknown as Collection<Outboxed>, tokens: this.tokens as unknown as Collection<Outboxed> };
  }


  async insertResponse(r: StoredResponse, audit?: AuditEntry): Promise<InsertOutcome> {
    const doc = this.outboxOf(toDoc(r), audit);
    try {
      await this.responses.insertOne(doc);
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
      const existing = await this.responses.findOne({ _id: r.id });
      if (!existing) throw new Error(`response ${r.id} conflicted on insert but cannot be read back`);
      // A retry of a submission whose first attempt crashed before its entry reached the trail completes it.
      await this.settleOutbox(this.outboxed.responses, existing);
      return { inserted: false, response: fromDoc(existing) };
    }
    await this.settleOutbox(this.outboxed.responses, doc);
    return { inserted: true, response: r };
  }

  async findResponseById(id: string): Promise<StoredResponse | null> {
    const doc = await this.responses.findOne({ _id: id });
    return doc ? fromDoc(doc) : null;
  }

  /**
   * REVISION_CLAIMS. The move from `expectedRevision` is claimed by inserting a record under the unique key
   * (response, expectedRevision), holding the new document and its audit entry: a second writer gets a duplicate
   * key and loses (409.3), where a compare-and-set on the response would let both pass on FerretDB 1.24. The claim
   * is the commit: whoever meets one the response has not caught up with (its writer slow or crashed) writes the
   * claimed document itself, the same bytes, so the history has neither a gap nor a lost review.
   */
  async replaceResponse(r: StoredResponse, expectedRevision: number, audit?: AuditEntry): Promise<boolean> {
    await this.settlePending(this.outboxed.responses, r.id);
    const stored = await this.responses.findOne({ _id: r.id }, { projection: { revision: 1 } });
    if (!stored) return false;
    // The entry of the change that made the stored revision, if a crash kept it from the trail, goes first.
    await this.completeRevision(r.id, stored.revision - 1);
    if (stored.revision !== expectedRevision) {
      await this.completeRevision(r.id, stored.revision);
      return false;
    }
    const claim = this.outboxOf<RevisionClaim>({ _id: revisionClaimId(r.id, expectedRevision), response: toDoc(r) }, audit);
    try {
      await this.revisionClaims.insertOne(claim);
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
      await this.completeRevision(r.id, expectedRevision);
      return false;
    }
    await this.responses.replaceOne({ _id: r.id, revision: expectedRevision }, claim.response);
    await this.settleOutbox(this.revisionClaims as unknown as Collection<Outboxed>, claim);
    return true;
  }

  /**
   * Writes the revision claimed from `from` if the response is still at `from`, then sends the claim's audit entry
   * to the trail (REVISION_CLAIMS); how many entries that sent.
   */
  private async completeRevision(id: string, from: number): Promise<number> {
    const claim = await this.revisionClaims.findOne({ _id: revisionClaimId(id, from) });
    if (!claim) return 0;
    // Read first: the replace's filter on the revision is what FerretDB scans for, so it runs only when it will match.
    if ((await this.responses.findOne({ _id: id }, { projection: { revision: 1 } }))?.revision === from) {
      await this.responses.replaceOne({ _id: id, revision: from }, claim.response);
    }
    return this.settleOutbox(this.revisionClaims as unknown as Collection<Outboxed>, claim);
  }

  async listResponses(filter: ResponseFilter, limit: number, after?: PagePosition): Promise<Page> {
    const docs = await this.responses.find(toFilter(filter, after)).sort({ receivedAt: 1, _id: 1 }).limit(limit + 1).toArray();
    return pageOf(docs, limit, fromDoc, responsePosition);
  }

  /**
   * One cursor in (receivedAt, id) order, read batch by batch as the consumer asks: the server sorts once (by the
   * index on MongoDB; FerretDB, which cannot push the sort down, would re-sort the collection for every page of a
   * keyset walk). A cursor the server dropped is reopened after the last response delivered.
   */
  streamResponses(filter: ResponseFilter, batchSize = 500): AsyncIterable<StoredResponse> {
    const open = (after: StoredResponse | undefined) => this.responses
      .find(toFilter(filter, after ? { receivedAt: after.receivedAt, id: after.id } : undefined))
      .sort({ receivedAt: 1, _id: 1 })
      .batchSize(batchSize)
      .map(fromDoc);
    return resumable(open, cursorDropped);
  }

  async countResponses(filter: ResponseFilter): Promise<number> {
    return this.responses.countDocuments(toFilter(filter));
  }

  async ping(): Promise<void> {
    await this.client.db('admin').command({ ping: 1 });
  }

  async insertUser(u: User, audit?: AuditEntry): Promise<boolean> {
    const doc = this.outboxOf(withId(u), audit);
    try {
      await this.users.insertOne(doc);
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return false;
      throw error;
    }
    await this.settleOutbox(this.outboxed.users, doc);
    return true;
  }

  async findUserById(id: string): Promise<User | null> {
    return withoutId<User>(await this.users.findOne({ _id: id }));
  }

  async findUserByUsername(username: string): Promise<User | null> {
    return withoutId<User>(await this.users.findOne({ username }));
  }

  async listUsers(): Promise<User[]> {
    return (await this.users.find({}).sort({ username: 1 }).toArray()).map((d) => withoutId<User>(d) as User);
  }

  async countUsers(): Promise<number> {
    return this.users.countDocuments({});
  }

  async replaceUser(u: User, audit?: AuditEntry): Promise<void> {
    await this.settlePending(this.outboxed.users, u.id);
    const doc = this.outboxOf(withId(u), audit);
    if ((await this.users.replaceOne({ _id: u.id }, doc)).matchedCount === 1) await this.settleOutbox(this.outboxed.users, doc);
  }

  /**
   * Inserts into the lowest free slot; a duplicate key means another attempt won it, so the next is tried and,
   * when all are gone, the set is read again. Relies only on `_id` being unique, never on an update being atomic
   * (FerretDB 1.24's are not under concurrency, FerretDB issue #3040).
   */
  async claimLoginAttempt(a: LoginAttempt): Promise<LoginClaim> {
    const pair = { account: a.account, address: a.address };
    for (let round = 0; round < a.max + 2; round += 1) {
      let held = await this.loginAttempts.find(pair).toArray();
      if (held.length > 0 && held.every((d) => d.at < a.lapseBefore)) {
        // Only lapsed attempts are deleted: one another claim has just made survives.
        await this.loginAttempts.deleteMany({ ...pair, at: { $lt: a.lapseBefore } });
        held = await this.loginAttempts.find(pair).toArray();
      }
      const free = freeLoginSlots(a.max, held.map((d) => d.slot));
      if (free.length === 0) return { allowed: false, lastAt: held.reduce((m, d) => (d.at > m ? d.at : m), '') };
      for (const slot of free) {
        try {
          await this.loginAttempts.insertOne({ _id: JSON.stringify([a.account, a.address, slot]), ...pair, slot, at: a.now });
          return { allowed: true, slot };
        } catch (error) {
          if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
        }
      }
    }
    // Every round lost every slot to other attempts: the set is full in all but name.
    return { allowed: false, lastAt: a.now };
  }

  async clearLoginAttempts(account: string, address?: string): Promise<number> {
    return (await this.loginAttempts.deleteMany(address === undefined ? { account } : { account, address })).deletedCount;
  }

  async revokeTokensOfUser(userId: string, at: string): Promise<number> {
    return (await this.tokens.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: at } })).modifiedCount;
  }

  async getSetting(key: string): Promise<unknown | null> {
    return (await this.settings.findOne({ _id: key }))?.value ?? null;
  }

  async putSetting(key: string, value: unknown): Promise<void> {
    // Two upserts of one new key may both try the insert: the loser's duplicate key means the document is there now,
    // and a second replace updates it (MongoDB documents this race; FerretDB 1.24 meets it far more often).
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.settings.replaceOne({ _id: key }, { value }, { upsert: true });
        return;
      } catch (error) {
        if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY || attempt >= 2) throw error;
      }
    }
  }

  async insertSettingVersion(v: SettingVersion, audit?: AuditEntry): Promise<boolean> {
    const doc = this.outboxOf<SettingVersionDoc>({ _id: `${v.key}@${v.version}`, ...v }, audit);
    try {
      await this.settingVersions.insertOne(doc);
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return false;
      throw error;
    }
    await this.settleOutbox(this.settingVersions as unknown as Collection<Outboxed>, doc);
    return true;
  }

  async publishSettingVersion(key: string, version: number): Promise<void> {
    await this.settingVersions.updateOne({ _id: `${key}@${version}` }, { $set: { published: true } });
  }

  async findSettingVersion(key: string, version: number): Promise<SettingVersion | null> {
    const doc = await this.settingVersions.findOne({ _id: `${key}@${version}` });
    return doc ? settingVersionOf(doc) : null;
  }

  async listSettingVersions(key: string, options: { limit: number; published?: boolean }): Promise<SettingVersion[]> {
    const docs = await this.settingVersions.find({ key, ...(options.published ? { published: true } : {}) }).sort({ version: -1 }).limit(options.limit).toArray();
    return docs.map(settingVersionOf);
  }

  async insertToken(t: Token, audit?: AuditEntry): Promise<void> {
    const doc = this.outboxOf(withId(t), audit);
    await this.tokens.insertOne(doc);
    await this.settleOutbox(this.outboxed.tokens, doc);
  }

  async findTokenByHash(tokenHash: string): Promise<Token | null> {
    return withoutId<Token>(await this.tokens.findOne({ tokenHash }));
  }

  async findTokenById(id: string): Promise<Token | null> {
    return withoutId<Token>(await this.tokens.findOne({ _id: id }));
  }

  async listTokens(): Promise<Token[]> {
    return (await this.tokens.find({}).sort({ _id: 1 }).toArray()).map((d) => withoutId<Token>(d) as Token);
  }

  /**
   * The revocation is claimed by inserting a record under the token's id, holding its time and audit entry: of two
   * concurrent revocations one gets a duplicate key and false (a compare-and-set on `revokedAt: null` lets both pass
   * on FerretDB 1.24, and both would be audited). Whoever meets a claim the token does not show yet writes it.
   */
  async revokeToken(id: string, at: string, audit?: AuditEntry): Promise<boolean> {
    if (audit) await this.settlePending(this.outboxed.tokens, id);
    const token = await this.tokens.findOne({ _id: id }, { projection: { revokedAt: 1 } });
    if (!token || token.revokedAt !== null) return false;
    try {
      await this.tokenRevocations.insertOne(this.outboxOf<RevocationClaim>({ _id: id, revokedAt: at }, audit));
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
      await this.completeRevocation(id);
      return false;
    }
    await this.completeRevocation(id);
    return true;
  }

  /** Writes a claimed revocation on its token, then sends its audit entry to the trail; how many entries that sent. */
  private async completeRevocation(id: string): Promise<number> {
    const claim = await this.tokenRevocations.findOne({ _id: id });
    if (!claim) return 0;
    await this.tokens.updateOne({ _id: id }, { $set: { revokedAt: claim.revokedAt } });
    return this.settleOutbox(this.tokenRevocations as unknown as Collection<Outboxed>, claim);
  }

  /**
   * Entries appended in the same turn of the event loop go to the server in one insertMany (one write, durable
   * like any other, before any caller is answered): under load every response written costs one audit insert
   * per batch, not one per response (../group-commit.ts).
   */
  appendAudit(entry: AuditEntry): Promise<void> {
    return this.auditGroup.add(entry);
  }

  private async commitAudit(batch: AuditEntry[]): Promise<Array<Outcome<void>>> {
    const written: Outcome<void> = { ok: true, value: undefined };
    try {
      await this.audit.insertMany(batch.map((entry) => withId(entry)), { ordered: false });
      return batch.map(() => written);
    } catch (error) {
      // Unordered: when the server names the entries that failed, the others were written. Anything else (no
      // names, a write concern error, a lost connection) leaves every entry unconfirmed. A duplicate id is an entry
      // already in the trail (appended again after a crash, AUDIT_OUTBOX): written, not failed.
      const writeErrors = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
      const named = writeErrors.filter((w) => w.code !== DUPLICATE_KEY).map((w) => w.index);
      const concern = (error as { writeConcernError?: unknown }).writeConcernError;
      if (writeErrors.length > 0 && named.length === 0 && !concern) return batch.map(() => written);
      const failed = named.length > 0 && !concern ? new Set(named) : null;
      return batch.map((_, i) => (failed === null || failed.has(i) ? { ok: false, error } : written));
    }
  }

  async listAudit(filter: AuditFilter, limit: number, after?: AuditPosition): Promise<{ items: AuditEntry[]; next: AuditPosition | null }> {
    const f: Filter<WithId<AuditEntry>> = {};
    if (filter.actor !== undefined) f.actor = filter.actor;
    if (filter.action !== undefined) f.action = filter.action;
    if (filter.target !== undefined) f.target = filter.target;
    if (filter.since || filter.until) f.at = { ...(filter.since ? { $gte: filter.since } : {}), ...(filter.until ? { $lt: filter.until } : {}) };
    const beyond = filter.newestFirst ? '$lt' : '$gt';
    const order = filter.newestFirst ? -1 : 1;
    if (after) f.$or = [{ at: { [beyond]: after.at } }, { at: after.at, _id: { [beyond]: after.id } }];
    const docs = await this.audit.find(f).sort({ at: order, _id: order }).limit(limit + 1).toArray();
    return pageOf(docs, limit, (d) => withoutId<AuditEntry>(d) as AuditEntry, auditPosition);
  }

  /** The shared claim (../slot-claim.ts) on this collection: only the unique indexes are relied on. */
  async claimQuotaSlot(claim: SlotClaim): Promise<QuotaSlot | null> {
    return claimSlot(this.slotTable, claim);
  }

  private readonly slotTable: SlotTable = {
    findOwn: async (space, cell, reservationId) => slotFromDoc(await this.quotaSlots.findOne({ space, cell, reservationId })),
    held: async (space, cell, target) => (await this.quotaSlots.find({ space, cell, slot: { $lt: target } }).toArray()).map((d) => slotFromDoc(d) as QuotaSlot),
    highest: async (space, cell) => (await this.quotaSlots.find({ space, cell }).sort({ slot: -1 }).limit(1).project<{ slot: number }>({ slot: 1 }).toArray())[0]?.slot ?? null,
    insert: async (slot) => {
      await this.quotaCounts.opening(slot);
      let inserted = true;
      try {
        await this.quotaSlots.insertOne(withId(slot));
      } catch (error) {
        if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
        inserted = false;
      }
      await this.quotaCounts.opened(slot, inserted);
      return inserted;
    },
    deleteReservation: async (id, before) => {
      const { deletedCount } = await this.quotaSlots.deleteOne({ _id: id, responseId: null, ...(before === undefined ? {} : { expiresAt: { $lt: before } }) });
      if (deletedCount === 1) await this.quotaCounts.deleted(id);
    },
  };

  /** From the per-cell counts the slot writes keep and the reservations' markers (./quota-counts.ts, QUOTA_COUNTS). */
  async countQuotaSlots(space: string, cells: readonly string[], now: string): Promise<Map<string, CellUsage>> {
    return this.quotaCounts.usage(space, cells, iso(now));
  }

  /**
   * The update is a compare-and-set FerretDB may let two callers both pass; both then hold the same response id
   * (one reservation is consumed by one response only, store.port.ts), and the count takes each slot once.
   */
  async consumeQuotaReservation(space: string, reservationId: string, responseId: string, now: string): Promise<QuotaSlot[]> {
    const at = iso(now);
    const live = await this.quotaSlots.find({ space, reservationId, responseId: null, expiresAt: { $gte: at } }).toArray();
    for (const slot of live) {
      await this.quotaSlots.updateOne({ _id: slot._id, responseId: null }, { $set: { responseId, consumedAt: at } });
    }
    const held = await this.listQuotaSlots(space, { reservationId, responseId });
    // Every slot the response holds, not only those updated here: a retry completes a count a crash left undone.
    for (const slot of held) await this.quotaCounts.consumed(slot);
    return held;
  }

  async cancelQuotaReservation(space: string, reservationId: string, owner?: string): Promise<number> {
    const f: Filter<SlotDoc> = { space, reservationId, responseId: null, ...(owner !== undefined ? { owner } : {}) };
    let cancelled = 0;
    for (const { _id } of await this.quotaSlots.find(f).project<{ _id: string }>({ _id: 1 }).toArray()) {
      if ((await this.quotaSlots.deleteOne({ ...f, _id })).deletedCount === 1) {
        cancelled += 1;
        await this.quotaCounts.deleted(_id);
      }
    }
    return cancelled;
  }

  async releaseQuotaSlotsOfResponse(space: string, responseId: string): Promise<number> {
    let released = 0;
    for (const slot of await this.quotaSlots.find({ space, responseId }).toArray()) {
      released += await this.quotaCounts.release(slotFromDoc(slot) as QuotaSlot, async () => (await this.quotaSlots.deleteOne({ _id: slot._id })).deletedCount);
    }
    return released;
  }

  async listQuotaSlots(space: string, filter: SlotFilter = {}): Promise<QuotaSlot[]> {
    const f: Filter<SlotDoc> = { space };
    if (filter.cell !== undefined) f.cell = filter.cell;
    if (filter.reservationId !== undefined) f.reservationId = filter.reservationId;
    if (filter.responseId !== undefined) f.responseId = filter.responseId;
    if (filter.owner !== undefined) f.owner = filter.owner;
    const docs = await this.quotaSlots.find(f).sort({ cell: 1, slot: 1 }).toArray();
    return docs.map((d) => slotFromDoc(d) as QuotaSlot);
  }

  async reclaimLapsedQuotaSlots(space: string, now: string, graceMs = QUOTA_GRACE_MS): Promise<number> {
    const cutoff = reclaimCutoff(iso(now), graceMs);
    const lapsed = await this.quotaSlots.find({ space, responseId: null, expiresAt: { $lt: cutoff } }).project<{ _id: string }>({ _id: 1 }).toArray();
    let deleted = 0;
    for (const { _id } of lapsed) {
      if ((await this.quotaSlots.deleteOne({ _id, responseId: null, expiresAt: { $lt: cutoff } })).deletedCount === 0) continue;
      deleted += 1;
      await this.quotaCounts.deleted(_id);
    }
    return deleted;
  }

  async deleteQuotaSpace(space: string): Promise<number> {
    const deleted = (await this.quotaSlots.deleteMany({ space })).deletedCount;
    await this.quotaCounts.deleteSpace(space);
    return deleted;
  }

  /** Every document of a collection: for tests that inspect what is stored, never reachable from the API. */
  async dumpCollectionForTests(name: string): Promise<unknown[]> {
    return this.responses.db.collection(name).find({}).toArray();
  }

  /** Drops this store's database: for test isolation only, never reachable from the API. */
  async dropDatabaseForTests(): Promise<void> {
    await this.responses.db.dropDatabase();
  }

  async close(): Promise<void> {
    await this.auditGroup.drain();
    await this.client.close();
  }
}
