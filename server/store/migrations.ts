/**
 * Schema versions. Each store records the version of its layout (tables and indexes in SQLite, indexes in MongoDB);
 * each adapter keeps its ordered list of migrations, numbered 1, 2, 3..., and runs the ones its store lacks at
 * start. What is decided here, once for both: that a list is well ordered, which migrations a store at a given
 * version needs, and that a store written by a newer release is refused rather than half understood.
 *
 * Version 0 is a store made before versions were recorded (release 0.1.0) or a new, empty one: migration 1 is the
 * 0.1.0 layout, written so that it adopts such a store as it is.
 */

export interface Migration<Up> {
  version: number;
  /** What it changes and why, for the log and for whoever reads the list. */
  description: string;
  up: Up;
}

/** What opening a store did to its schema: `from` the version found, `to` the version it is at now. */
export interface SchemaUpgrade {
  from: number;
  to: number;
}

/** The store was written by a newer release: this one must not touch it. */
export class StoreTooNewError extends Error {
  constructor(readonly where: string, readonly found: number, readonly known: number) {
    super(
      `${where} was written by a newer release of csi-survey (store schema version ${found}; this release knows versions up to ${known}). ` +
      'Run that release or a newer one, or restore a backup made before the upgrade.',
    );
    this.name = 'StoreTooNewError';
  }
}

export function latestVersion(migrations: readonly Migration<unknown>[]): number {
  return migrations.length;
}

/**
 * The migrations a store at version `current` needs, in order. Throws StoreTooNewError for a store ahead of the
 * list, and a programmer error for a list that is not numbered 1, 2, 3... without gaps.
 */
export function pendingMigrations<Up>(migrations: readonly Migration<Up>[], current: number, where: string): Migration<Up>[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3... in order: found version ${m.version} in position ${i + 1}`);
  });
  if (!Number.isInteger(current) || current < 0) throw new Error(`${where} records an invalid schema version: ${String(current)}`);
  if (current > migrations.length) throw new StoreTooNewError(where, current, migrations.length);
  return migrations.slice(current);
}
