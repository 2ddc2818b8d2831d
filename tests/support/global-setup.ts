/**
 * Vitest global setup: one MongoDB-compatible server (FerretDB, or MONGODB_URI) for the whole run. Suites get its
 * URI through `inject('mongoUri')` and each uses a database of its own.
 */
import type { TestProject } from 'vitest/node';
import { startMongo } from './ferretdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoKind: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startMongo();
  project.provide('mongoUri', server.uri);
  project.provide('mongoKind', server.kind);
  return () => server.stop();
}
