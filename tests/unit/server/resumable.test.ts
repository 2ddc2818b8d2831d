// Reopening a dropped stream after the last delivered item: nothing skipped, nothing repeated, no endless retry.
import { describe, expect, it } from 'vitest';
import { resumable } from '../../../server/store/mongo/resumable.js';

class Dropped extends Error {}

/** A source over 1..n (in order, after `after`) that is dropped after delivering the counts in `drops`, in turn. */
function source(n: number, drops: number[]) {
  const opened: Array<number | undefined> = [];
  const open = (after: number | undefined) => {
    opened.push(after);
    const dropAfter = drops.shift();
    return (async function* items() {
      let delivered = 0;
      for (let i = (after ?? 0) + 1; i <= n; i += 1) {
        if (delivered === dropAfter) throw new Dropped('cursor not found');
        delivered += 1;
        yield i;
      }
    })();
  };
  return { open, opened };
}

async function collect(stream: AsyncIterable<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const x of stream) out.push(x);
  return out;
}

const isDropped = (e: unknown) => e instanceof Dropped;

describe('resumable', () => {
  it('reopens after the last delivered item, as often as the source is dropped', async () => {
    const s = source(10, [3, 4, 1]);
    expect(await collect(resumable(s.open, isDropped))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(s.opened).toEqual([undefined, 3, 7, 8]);
  });

  it('gives up when a reopened source is dropped before delivering anything', async () => {
    const s = source(10, [2, 0]);
    await expect(collect(resumable(s.open, isDropped))).rejects.toBeInstanceOf(Dropped);
    expect(s.opened).toEqual([undefined, 2]);
  });

  it('passes other errors on without reopening', async () => {
    const open = () => (async function* failing() {
      yield 1;
      throw new TypeError('bad document');
    })();
    await expect(collect(resumable(open, isDropped))).rejects.toBeInstanceOf(TypeError);
  });

  it('stops the source when the consumer stops early', async () => {
    let closed = false;
    const open = () => (async function* items() {
      try {
        for (let i = 1; ; i += 1) yield i;
      } finally {
        closed = true;
      }
    })();
    for await (const x of resumable(open, isDropped)) if (x === 3) break;
    expect(closed).toBe(true);
  });
});
