// Structural rules every questionnaire follows, so that the form and the indicators can rely on them.
import { describe, expect, it } from 'vitest';
import { itemsOf } from '../../../schemas/items.js';
import { questionnaires, SURVEY_IDS, type JsonSchema } from '../../../schemas/surveys.js';

function* objectSchemas(node: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(node)) for (const n of node) yield* objectSchemas(n);
  else if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    if (obj.type === 'object' || obj.properties !== undefined && obj.type !== undefined) yield obj;
    for (const v of Object.values(obj)) yield* objectSchemas(v);
  }
}

const QUOTA_ITEMS = ['ps_region', 'ps_settlement_type', 'ps_gender', 'ps_age_years', 'ps_ethnicity'];

describe.each(SURVEY_IDS)('%s questionnaire', (survey) => {
  const schema = questionnaires[survey];
  const items = itemsOf(survey);

  it('is draft 2020-12 with a versioned $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(new RegExp(`/${survey}/\\d+\\.\\d+\\.\\d+$`));
    expect(schema.$id.endsWith(schema['x-csi-version'])).toBe(true);
  });

  it('rejects unknown fields in every object schema', () => {
    for (const obj of objectSchemas(schema)) expect(obj.additionalProperties).toBe(false);
  });

  it('places every asked item in exactly one section, and system items in none', () => {
    const placed = schema['x-csi-sections'].flatMap((s) => s.items);
    expect(new Set(placed).size).toBe(placed.length);
    for (const item of items) {
      if (item.system) expect(placed).not.toContain(item.id);
      else expect(placed).toContain(item.id);
    }
  });

  it('declares a numeric export code for every answer code', () => {
    for (const item of items.filter((i) => i.kind === 'choice')) {
      for (const code of item.codes) expect(item.numericCodes[String(code)], `${item.id}.${String(code)}`).toBeTypeOf('number');
      if (item.special) expect([item.numericCodes.dk, item.numericCodes.ref]).toEqual([98, 99]);
    }
  });

  it('asks skip-rule conditions only about items asked earlier', () => {
    const order = schema['x-csi-sections'].flatMap((s) => s.items);
    for (const rule of schema.allOf) {
      const conditionItems = [
        ...Object.keys((rule.if as Exclude<JsonSchema, boolean>).properties ?? {}),
        ...((rule.if as Exclude<JsonSchema, boolean>).required ?? []),
      ];
      const targets = [rule.then, rule.else].flatMap((b) => (typeof b === 'object' ? [...Object.keys(b.properties ?? {}), ...(b.required ?? [])] : []));
      for (const c of conditionItems) for (const t of targets) expect(order.indexOf(c), `${c} before ${t}`).toBeLessThan(order.indexOf(t));
    }
  });
});

describe('special answers', () => {
  it('quota and weighting variables do not accept don\'t know or refused', () => {
    for (const id of QUOTA_ITEMS) expect(itemsOf('population').find((i) => i.id === id)?.special, id).toBe(false);
  });

  it('closed attitude items do', () => {
    const attitude = itemsOf('population').filter((i) => /^ps_(member|volunteer|action|neighbour|justify|confidence|trust)_?/.test(i.id));
    expect(attitude.length).toBeGreaterThan(50);
    for (const item of attitude) expect(item.special, item.id).toBe(true);
  });
});
