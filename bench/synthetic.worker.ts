/**
 * Worker thread of bench/bodies.ts: generates `count` synthetic population submissions from `seed` and posts them
 * back as JSON strings (the generator is CPU-bound, so the pool is built on every core).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SyntheticGenerator } from '../schemas/index.js';

const { seed, count } = workerData as { seed: number; count: number };
const generator = new SyntheticGenerator('population', { seed });
const bodies: string[] = [];
for (let i = 0; i < count; i += 1) {
  bodies.push(JSON.stringify(generator.nextSubmission('api')));
  if ((i + 1) % 1000 === 0) parentPort?.postMessage({ progress: 1000 });
}
parentPort?.postMessage({ progress: count % 1000, bodies });
