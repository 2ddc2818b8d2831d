// Margins and tallies through the API, on both stores: weighted shares of a margin variable equal the margin;
// unweighted ones equal the sample; breakdowns by one and two variables with small groups flagged, numeric means,
// CSV, the unweighted surveys, failures naming the empty category, and region scoping of what a coordinator's
// tallies are computed from.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { KAZAKHSTAN_2009_MARGINS } from '../../server/domain/weighting/margins.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const BASE = '/api/v1/surveys/population';

describe.each(STORE_KINDS)('weighting API on the %s store', (kind) => {
  let ctx: TestApp;
  const answers: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    ctx = await makeTestApp(kind);
    const gen = new SyntheticGenerator('population', { seed: 8 });
    for (let i = 0; i < 400; i += 1) {
      const s = gen.nextSubmission();
      answers.push(s.answers);
      await ctx.as(i % 2 ? 'ainur' : 'boris').post(`${BASE}/responses`).send(s).expect(201);
    }
  }, 120_000);
  afterAll(async () => {
    await ctx.t.dispose();
  });

  const share = (item: string, code: string) => answers.filter((a) => a[item] === code).length / answers.length;

  it('ships the Kazakhstan 2009 margins, labelled with their status, until someone sets their own', async () => {
    const margins = (await ctx.as('analyst').get(`${BASE}/margins`).expect(200)).body;
    expect(margins.default).toBe(true);
    expect(margins.variables.map((v: { variable: string; status: string }) => [v.variable, v.status])).toEqual([
      ['ps_region', 'unverified'], ['ps_ethnicity', 'placeholder'], ['ps_gender', 'sourced'], ['ps_settlement_type', 'sourced'],
    ]);
    await ctx.as('admin').get('/api/v1/surveys/external/margins').expect(404);
  });

  it('weights to the margins: the weighted share of a margin variable is the margin', async () => {
    const report = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender,ps_settlement_type,ps_trust_people' }).expect(200)).body;
    expect(report.raking.converged).toBe(true);
    expect(report.respondents).toBe(400);
    const est = (item: string, code: string) => report.items.find((i: { item: string }) => i.item === item).overall.estimates.find((e: { category: string }) => e.category === code);
    expect(est('ps_gender', 'male').estimate).toBeCloseTo(0.482, 8);
    expect(est('ps_settlement_type', 'urban').estimate).toBeCloseTo(0.541, 8);
    expect(est('ps_gender', 'male').se).toBeLessThan(1e-6);
    const trust = est('ps_trust_people', 'most_can_be_trusted');
    expect(trust.se).toBeGreaterThan(0);
    expect(trust.ci95[0]).toBeLessThan(trust.estimate);
    expect(trust.deff).toBeGreaterThan(0);
    expect(trust.ci95[0]).toBeGreaterThanOrEqual(0);
    expect(trust.interval).toBe('logit');
    expect(report.ci).toBe('logit');
    expect(report.items[0].overall.kishEffectiveN).toBeGreaterThan(0);
    await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender', trim: '2,3' }).expect(400);
    const capped = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender', tolerance: '1e-14', maxIterations: '2' }).expect(200)).body;
    expect(capped.raking).toMatchObject({ iterations: 2, converged: false });
    expect(capped.raking.maxMarginError).toBeGreaterThan(1e-14);
    const loose = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender', tolerance: '0.01' }).expect(200)).body;
    expect(loose.raking.converged).toBe(true);
    expect(loose.raking.maxMarginError).toBeLessThanOrEqual(0.01);
    expect(loose.raking.iterations).toBeLessThan(report.raking.iterations);
  });

  it('trims as bounded calibration: margins held and weights within bounds, or 422 with the range the margins need', async () => {
    const plain = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender' }).expect(200)).body;
    expect(plain.raking.trimming).toBeUndefined();
    const range = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender', trim: '0.01,99' }).expect(200)).body.raking.trimming.untrimmedRange as [number, number];
    // Bounds just inside what the margins need: the extremes are clamped, the margins still hold.
    const lower = Math.ceil(range[0] * 1.05 * 1000) / 1000;
    const upper = Math.floor(range[1] * 0.95 * 1000) / 1000;
    const res = await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender,ps_settlement_type', trim: `${lower},${upper}` });
    if (res.status === 200) {
      const trimmed = res.body;
      expect(trimmed.raking.converged).toBe(true);
      expect(trimmed.raking.maxMarginError).toBeLessThan(1e-9);
      expect(trimmed.raking.trimming).toMatchObject({ lower, upper });
      expect(trimmed.raking.trimming.atLower + trimmed.raking.trimming.atUpper).toBeGreaterThan(0);
      expect(trimmed.raking.trimming.range[0]).toBeGreaterThanOrEqual(lower * (1 - 1e-9));
      expect(trimmed.raking.trimming.range[1]).toBeLessThanOrEqual(upper * (1 + 1e-9));
      expect(trimmed.items[0].overall.estimates.find((e: { category: string }) => e.category === 'male').estimate).toBeCloseTo(0.482, 8);
    } else {
      expect(res.status).toBe(422);
    }
    const impossible = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender', trim: '0.9,1.1' }).expect(422)).body;
    expect(impossible).toMatchObject({ code: '422.1', details: { bounds: { lower: 0.9, upper: 1.1 } } });
    expect(impossible.details.achievedRange).toEqual(range);
    expect(impossible.details.reason).toMatch(/the margins need weights from/);
  });

  it('gives intervals as asked (logit, beta or wald) and means of scales with stat=mean', async () => {
    const q = { items: 'ps_trust_people', by: 'ps_region' };
    const logit = (await ctx.as('analyst').get(`${BASE}/tallies`).query(q).expect(200)).body;
    const beta = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ ...q, ci: 'beta' }).expect(200)).body;
    const wald = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ ...q, ci: 'wald' }).expect(200)).body;
    expect([logit.ci, beta.ci, wald.ci]).toEqual(['logit', 'beta', 'wald']);
    for (const [report, method] of [[logit, 'logit'], [beta, 'beta']] as const) {
      for (const g of [report.items[0].overall, ...report.items[0].by.groups]) {
        for (const e of g.estimates) {
          expect(e.interval).toBe(method);
          if (e.estimate === null) continue;
          expect(e.ci95[0]).toBeGreaterThanOrEqual(0);
          expect(e.ci95[1]).toBeLessThanOrEqual(1);
          expect(e.ci95[0]).toBeLessThanOrEqual(e.estimate);
          expect(e.ci95[1]).toBeGreaterThanOrEqual(e.estimate);
        }
      }
    }
    const w = wald.items[0].overall.estimates[0];
    expect(w.ci95[0]).toBeCloseTo(w.estimate - 1.959963984540054 * w.se, 12);
    const scale = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_justify_cheat_taxes,ps_age_years', stat: 'mean', by: 'ps_gender' }).expect(200)).body;
    expect(scale.stat).toBe('mean');
    const mean = scale.items[0];
    expect(mean.stat).toBe('mean');
    expect(mean.overall.estimates).toHaveLength(1);
    const e = mean.overall.estimates[0];
    expect(e).toMatchObject({ category: null, interval: 'wald', n: mean.overall.base });
    const values = answers.map((a) => a.ps_justify_cheat_taxes).filter((v): v is number => typeof v === 'number');
    expect(e.estimate).toBeGreaterThanOrEqual(Math.min(...values));
    expect(e.estimate).toBeLessThanOrEqual(Math.max(...values));
    expect(e.se).toBeGreaterThan(0);
    expect(e.deff).toBeGreaterThan(0);
    expect(e.ci95[1] - e.ci95[0]).toBeCloseTo(2 * 1.959963984540054 * e.se, 12);
    const unweighted = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_justify_cheat_taxes', stat: 'mean', weighted: 'false' }).expect(200)).body;
    expect(unweighted.items[0].overall.estimates[0].estimate).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 12);
    const refused = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_trust_people', stat: 'mean' }).expect(400)).body;
    expect(refused.details.errors[0]).toMatchObject({ path: '/items', item: 'ps_trust_people', keyword: 'stat' });
    await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_trust_people', ci: 'exact' }).expect(400);
  });

  it('gives the sample\'s own shares unweighted, and breakdowns and means', async () => {
    const report = (await ctx.as('coord').get(`${BASE}/tallies`).query({ items: 'ps_gender,ps_age_years', by: 'ps_age_band', weighted: 'false' }).expect(200)).body;
    const gender = report.items[0];
    expect(gender.overall.estimates.find((e: { category: string }) => e.category === 'female').estimate).toBeCloseTo(share('ps_gender', 'female'), 12);
    const bands = gender.by.groups.map((g: { values: { ps_age_band: string } }) => g.values.ps_age_band);
    expect(bands).toEqual(['18_25', '26_35', '36_45', '46_55', '56_60', '61_plus'].filter((b) => bands.includes(b)));
    const age = report.items[1].overall.estimates[0];
    const mean = answers.reduce((s, a) => s + (a.ps_age_years as number), 0) / answers.length;
    expect(age.category).toBeNull();
    expect(age.estimate).toBeCloseTo(mean, 9);
  });

  it('breaks down by two variables, counts every group exactly and flags small ones', async () => {
    const report = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_trust_people', by: 'ps_gender,ps_settlement_type', minCell: '60', weighted: 'false' }).expect(200)).body;
    expect(report.by).toEqual(['ps_gender', 'ps_settlement_type']);
    const groups = report.items[0].by.groups as Array<{ values: Record<string, string>; base: number; small: boolean; excluded: Record<string, number> }>;
    expect(groups.length).toBe(4);
    for (const g of groups) {
      const members = answers.filter((a) => a.ps_gender === g.values.ps_gender && a.ps_settlement_type === g.values.ps_settlement_type);
      const inBase = members.filter((a) => typeof a.ps_trust_people === 'string' && !['dk', 'ref'].includes(a.ps_trust_people));
      expect(g.base).toBe(inBase.length);
      expect(g.base + Object.values(g.excluded).reduce((x, y) => x + y, 0)).toBe(members.length);
      expect(g.small).toBe(inBase.length < 60);
    }
    await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_trust_people', by: 'ps_gender,ps_gender' }).expect(400);
    const bad = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_trust_people', by: 'ps_age_years' }).expect(400)).body;
    expect(bad.details.errors[0]).toMatchObject({ path: '/by', item: 'ps_age_years' });
  });

  it('answers as CSV, one row per item, group and category', async () => {
    const res = await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender,ps_age_years', by: 'ps_gender', format: 'csv' }).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(res.text, { columns: true }) as Array<Record<string, string>>;
    const json = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender,ps_age_years', by: 'ps_gender' }).expect(200)).body;
    const male = rows.find((r) => r.item === 'ps_gender' && r.group === 'all' && r.category === 'male');
    expect(Number(male?.estimate)).toBe(json.items[0].overall.estimates.find((e: { category: string }) => e.category === 'male').estimate);
    expect(Number(male?.se)).toBe(json.items[0].overall.estimates.find((e: { category: string }) => e.category === 'male').se);
    expect(rows.filter((r) => r.item === 'ps_age_years').map((r) => r.group)).toEqual(['all', 'ps_gender=male', 'ps_gender=female']);
    expect(rows).toHaveLength(3 * 2 + 3);
  });

  it('tallies the organisational survey unweighted, and refuses to weight it', async () => {
    const gen = new SyntheticGenerator('organisational', { seed: 9 });
    const orgs = Array.from({ length: 12 }, () => gen.nextSubmission());
    for (const s of orgs) await ctx.as('ainur').post('/api/v1/surveys/organisational/responses').send(s).expect(201);
    const closed = Object.entries(orgs[0]?.answers ?? {}).find(([, v]) => typeof v === 'string' && !v.includes('-') && !v.includes(' '));
    const id = closed?.[0] as string;
    const report = (await ctx.as('analyst').get('/api/v1/surveys/organisational/tallies').query({ items: id }).expect(200)).body;
    expect(report.weighted).toBe(false);
    expect(report.raking).toBeNull();
    expect(report.respondents).toBe(12);
    const total = report.items[0].overall.estimates.reduce((s: number, e: { n: number }) => s + e.n, 0);
    expect(total).toBe(report.items[0].overall.base);
    await ctx.as('analyst').get('/api/v1/surveys/organisational/tallies').query({ items: id, weighted: 'true' }).expect(404);
  });

  it('names the margin category nobody is in, and refuses unknown items', async () => {
    const withUzbek = KAZAKHSTAN_2009_MARGINS.variables.map((v) => (v.variable === 'ps_ethnicity' ? { ...v, shares: { ...v.shares, uzbek: 2.8 }, collapse: { tatar: 'other' } } : v));
    await ctx.as('coord').put(`${BASE}/margins`).send({ variables: withUzbek }).expect(200);
    const failed = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_trust_people' }).expect(409)).body;
    expect(failed).toMatchObject({ code: '409.5', details: { variable: 'ps_ethnicity', category: 'uzbek', respondents: 0 } });
    // A share of 0 for a category with respondents: 409 naming it, how many and some of their response ids.
    const zero = KAZAKHSTAN_2009_MARGINS.variables.map((v) => (v.variable === 'ps_ethnicity' ? { ...v, shares: { ...v.shares, russian: 0 } } : v));
    await ctx.as('coord').put(`${BASE}/margins`).send({ variables: zero }).expect(200);
    const zeroShare = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_trust_people' }).expect(409)).body;
    const count = answers.filter((a) => a.ps_ethnicity === 'russian').length;
    expect(zeroShare).toMatchObject({ code: '409.5', details: { variable: 'ps_ethnicity', category: 'russian', respondents: count } });
    expect(zeroShare.details.reason).toMatch(new RegExp(`"russian" has ${count} respondent\\(s\\) but a population share of 0`));
    expect(zeroShare.details.responseIds.length).toBeGreaterThan(0);
    for (const id of zeroShare.details.responseIds) expect((await ctx.as('analyst').get(`${BASE}/responses/${id}`).expect(200)).body.answers.ps_ethnicity).toBe('russian');
    // The export leaves the weights blank then, as before; with a trim it is the 422 of impossible bounds, or blank.
    await ctx.as('coord').put(`${BASE}/margins`).send({ variables: KAZAKHSTAN_2009_MARGINS.variables }).expect(200);
    expect((await ctx.as('analyst').get(`${BASE}/margins`).expect(200)).body.default).toBe(false);
    const bad = (await ctx.as('coord').put(`${BASE}/margins`).send({ variables: [{ variable: 'ps_gender', shares: { male: 1, other: 1 }, source: 'x', status: 'sourced' }] }).expect(400)).body;
    expect(bad.details.errors[0]).toMatchObject({ item: 'ps_gender', keyword: 'enum' });
    expect((await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_nonsense' }).expect(400)).body.code).toBe('400.3');
  });

  it('exports a weight per counted response, raked to the margins', async () => {
    const text = (await ctx.as('analyst').get(`${BASE}/export`).buffer(true).parse((res, cb) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => cb(null, body));
    }).expect(200)).body as string;
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(400);
    const weights = rows.map((r) => Number(r.weight));
    expect(weights.every((w) => w > 0)).toBe(true);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(400, 6);
    const male = rows.filter((r) => r.ps_gender === 'male').reduce((s, r) => s + Number(r.weight), 0);
    expect(male / 400).toBeCloseTo(0.482, 6);
  });

  it('exports trimmed weights with trim=lower,upper, and 422 before any byte when the bounds cannot hold', async () => {
    const range = (await ctx.as('analyst').get(`${BASE}/tallies`).query({ items: 'ps_gender', trim: '0.01,99' }).expect(200)).body.raking.trimming.untrimmedRange as [number, number];
    const upper = Math.floor(range[1] * 0.97 * 1000) / 1000;
    const res = await ctx.as('analyst').get(`${BASE}/export`).query({ trim: `0.01,${upper}` }).buffer(true).parse((r, cb) => {
      let body = '';
      r.on('data', (c: Buffer) => { body += c.toString(); });
      r.on('end', () => cb(null, body));
    });
    if (res.status === 200) {
      const rows = parse(res.body as string, { columns: true }) as Array<Record<string, string>>;
      const weights = rows.map((r) => Number(r.weight));
      expect(Math.max(...weights) / (weights.reduce((a, b) => a + b, 0) / weights.length)).toBeLessThanOrEqual(upper * (1 + 1e-9));
      const male = rows.filter((r) => r.ps_gender === 'male').reduce((s, r) => s + Number(r.weight), 0);
      expect(male / 400).toBeCloseTo(0.482, 8);
    } else {
      expect(res.status).toBe(422);
    }
    const impossible = await ctx.as('analyst').get(`${BASE}/export`).query({ trim: '0.9,1.1' }).expect(422);
    expect(impossible.body).toMatchObject({ code: '422.1', details: { bounds: { lower: 0.9, upper: 1.1 } } });
    await ctx.as('analyst').get('/api/v1/surveys/external/export').query({ trim: '0.5,2' }).expect(404);
  });

  it('computes a scoped coordinator\'s tallies from their regions only', async () => {
    const report = (await ctx.as('coord_akm').get(`${BASE}/tallies`).query({ items: 'ps_gender', weighted: 'false' }).expect(200)).body;
    expect(report.respondents).toBe(answers.filter((a) => a.ps_region === 'akmola' || a.ps_region === 'aktobe').length);
  });
});
