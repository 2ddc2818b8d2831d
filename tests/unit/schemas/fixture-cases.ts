import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SurveyId } from '../../../schemas/surveys.js';

export interface ValidCase {
  description: string;
  data: Record<string, unknown>;
}

export interface InvalidCase {
  description: string;
  rule: string;
  base?: number;
  set?: Record<string, unknown>;
  unset?: string[];
  replace?: unknown;
  errors: Array<{ item: string | null; keyword: string }>;
}

export interface FixtureFile {
  /** The questionnaire version the cases are written for; the first version when absent. */
  version?: string;
  valid: ValidCase[];
  invalid: InvalidCase[];
}

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'schemas');

export function loadFixtures(survey: SurveyId): FixtureFile {
  return JSON.parse(readFileSync(join(DIR, `${survey}.json`), 'utf8')) as FixtureFile;
}

/** The value an invalid case describes: a valid case patched, or a replacement. */
export function materialize(file: FixtureFile, c: InvalidCase): unknown {
  if ('replace' in c) return c.replace;
  const base = file.valid[c.base ?? 0];
  if (!base) throw new Error(`fixture "${c.description}": no valid case ${c.base}`);
  const data: Record<string, unknown> = { ...base.data, ...c.set };
  for (const id of c.unset ?? []) delete data[id];
  return data;
}
