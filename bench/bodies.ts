/**
 * The load: distinct synthetic population submissions, generated before any timing starts (the generator costs
 * about 1 ms per submission, more than the server spends on one), on worker threads, one seed per worker, and kept
 * as JSON strings ready to send.
 */
import { SingleBar, Presets } from 'cli-progress';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Offset of the id in `JSON.stringify(submission)`: `{"id":"<36 chars>",...`. */
const ID_AT = '{"id":"'.length;

export function idOfBody(body: string): string {
  return body.slice(ID_AT, ID_AT + 36);
}

function generateOnWorker(seed: number, count: number, progress: (n: number) => void): Promise<string[]> {
  // Workers do not inherit tsx's loader from the tsx CLI: register it, then load the TypeScript worker.
  const file = new URL('./synthetic.worker.ts', import.meta.url).href;
  const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file)}); })`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { seed, count } });
    worker.on('message', (m: { progress: number; bodies?: string[] }) => {
      progress(m.progress);
      if (m.bodies) resolve(m.bodies);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`synthetic worker exited with ${code}`));
    });
  });
}

/** `count` distinct submissions (by id), as JSON, from `seed`: reproducible for a given seed and core count. */
export async function generateBodies(count: number, seed: number): Promise<string[]> {
  const workers = Math.max(1, Math.min(availableParallelism(), 8));
  const bar = new SingleBar({ format: '  synthetic submissions [{bar}] {value}/{total} {duration}s', hideCursor: true }, Presets.shades_classic);
  bar.start(count, 0);
  try {
    const shares = Array.from({ length: workers }, (_, i) => Math.floor(count / workers) + (i < count % workers ? 1 : 0));
    const parts = await Promise.all(shares.map((n, i) => generateOnWorker(seed * 1000 + i, n, (k) => bar.increment(k))));
    const bodies = parts.flat();
    if (new Set(bodies.map(idOfBody)).size !== bodies.length) throw new Error('synthetic submissions with duplicate ids');
    return bodies;
  } finally {
    bar.stop();
  }
}

/**
 * An endless supply of distinct bodies from a pool: the pool in order, then (only if a run outlasts it) the pool
 * again with the id's first group replaced by the lap number, so no request is ever a retry of an earlier one.
 */
export class BodySupply {
  private next = 0;
  constructor(private readonly pool: readonly string[]) {}

  take(): string {
    const i = this.next;
    this.next += 1;
    const body = this.pool[i % this.pool.length] as string;
    const lap = Math.floor(i / this.pool.length);
    if (lap === 0) return body;
    return `${body.slice(0, ID_AT)}${lap.toString(16).padStart(8, '0')}${body.slice(ID_AT + 8)}`;
  }

  get taken(): number {
    return this.next;
  }

  get reused(): number {
    return Math.max(0, this.next - this.pool.length);
  }
}
