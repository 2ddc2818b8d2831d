// The streaming Excel writer: cells typed as Excel types them, a failing row source fails the stream, and a reader
// that goes away stops the producer and closes its row source (in the app: the store's cursor).
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { xlsxCell, xlsxStream } from '../../../server/services/xlsx.js';

describe('xlsxCell', () => {
  it.each([
    [12.5, 12.5], [0, 0], [Number.NaN, null], [true, true], [false, false], ['dk', 'dk'], ['=1+1', '=1+1'],
    ['', null], [null, null], [undefined, null], [{ a: 1 }, '{"a":1}'],
  ])('%j becomes %j', (value, cell) => {
    expect(xlsxCell(value)).toEqual(cell);
  });
});

describe('xlsxStream', () => {
  it('fails the stream when the row source fails', async () => {
    const rows = (async function* failing() {
      yield [1, 'a'];
      throw new Error('store went away');
    })();
    const stream = xlsxStream([{ name: 'data', columns: ['n', 's'], rows }]);
    const [error] = (await once(stream, 'error')) as [Error];
    expect(error.message).toBe('store went away');
  });

  it('stops producing and closes the row source when the reader goes away', async () => {
    let produced = 0;
    let closed = false;
    const rows = (async function* endless() {
      try {
        for (;;) {
          produced += 1;
          yield [produced, 'some text that takes room in the sheet', produced / 3];
        }
      } finally {
        closed = true;
      }
    })();
    const stream = xlsxStream([{ name: 'data', columns: ['n', 's', 'x'], rows }]);
    await once(stream, 'readable');
    expect(stream.read()).not.toBeNull();
    stream.destroy();
    // Let the producer notice: a bounded number of event-loop turns, never a clock.
    for (let turn = 0; turn < 1000 && !closed; turn += 1) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
    const after = produced;
    for (let turn = 0; turn < 50; turn += 1) await new Promise((r) => setImmediate(r));
    expect(produced).toBe(after);
  });
});
