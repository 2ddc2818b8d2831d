// On the MongoDB store's server (FerretDB in CI): a cursor killed in the middle of a stream, as a server drops one
// idle past its timeout, is reopened after the last document delivered: every document once, in order.
import { randomUUID } from 'node:crypto';
import { MongoClient, type FindCursor } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { cursorDropped } from '../../server/store/mongo/mongo.store.js';
import { resumable } from '../../server/store/mongo/resumable.js';

describe('a MongoDB cursor dropped mid-stream', () => {
  let client: MongoClient;
  const db = `csi_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  beforeAll(async () => {
    client = await new MongoClient(inject('mongoUri')).connect();
  });
  afterAll(async () => {
    await client.db(db).dropDatabase();
    await client.close();
  });

  it('is reopened after the last document delivered', async () => {
    const docs = client.db(db).collection<{ _id: string }>('docs');
    await docs.insertMany(Array.from({ length: 9 }, (_, i) => ({ _id: `d${i}` })));
    const cursors: Array<FindCursor<{ _id: string }>> = [];
    const open = (after: { _id: string } | undefined) => {
      const cursor = docs.find(after ? { _id: { $gt: after._id } } : {}).sort({ _id: 1 }).batchSize(2);
      cursors.push(cursor);
      return cursor;
    };
    const seen: string[] = [];
    for await (const doc of resumable(open, cursorDropped)) {
      seen.push(doc._id);
      if (seen.length === 3) {
        // Killed from another connection, as the server's cursor timeout would.
        const other = await new MongoClient(inject('mongoUri')).connect();
        await other.db(db).command({ killCursors: 'docs', cursors: [(cursors[0] as FindCursor).id] });
        await other.close();
      }
    }
    expect(seen).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8']);
    expect(cursors).toHaveLength(2);
  });
});
