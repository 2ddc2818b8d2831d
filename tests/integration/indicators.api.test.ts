// The CSI indicator matrix through the API, on both stores, from a seeded end-to-end data set of population,
// organisational and external responses submitted as interviewers submit them: every indicator computed (or
// missing with a reason) and equal to the pure engine on the same answers; CSV in Appendix 1 order; the Diamond;
// secondary data stored, validated and audited; weighted against unweighted; breakdowns by region; scoping and
// rejected responses.
import { parse } from 'csv-parse/sync';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import type { SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { formatScore } from '../../server/domain/indicators/aggregation.js';
import { computeMatrix, type IndicatorResult, type MatrixResult } from '../../server/domain/indicators/compute.js';
import { KAZAKHSTAN_SECONDARY } from '../../server/domain/indicators/secondary.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const SIZES: Record<SurveyId, number> = { population: 400, organisational: 80, external: 40 };
const URL = '/api/v1/indicators';

type Report = MatrixResult & { respondents: Record<SurveyId, number>; secondaryDefault: boolean; raking: { converged: boolean } | null };

/** Reads an SVG answer as text (superagent treats image types as binary). */
function svgText(res: request.Response, done: (err: Error | null, body: unknown) => void): void {
  let text = '';
  (res as unknown as NodeJS.ReadableStream).setEncoding('utf8');
  (res as unknown as NodeJS.ReadableStream).on('data', (chunk: string) => { text += chunk; });
  (res as unknown as NodeJS.ReadableStream).on('end', () => done(null, text));
}

describe.each(STORE_KINDS)('indicators API on the %s store', (kind) => {
  let ctx: TestApp;
  const submitted: Record<SurveyId, Submission[]> = { population: [], organisational: [], external: [] };
  const indicator = (report: Report, id: string) => report.indicators.find((i) => i.id === id) as IndicatorResult;

  beforeAll(async () => {
    ctx = await makeTestApp(kind);
    for (const survey of Object.keys(SIZES) as SurveyId[]) {
      const gen = new SyntheticGenerator(survey, { seed: 88 + Object.keys(SIZES).indexOf(survey) });
      for (let i = 0; i < SIZES[survey]; i += 1) {
        const s = gen.nextSubmission();
        submitted[survey].push(s);
        await ctx.as(i % 2 ? 'ainur' : 'boris').post(`/api/v1/surveys/${survey}/responses`).send(s).expect(201);
      }
    }
  }, 240_000);
  afterAll(async () => {
    await ctx.t.dispose();
  });

  it('computes every indicator of the matrix from the submitted responses, or says why it is missing', async () => {
    const report = (await ctx.as('analyst').get(URL).expect(200)).body as Report;
    expect(report.respondents).toEqual(SIZES);
    expect(report.weighted).toBe(false);
    expect(report.secondaryDefault).toBe(true);
    expect(report.indicators).toHaveLength(65);
    expect(report.subDimensions).toHaveLength(27);
    expect(report.dimensions).toHaveLength(5);
    for (const i of report.indicators) {
      if (i.status === 'ok') {
        expect(i.value, i.id).toBeGreaterThanOrEqual(0);
        expect(i.value, i.id).toBeLessThanOrEqual(100);
        if (i.source !== 'secondary') expect(i.base, i.id).toBeGreaterThan(0);
      } else {
        expect(i.value, i.id).toBeNull();
        expect(i.reason, i.id).toMatch(/\w/);
      }
      expect(i.rule, i.id).toMatch(/\w/);
      // Without ?lang= the rules are in English words too: questions by their labels, never an item id.
      expect(i.rule, i.id).not.toMatch(/\b(ps|os|es)_[a-z0-9_]+/);
      expect(['population', 'organisational', 'external', 'secondary']).toContain(i.source);
      expect(['V', 'S', 'P', 'I', 'U']).toContain(i.confidence);
      expect(i.default).toBe(i.confidence === 'U');
    }
    expect(report.defaults.length).toBeGreaterThan(0);
    // The same numbers as the pure engine on the answers as they were submitted.
    const expected = computeMatrix({
      responses: Object.fromEntries(Object.entries(submitted).map(([s, list]) => [s, list.map((x) => ({ answers: x.answers }))])),
      secondary: KAZAKHSTAN_SECONDARY,
    });
    for (const e of expected.indicators) {
      const got = indicator(report, e.id);
      expect([got.status, got.reason, got.n, got.base], e.id).toEqual([e.status, e.reason, e.n, e.base]);
      if (e.value === null) expect(got.value).toBeNull();
      else expect(got.value, e.id).toBeCloseTo(e.value, 10);
    }
    for (const d of expected.dimensions) {
      const got = report.dimensions.find((x) => x.id === d.id);
      expect(got?.status, d.id).toBe(d.status);
      if (d.value !== null) expect(got?.value).toBeCloseTo(d.value, 10);
    }
  });

  it('sends the matrix as CSV in Appendix 1 order, names in the language asked for', async () => {
    const res = await ctx.as('coord').get(URL).query({ format: 'csv', lang: 'ru' }).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/csi-indicators\.csv/);
    const rows = parse(res.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(5 + 27 + 65);
    expect(rows.slice(0, 3).map((r) => [r.level, r.id])).toEqual([['dimension', '1'], ['subDimension', '1.1'], ['indicator', '1.1.1']]);
    expect(rows[0]?.name).toBe('Гражданская активность');
    const report = (await ctx.as('coord').get(URL).expect(200)).body as Report;
    for (const r of rows.filter((x) => x.level === 'indicator')) {
      const i = indicator(report, r.id as string);
      expect(r.score, r.id).toBe(formatScore(i.value) ?? '');
      expect(r.status).toBe(i.status);
      expect(r.source).toBe(i.source);
      expect(r.confidence).toBe(i.confidence);
      expect(r.default).toBe(String(i.default));
      expect(r.n).toBe(i.n === null ? '' : String(i.n));
    }
  });

  it('draws the Diamond as SVG with the dimension scores, in the language asked for', async () => {
    const report = (await ctx.as('analyst').get(URL).expect(200)).body as Report;
    const res = await ctx.as('analyst').get(`${URL}/diamond.svg`).query({ lang: 'kk' }).buffer(true).parse(svgText).expect(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const svg = res.body as string;
    expect(svg).toMatch(/^<svg /);
    expect((svg.match(/class="axis"/g) ?? []).length).toBe(4);
    expect(svg).toMatch(/Азаматтық(<\/tspan><tspan[^>]*>| )белсенділік/);
    for (const d of report.dimensions) {
      expect(svg).toContain(d.value === null ? 'дерек жоқ' : `>${formatScore(d.value)}</tspan>`);
    }
    await ctx.as('analyst').get(`${URL}/diamond.svg`).query({ lang: 'fr' }).expect(400);
  });

  it('ships the report\'s secondary data, stores a validated replacement with an audit entry, and uses it', async () => {
    const shipped = (await ctx.as('analyst').get(`${URL}/secondary`).expect(200)).body;
    expect(shipped.default).toBe(true);
    expect(shipped.values.cpi).toMatchObject({ value: 2.2, year: 2008 });
    expect(shipped.labels.cpi).toMatch(/Corruption Perceptions Index/);

    const bad = await ctx.as('coord').put(`${URL}/secondary`).send({ cpi: { value: -1, source: 'TI' }, nonsense: { value: 1, source: 'x', year: 2000 } }).expect(400);
    expect(bad.body.code).toBe('400.2');
    const errors = bad.body.details.errors as Array<{ path: string; item: string | null; keyword: string; message: string }>;
    expect(errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: '/nonsense', keyword: 'additionalProperties', item: 'nonsense' }),
      expect.objectContaining({ path: '/cpi/year', keyword: 'required', item: 'cpi' }),
      expect.objectContaining({ path: '/cpi/value', keyword: 'minimum', item: 'cpi' }),
    ]));
    for (const e of errors) expect(e.message).toMatch(/\w/);
    await ctx.as('analyst').put(`${URL}/secondary`).send(KAZAKHSTAN_SECONDARY).expect(403);

    const { bci: _bci, ...withoutBci } = KAZAKHSTAN_SECONDARY;
    const mine = { ...withoutBci, cpi: { value: 2.7, source: 'Transparency International, CPI 2009', year: 2009 } };
    const stored = (await ctx.as('coord').put(`${URL}/secondary`).send(mine).expect(200)).body;
    expect(stored.default).toBe(false);
    expect((await ctx.as('analyst').get(`${URL}/secondary`).expect(200)).body).toMatchObject({ default: false, values: { cpi: { value: 2.7, year: 2009 } } });

    const report = (await ctx.as('analyst').get(URL).expect(200)).body as Report;
    expect(report.secondaryDefault).toBe(false);
    expect(indicator(report, '5.1.2').value).toBeCloseTo(27, 10);
    expect(indicator(report, '5.1.2').inputs).toEqual([expect.objectContaining({ key: 'cpi', value: 2.7, year: 2009, source: 'Transparency International, CPI 2009' })]);
    expect(indicator(report, '5.1.1')).toMatchObject({ status: 'missing', value: null, reason: expect.stringMatching(/bci .* not provided/) });
    expect(report.subDimensions.find((s) => s.id === '5.1')).toMatchObject({ status: 'missing', value: null, reason: expect.stringMatching(/5\.1\.1/) });
    expect(report.dimensions.find((d) => d.id === '5')).toMatchObject({ status: 'missing', value: null });
    const svg = (await ctx.as('analyst').get(`${URL}/diamond.svg`).buffer(true).parse(svgText).expect(200)).body as string;
    expect(svg).toMatch(/class="environment" data-dimension="5" data-value="" data-radius="0"/);

    const audit = (await ctx.as('admin').get('/api/v1/audit').query({ action: 'indicators.secondary.updated' }).expect(200)).body;
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actor: 'coord', target: 'indicators:secondary' });

    await ctx.as('admin').put(`${URL}/secondary`).send(KAZAKHSTAN_SECONDARY).expect(200);
    expect(indicator((await ctx.as('analyst').get(URL).expect(200)).body as Report, '5.1.1').value).toBe(98);
  });

  it('weights the population indicators on request, with raking-aware standard errors; other sources are unchanged', async () => {
    const plain = (await ctx.as('analyst').get(URL).query({ weighted: 'false' }).expect(200)).body as Report;
    const weighted = (await ctx.as('analyst').get(URL).query({ weighted: 'true' }).expect(200)).body as Report;
    expect(plain.weighted).toBe(false);
    expect(plain.raking).toBeNull();
    expect(weighted.weighted).toBe(true);
    expect(weighted.raking?.converged).toBe(true);
    let differ = 0;
    for (const w of weighted.indicators) {
      const p = indicator(plain, w.id);
      if (w.source === 'population') {
        expect(w.weighted, w.id).toBe(true);
        expect(w.base, w.id).toBe(p.base);
        if (w.value !== null && p.value !== null && Math.abs(w.value - p.value) > 1e-9) differ += 1;
      } else {
        expect(w.weighted, w.id).toBe(false);
        expect(w.value, w.id).toBe(p.value);
        expect(w.se, w.id).toBe(p.se);
      }
    }
    expect(differ).toBeGreaterThan(10);
    const trust = indicator(weighted, '5.3.1');
    expect(trust.se).toBeGreaterThan(0);
    expect(trust.weightedBase).not.toBe(trust.base);
  });

  it('breaks the population indicators down by region, with bases adding up to the whole', async () => {
    const report = (await ctx.as('analyst').get(URL).query({ by: 'ps_region' }).expect(200)).body as Report;
    expect(report.breakdownBy).toBe('ps_region');
    const trust = indicator(report, '5.3.1');
    expect(trust.breakdown).toHaveLength(16);
    expect(trust.breakdown?.[0]?.category).toBe('akmola');
    expect(trust.breakdown?.reduce((a, c) => a + (c.base ?? 0), 0)).toBe(trust.base);
    for (const c of trust.breakdown ?? []) {
      const people = submitted.population.filter((s) => s.answers.ps_region === c.category).length;
      if (people === 0) expect(c).toMatchObject({ status: 'missing', value: null });
    }
    for (const i of report.indicators) expect(i.breakdown === null, i.id).toBe(i.source !== 'population');
    const csv = parse((await ctx.as('analyst').get(URL).query({ by: 'ps_region', format: 'csv' }).expect(200)).text, { columns: true }) as Array<Record<string, string>>;
    expect(csv.filter((r) => r.id === '5.3.1' && r.level === 'group').map((r) => r.group)).toContain('ps_region=almaty_city');
    await ctx.as('analyst').get(URL).query({ by: 'ps_gender' }).expect(400);
    const banded = (await ctx.as('analyst').get(URL).query({ by: 'ps_age_band', weighted: 'true' }).expect(200)).body as Report;
    expect(indicator(banded, '5.3.1').breakdown?.map((c) => c.category)).toEqual(['18_25', '26_35', '36_45', '46_55', '56_60', '61_plus']);
  });

  it('computes from what the caller may see: a region-scoped coordinator\'s regions; never rejected responses', async () => {
    const scoped = (await ctx.as('coord_akm').get(URL).expect(200)).body as Report;
    const inScope = submitted.population.filter((s) => ['akmola', 'aktobe'].includes(s.answers.ps_region as string)).length;
    expect(scoped.respondents.population).toBe(inScope);
    const victim = submitted.external[0] as Submission;
    await ctx.as('coord').patch(`/api/v1/surveys/external/responses/${victim.id}`).send({ status: 'rejected', comment: 'duplicate' }).expect(200);
    const after = (await ctx.as('analyst').get(URL).expect(200)).body as Report;
    expect(after.respondents.external).toBe(SIZES.external - 1);
    const res = await ctx.as('analyst').get(URL).query({ weighted: 'maybe' }).expect(400);
    expect(res.body.code).toBe('400.3');
    await ctx.as('ainur').get(URL).expect(403);
  });
});
