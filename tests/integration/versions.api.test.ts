// Questionnaire versions side by side (issue 20), on both stores: population 1.0.0 and 1.1.0 responses submitted
// together, each validated against its own version and stored with it; an unknown or held-back version is a 400.8
// naming the field; a correction keeps a response in its version; tallies, the indicator matrix and the export over
// the mixed responses equal what the test computes itself from the answers read through the declared mapping.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import mapping110 from '../../schemas/questionnaires/population/1.1.0.mapping.json' with { type: 'json' };
import type { SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { computeMatrix, type IndicatorResult } from '../../server/domain/indicators/compute.js';
import { KAZAKHSTAN_SECONDARY } from '../../server/domain/indicators/secondary.js';
import { compileAllValidators } from '../../server/services/validation.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const OLD = 60;
const NEW = 60;
const URL = '/api/v1/surveys/population/responses';

/** The test's own reading of a 1.0.0 answer set in 1.1.0: the declared mapping's codes, applied by hand. */
function byHand(version: string, answers: Record<string, unknown>): Record<string, unknown> {
  if (version !== '1.0.0') return answers;
  const out = { ...answers };
  for (const [item, codes] of Object.entries(mapping110.items as Record<string, Record<string, unknown> | null>)) {
    if (codes && item in out && String(out[item]) in codes) out[item] = codes[String(out[item])];
  }
  return out;
}

describe.each(STORE_KINDS)('questionnaire versions on the %s store', (kind) => {
  let ctx: TestApp;
  const old: Submission[] = [];
  const current: Submission[] = [];

  beforeAll(async () => {
    ctx = await makeTestApp(kind);
    const g100 = new SyntheticGenerator('population', { seed: 2001, version: '1.0.0' });
    // The new code must occur for the 1.1.0 side to differ from 1.0.0's.
    const g110 = new SyntheticGenerator('population', { seed: 2002, version: '1.1.0', mix: { ps_ethnicity: { kazakh: 50, russian: 30, azerbaijani: 20 } } });
    for (let i = 0; i < Math.max(OLD, NEW); i += 1) {
      if (i < OLD) {
        const s = g100.nextSubmission();
        old.push(s);
        await ctx.as('ainur').post(URL).send(s).expect(201);
      }
      if (i < NEW) {
        const s = g110.nextSubmission();
        current.push(s);
        await ctx.as('boris').post(URL).send(s).expect(201);
      }
    }
  }, 240_000);
  afterAll(async () => {
    await ctx.t.dispose();
  });

  it('stores each response with the version it was collected in', async () => {
    const a = (await ctx.as('coord').get(`${URL}/${old[0]!.id}`).expect(200)).body as { questionnaireVersion: string };
    const b = (await ctx.as('coord').get(`${URL}/${current[0]!.id}`).expect(200)).body as { questionnaireVersion: string };
    expect(a.questionnaireVersion).toBe('1.0.0');
    expect(b.questionnaireVersion).toBe('1.1.0');
    expect(old.every((s) => !('ps_household_size' in s.answers))).toBe(true);
    expect(current.some((s) => s.answers.ps_ethnicity === 'azerbaijani')).toBe(true);
  });

  it('validates each response against its own version: 1.1.0 answers in a 1.0.0 response are refused, and the reverse', async () => {
    const base = old[1]!;
    const withNewItem = { ...base, id: crypto.randomUUID(), answers: { ...base.answers, ps_household_size: 4 } };
    const r1 = await ctx.as('ainur').post(URL).send(withNewItem).expect(400);
    expect(r1.body.code).toBe('400.2');
    expect(r1.body.details.errors).toEqual([expect.objectContaining({ item: 'ps_household_size', keyword: 'additionalProperties' })]);

    const withNewCode = { ...base, id: crypto.randomUUID(), answers: { ...base.answers, ps_ethnicity: 'azerbaijani' } };
    const r2 = await ctx.as('ainur').post(URL).send(withNewCode).expect(400);
    expect(r2.body.details.errors).toEqual([expect.objectContaining({ item: 'ps_ethnicity', keyword: 'enum' })]);

    // The same answers are valid once the form names 1.1.0.
    await ctx.as('ainur').post(URL).send({ ...withNewCode, meta: { ...withNewCode.meta, formVersion: '1.1.0' }, answers: { ...withNewCode.answers, ps_household_size: 3 } }).expect(201);

    // The reverse: 1.1.0 asks ps_household_size of everyone, 1.0.0 answers lack it.
    const asNew = { ...base, id: crypto.randomUUID(), meta: { ...base.meta, formVersion: '1.1.0' } };
    const r3 = await ctx.as('ainur').post(URL).send(asNew).expect(400);
    expect(r3.body.details.errors).toEqual([expect.objectContaining({ item: 'ps_household_size', keyword: 'required' })]);
  });

  it('refuses a version the survey never had with a 400.8 naming the field and the versions accepted', async () => {
    const s = { ...old[2]!, id: crypto.randomUUID(), meta: { ...old[2]!.meta, formVersion: '0.9.0' } };
    const res = await ctx.as('ainur').post(URL).send(s).expect(400);
    expect(res.body.code).toBe('400.8');
    expect(res.body.details.errors).toEqual([expect.objectContaining({ path: '/meta/formVersion', keyword: 'questionnaireVersion', allowedValues: ['1.0.0', '1.1.0'] })]);
  });

  it('corrects a 1.0.0 response within 1.0.0: it stays 1.0.0, and a 1.1.0-only answer is refused', async () => {
    const target = old[3]!;
    const size = (await ctx.as('coord').patch(`${URL}/${target.id}`).send({ corrections: { ps_household_size: 5 } }).expect(400)).body;
    expect(size.details.errors).toEqual([expect.objectContaining({ item: 'ps_household_size', keyword: 'additionalProperties' })]);
    const age = target.answers.ps_age_years === 40 ? 41 : 40;
    const fixed = (await ctx.as('coord').patch(`${URL}/${target.id}`).send({ corrections: { ps_age_years: age } }).expect(200)).body;
    expect(fixed.questionnaireVersion).toBe('1.0.0');
    expect(fixed.answers.ps_age_years).toBe(age);
    target.answers = { ...target.answers, ps_age_years: age };
  });

  /** Every stored population response, as the test submitted and corrected them, read in 1.1.0 by hand. */
  const stored = async (): Promise<Array<{ version: string; answers: Record<string, unknown> }>> => {
    const list = (await ctx.as('coord').get(`${URL}?limit=500`).expect(200)).body.items as Array<{ id: string; questionnaireVersion: string; answers: Record<string, unknown> }>;
    const ours = new Map([...old, ...current].map((s) => [s.id, s]));
    // The submissions of the validation test are stored too: read from the API, then checked against ours where known.
    for (const r of list) if (ours.has(r.id)) expect(r.answers).toEqual(ours.get(r.id)!.answers);
    return list.map((r) => ({ version: r.questionnaireVersion, answers: byHand(r.questionnaireVersion, r.answers) }));
  };

  it('tallies across versions equal counts made by hand; the new item is not asked of 1.0.0 responses, and says so', async () => {
    const responses = await stored();
    const report = (await ctx.as('analyst').get('/api/v1/surveys/population/tallies').query({ items: 'ps_ethnicity,ps_household_size', weighted: 'false' }).expect(200)).body;
    const eth = report.items.find((i: { item: string }) => i.item === 'ps_ethnicity').overall;
    expect(eth.base).toBe(responses.length);
    for (const code of ['kazakh', 'russian', 'azerbaijani']) {
      const n = responses.filter((r) => r.answers.ps_ethnicity === code).length;
      const est = eth.estimates.find((e: { category: string }) => e.category === code);
      expect(est.estimate, code).toBeCloseTo(n / responses.length, 12);
    }
    const size = report.items.find((i: { item: string }) => i.item === 'ps_household_size').overall;
    const asked = responses.filter((r) => r.version === '1.1.0');
    expect(size.base).toBe(asked.filter((r) => typeof r.answers.ps_household_size === 'number').length);
    expect(size.excluded).toEqual({ not_asked: responses.filter((r) => r.version === '1.0.0').length });
    const mean = asked.reduce((a, r) => a + (r.answers.ps_household_size as number), 0) / size.base;
    const means = (await ctx.as('analyst').get('/api/v1/surveys/population/tallies').query({ items: 'ps_household_size', weighted: 'false', stat: 'mean' }).expect(200)).body;
    expect(means.items[0].overall.estimates[0].estimate).toBeCloseTo(mean, 10);
  });

  it('computes the indicator matrix over both versions as the engine does on the answers read in 1.1.0 by hand', async () => {
    const responses = await stored();
    const report = (await ctx.as('analyst').get('/api/v1/indicators').expect(200)).body as { indicators: IndicatorResult[]; respondents: Record<SurveyId, number> };
    expect(report.respondents.population).toBe(responses.length);
    const expected = computeMatrix({
      responses: { population: responses.map((r) => ({ answers: r.answers })), organisational: [], external: [] },
      secondary: KAZAKHSTAN_SECONDARY,
    });
    for (const e of expected.indicators.filter((i) => i.source === 'population')) {
      const got = report.indicators.find((i) => i.id === e.id)!;
      expect(got.status, e.id).toBe(e.status);
      if (e.value === null) expect(got.value, e.id).toBeNull();
      else expect(got.value, e.id).toBeCloseTo(e.value, 9);
    }
  });

  it('exports both versions in one file: a questionnaire_version column and the items of both', async () => {
    const res = await ctx.as('analyst').get('/api/v1/surveys/population/export').query({ format: 'csv' }).expect(200);
    const rows = parse(res.text, { columns: true, bom: true }) as Array<Record<string, string>>;
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const s of old) {
      expect(byId.get(s.id)?.questionnaire_version).toBe('1.0.0');
      expect(byId.get(s.id)?.ps_household_size).toBe('');
    }
    for (const s of current) {
      expect(byId.get(s.id)?.questionnaire_version).toBe('1.1.0');
      expect(byId.get(s.id)?.ps_household_size).toBe(String(s.answers.ps_household_size));
      expect(byId.get(s.id)?.ps_ethnicity).toBe(s.answers.ps_ethnicity);
    }
  });

  it('lists the versions, the current one and those accepted; a server holding 1.1.0 back refuses it', async () => {
    const list = (await ctx.as('ainur').get('/api/v1/surveys').expect(200)).body.items as Array<{ id: string; version: string; active: string[] }>;
    expect(list.find((s) => s.id === 'population')).toMatchObject({ version: '1.1.0', active: ['1.0.0', '1.1.0'] });
    const pinned = await makeTestApp(kind, { validators: compileAllValidators({ population: '1.0.0' }) });
    try {
      const listed = (await pinned.as('ainur').get('/api/v1/surveys').expect(200)).body.items as Array<{ id: string; version: string; active: string[] }>;
      expect(listed.find((s) => s.id === 'population')).toMatchObject({ version: '1.0.0', active: ['1.0.0'] });
      const res = await pinned.as('ainur').post(URL).send(current[0]).expect(400);
      expect(res.body).toMatchObject({ code: '400.8', details: { errors: [{ path: '/meta/formVersion', allowedValues: ['1.0.0'] }] } });
      await pinned.as('ainur').post(URL).send(old[0]).expect(201);
    } finally {
      await pinned.t.dispose();
    }
  });
});
