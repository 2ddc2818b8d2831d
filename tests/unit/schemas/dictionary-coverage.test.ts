// Item ids are the contract between questionnaires, API, exports and indicators: the first version of each
// questionnaire holds exactly the items of the data dictionary §3 (patterns expanded), kept in a checked-in list;
// later versions keep every id (a removal needs a mapping, see changes.ts) and name new items the dictionary's way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SURVEY_IDS } from '../../../schemas/surveys.js';
import { versionsOf } from '../../../schemas/versions.js';

const listed = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'dictionary-item-ids.txt'), 'utf8')
  .split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

const inSchemas = SURVEY_IDS.flatMap((s) => {
  const q = versionsOf(s)[0]!.schema;
  const derived = (q.$defs.derived?.properties ?? {}) as Record<string, unknown>;
  return [...Object.keys(q.properties), ...Object.keys(derived)];
});

describe('data dictionary coverage', () => {
  it('lists no id twice', () => {
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('every dictionary item is in a schema', () => {
    expect(listed.filter((id) => !inSchemas.includes(id))).toEqual([]);
  });

  it('the schemas have no item the dictionary lacks', () => {
    expect(inSchemas.filter((id) => !listed.includes(id))).toEqual([]);
  });

  // The dictionary's naming (§3): snake_case, lower case, the instrument prefix; true of items added later too.
  it.each(SURVEY_IDS)('%s items of every version carry their instrument prefix, in snake_case', (survey) => {
    const prefix = { population: 'ps_', organisational: 'os_', external: 'es_' }[survey];
    for (const { schema } of versionsOf(survey)) {
      for (const id of Object.keys(schema.properties)) expect(id).toMatch(new RegExp(`^${prefix}[a-z][a-z0-9]*(_[a-z0-9]+)*$`));
    }
  });

  it.each(SURVEY_IDS)('%s: no version renames an id of the version before (ids only ever added, or removed with a mapping)', (survey) => {
    const versions = versionsOf(survey);
    for (const [i, v] of versions.entries()) {
      const before = versions[i - 1];
      if (!before) continue;
      const removed = Object.keys(before.schema.properties).filter((id) => !(id in v.schema.properties));
      expect(removed.filter((id) => !(id in (v.mapping?.items ?? {})))).toEqual([]);
    }
  });
});
