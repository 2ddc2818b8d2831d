// Item ids are the contract between questionnaires, API, exports and indicators: the schemas hold exactly the
// items of the data dictionary §3 (patterns expanded), kept in a checked-in list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { questionnaires, SURVEY_IDS } from '../../../schemas/surveys.js';

const listed = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'dictionary-item-ids.txt'), 'utf8')
  .split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

const inSchemas = SURVEY_IDS.flatMap((s) => {
  const q = questionnaires[s];
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

  it.each(SURVEY_IDS)('%s items carry their instrument prefix', (survey) => {
    const prefix = { population: 'ps_', organisational: 'os_', external: 'es_' }[survey];
    for (const id of Object.keys(questionnaires[survey].properties)) expect(id.startsWith(prefix)).toBe(true);
  });
});
