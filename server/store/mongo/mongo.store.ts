/**
 * The production store: MongoDB through the official driver. Writes are acknowledged only when durable
 * (`w: 'majority', j: true`). Nothing here needs multi-document transactions or operators FerretDB 1.24 lacks: the
 * id is `_id` (unique by construction), a change is a conditional single-document replace.
 */
import { MongoClient, MongoServerError, type Collection, type Db, type Filter } from 'mongodb';
import type { StoredResponse } from '../../domain/response.js';
import { streamByPages, type InsertOutcome, type Page, type PagePosition, type ResponseFilter, type ResponseStore } from '../store.port.js';

type Doc = Omit<StoredResponse, 'id' | 'receivedAt' | 'updatedAt'> & { _id: string; receivedAt: Date; updatedAt: Date };

const DUPLICATE_KEY = 11000;

const INDEXES = {
  by_time: { survey: 1, receivedAt: 1, _id: 1 },
  by_status: { survey: 1, status: 1, receivedAt: 1, _id: 1 },
  by_region: { survey: 1, region: 1, receivedAt: 1, _id: 1 },
  by_interviewer: { survey: 1, interviewer: 1, receivedAt: 1, _id: 1 },
} as const;

function toDoc(r: StoredResponse): Doc {
  const { id, receivedAt, updatedAt, ...rest } = r;
  return { _id: id, ...rest, receivedAt: new Date(receivedAt), updatedAt: new Date(updatedAt) };
}

function fromDoc(d: Doc): StoredResponse {
  const { _id, receivedAt, updatedAt, ...rest } = d;
  return { id: _id, ...rest, receivedAt: receivedAt.toISOString(), updatedAt: updatedAt.toISOString() } as StoredResponse;
}

function toFilter(filter: ResponseFilter, after?: PagePosition): Filter<Doc> {
  const f: Filter<Doc> = { survey: filter.survey };
  if (filter.status) f.status = filter.status;
  if (filter.region) f.region = filter.region;
  if (filter.interviewer) f.interviewer = filter.interviewer;
  if (filter.since || filter.until) {
    f.receivedAt = {
      ...(filter.since ? { $gte: new Date(filter.since) } : {}),
      ...(filter.until ? { $lt: new Date(filter.until) } : {}),
    };
  }
  if (after) {
    const at = new Date(after.receivedAt);
    f.$or = [{ receivedAt: { $gt: at } }, { receivedAt: at, _id: { $gt: after.id } }];
  }
  return f;
}

export class MongoStore implements ResponseStore {
  readonly kind = 'mongodb' as const;
  private readonly responses: Collection<Doc>;

  private constructor(private readonly client: MongoClient, db: Db) {
    this.responses = db.collection<Doc>('responses', { writeConcern: { w: 'majority', journal: true } });
  }

  /** Connects and creates the indexes the queries need (idempotent). */
  static async connect(uri: string, dbName?: string): Promise<MongoStore> {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    const store = new MongoStore(client, client.db(dbName));
    await store.ensureIndexes();
    return store;
  }

  private async ensureIndexes(): Promise<void> {
    // One index per command: FerretDB 1.24 drops the connection when one createIndexes command names several
    // indexes that already exist (a second app instance starting on the same database).
    for (const [name, key] of Object.entries(INDEXES)) await this.responses.createIndex(key, { name });
  }

  async insertResponse(r: StoredResponse): Promise<InsertOutcome> {
    try {
      await this.responses.insertOne(toDoc(r));
      return { inserted: true, response: r };
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
      const existing = await this.findResponseById(r.id);
      if (!existing) throw new Error(`response ${r.id} conflicted on insert but cannot be read back`);
      return { inserted: false, response: existing };
    }
  }

  async findResponseById(id: string): Promise<StoredResponse | null> {
    const doc = await this.responses.findOne({ _id: id });
    return doc ? fromDoc(doc) : null;
  }

  async replaceResponse(r: StoredResponse, expectedRevision: number): Promise<boolean> {
    const result = await this.responses.replaceOne({ _id: r.id, revision: expectedRevision }, toDoc(r));
    return result.modifiedCount === 1;
  }

  async listResponses(filter: ResponseFilter, limit: number, after?: PagePosition): Promise<Page> {
    const docs = await this.responses.find(toFilter(filter, after)).sort({ receivedAt: 1, _id: 1 }).limit(limit + 1).toArray();
    const items = docs.slice(0, limit).map(fromDoc);
    const last = items[items.length - 1];
    return { items, next: docs.length > limit && last ? { receivedAt: last.receivedAt, id: last.id } : null };
  }

  streamResponses(filter: ResponseFilter, batchSize = 500): AsyncIterable<StoredResponse> {
    return streamByPages(this, filter, batchSize);
  }

  async countResponses(filter: ResponseFilter): Promise<number> {
    return this.responses.countDocuments(toFilter(filter));
  }

  async ping(): Promise<void> {
    await this.client.db('admin').command({ ping: 1 });
  }

  /** Drops this store's database: for test isolation only, never reachable from the API. */
  async dropDatabaseForTests(): Promise<void> {
    await this.responses.db.dropDatabase();
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
