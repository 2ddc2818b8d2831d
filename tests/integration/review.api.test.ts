// Issue 16 through the API, on every store: an interviewer's fix of a response returned to them (has_issues) is a
// new revision of the same response, by its own interviewer only and only while it is returned, audited, status back
// to submitted; a review body that fits neither form says what a review may hold; the over-quota mark is a revision
// with an audit entry; the review list filters, counts, sorts and pages, and the review detail explains the flags;
// a region-scoped coordinator can neither list, open nor act on another region's response.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import { STORE_KINDS } from '../support/stores.js';

const BASE = '/api/v1/surveys/population';
const RESPONSES = `${BASE}/responses`;

/** A submission timed to last `minutes`, in a region, with every section timed alike. */
function timed(gen: SyntheticGenerator, minutes: number, region = 'almaty_city'): Submission {
  const s = gen.nextSubmission();
  const start = Date.parse('2026-11-01T08:00:00Z');
  const sections = Object.keys(s.meta.sectionDurations ?? { screening: 1 });
  const each = (minutes * 60) / Math.max(1, sections.length);
  return {
    ...s,
    answers: { ...s.answers, ps_region: region },
    meta: { ...s.meta, startedAt: new Date(start).toISOString(), completedAt: new Date(start + minutes * 60_000).toISOString(), sectionDurations: Object.fromEntries(sections.map((id) => [id, each])) },
  };
}

describe.each(STORE_KINDS)('review on %s', (kind) => {
  let ctx: TestApp;
  let gen: SyntheticGenerator;
  beforeEach(async () => {
    ctx = await makeTestApp(kind);
    gen = new SyntheticGenerator('population', { seed: 16 });
  }, 60_000);
  afterEach(async () => {
    await ctx?.t.dispose();
  });

  it('stores an interviewer\'s fix of a returned response as a new revision, only theirs and only while returned', async () => {
    const s = timed(gen, 40);
    await ctx.as('ainur').post(RESPONSES).send(s).expect(201);
    const fix = { ...s, answers: { ...s.answers, ps_age_years: 44 } };
    // Not returned yet: other content under the same id is still a conflict.
    expect((await ctx.as('ainur').post(RESPONSES).send(fix).expect(409)).body.code).toBe('409.1');
    await ctx.as('coord').patch(`${RESPONSES}/${s.id}`).send({ status: 'has_issues', comment: 'Age looks wrong', revision: 1 }).expect(200);
    // Someone else's: a conflict, never a revision.
    expect((await ctx.as('boris').post(RESPONSES).send(fix).expect(409)).body.code).toBe('409.1');

    const res = await ctx.as('ainur').post(RESPONSES).send(fix).expect(200);
    expect(res.body).toMatchObject({ id: s.id, status: 'submitted', revision: 3, answers: { ps_age_years: 44 }, meta: { startedAt: s.meta.startedAt } });
    const revisions = (await ctx.as('coord').get(`${RESPONSES}/${s.id}/revisions`).expect(200)).body.items;
    expect(revisions.at(-1)).toMatchObject({ revision: 3, action: 'resubmitted', actor: 'ainur', status: 'submitted', changes: [{ item: 'ps_age_years', before: s.answers.ps_age_years, after: 44 }] });
    // A retry of the fix is recognised; the status is no longer has_issues, so a second, different fix is refused.
    await ctx.as('ainur').post(RESPONSES).send(fix).expect(200);
    expect((await ctx.as('ainur').post(RESPONSES).send({ ...fix, answers: { ...fix.answers, ps_age_years: 45 } }).expect(409)).body.code).toBe('409.1');
    const audit = (await ctx.as('admin').get(`/api/v1/audit?target=response:${s.id}`).expect(200)).body.items.map((e: { action: string; actor: string }) => `${e.action} ${e.actor}`);
    expect(audit).toEqual(expect.arrayContaining(['response.created ainur', 'response.reviewed coord', 'response.resubmitted ainur']));
    expect(audit.filter((a: string) => a.startsWith('response.resubmitted'))).toHaveLength(1);
  });

  it('refuses a fix of a rejected response (409.2)', async () => {
    const s = timed(gen, 40);
    await ctx.as('ainur').post(RESPONSES).send(s).expect(201);
    await ctx.as('coord').patch(`${RESPONSES}/${s.id}`).send({ status: 'rejected', comment: 'Not a real interview' }).expect(200);
    expect((await ctx.as('ainur').post(RESPONSES).send({ ...s, answers: { ...s.answers, ps_age_years: 44 } }).expect(409)).body.code).toBe('409.2');
  });

  it('says what a review may hold when a body fits neither form', async () => {
    const s = timed(gen, 40);
    await ctx.as('ainur').post(RESPONSES).send(s).expect(201);
    const res = await ctx.as('coord').patch(`${RESPONSES}/${s.id}`).send({ answers: { ps_age_years: 44 } }).expect(400);
    expect(res.body.code).toBe('400.2');
    const errors = res.body.details.errors as Array<{ path: string; keyword: string; message: string }>;
    expect(errors.map((e) => `${e.path} ${e.keyword}`)).toEqual([' anyOf', '/answers additionalProperties']);
    expect(errors[0]?.message).toMatch(/`status`.*`corrections`/);
    expect(errors[1]?.message).toMatch(/corrections/);
    // The documented form works.
    await ctx.as('coord').patch(`${RESPONSES}/${s.id}`).send({ corrections: { ps_age_years: 44 }, comment: 'confirmed by phone', revision: 1 }).expect(200);
  });

  it('accepts exactly one of 10 concurrent reviews of one revision; the others get 409.3 and the history has one review', async () => {
    const s = timed(gen, 40);
    await ctx.as('ainur').post(RESPONSES).send(s).expect(201);
    const statuses = ['approved', 'has_issues', 'rejected'] as const;
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.as('coord').patch(`${RESPONSES}/${s.id}`).send({ status: statuses[i % 3], comment: `review ${i}`, revision: 1 })));
    const ok = outcomes.filter((o) => o.status === 200);
    expect(ok).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 409).map((o) => o.body.code)).toEqual(Array(9).fill('409.3'));
    const revisions = (await ctx.as('coord').get(`${RESPONSES}/${s.id}/revisions`).expect(200)).body.items as Array<{ revision: number; comment?: string }>;
    expect(revisions.map((r) => r.revision)).toEqual([1, 2]);
    // The stored review is the accepted one whole: its comment names the review whose status it has.
    const winner = Number(/^review (\d)$/.exec(revisions[1]?.comment ?? '')?.[1]);
    const detail = (await ctx.as('coord').get(`${RESPONSES}/${s.id}`).expect(200)).body;
    expect(detail).toMatchObject({ revision: 2, status: statuses[winner % 3] });
    expect(ok[0]?.body).toMatchObject({ revision: 2, status: statuses[winner % 3] });
  });

  it('marks a response over quota as a revision with an audit entry', async () => {
    const plan = { policy: 'flag', quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 1 }, { categories: { ps_gender: 'female' }, target: 1 }] }] };
    await ctx.as('coord').put(`${BASE}/quotas`).send(plan).expect(200);
    const first = timed(gen, 40);
    const second = timed(gen, 40);
    for (const s of [first, second]) s.answers.ps_gender = 'female';
    await ctx.as('ainur').post(RESPONSES).send(first).expect(201);
    const res = await ctx.as('ainur').post(RESPONSES).send(second).expect(201);
    expect(res.body).toMatchObject({ overQuota: ['gender'], revision: 2 });
    const revisions = (await ctx.as('coord').get(`${RESPONSES}/${second.id}/revisions`).expect(200)).body.items;
    expect(revisions.map((r: { action: string }) => r.action)).toEqual(['created', 'flagged']);
    expect(revisions[1]).toMatchObject({ actor: null, overQuota: ['gender'], status: 'submitted' });
    const audit = (await ctx.as('admin').get(`/api/v1/audit?target=response:${second.id}`).expect(200)).body.items.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['response.created', 'response.flagged']));
    const over = (await ctx.as('coord').get(`${BASE}/review?overQuota=true`).expect(200)).body.items;
    expect(over.map((r: { id: string; overQuota: string[] }) => [r.id, r.overQuota])).toEqual([[second.id, ['gender']]]);
    const detail = (await ctx.as('coord').get(`${BASE}/review/${second.id}`).expect(200)).body;
    expect(detail.quotaCells).toEqual([{ quota: 'gender', categories: { ps_gender: 'female' } }]);
  });

  it('lists for review with flags, counts, filters, sort by length and cursor pages', async () => {
    const normal = Array.from({ length: 11 }, (_, k) => timed(gen, 40 + k));
    const speeder = timed(gen, 4);
    for (const s of [...normal, speeder]) await ctx.as('ainur').post(RESPONSES).send(s).expect(201);
    await ctx.as('coord').patch(`${RESPONSES}/${normal[0]!.id}`).send({ status: 'approved' }).expect(200);

    const flagged = (await ctx.as('coord').get(`${BASE}/review?flag=speeder`).expect(200)).body;
    expect(flagged.items.map((r: { id: string }) => r.id)).toEqual([speeder.id]);
    expect(flagged.items[0]).toMatchObject({ flags: ['speeder'], durationSeconds: 240, interviewer: 'ainur', status: 'submitted' });
    expect(flagged.counts).toMatchObject({ submitted: 1, approved: 0 });

    const all = (await ctx.as('coord').get(`${BASE}/review?status=submitted`).expect(200)).body;
    expect(all.counts).toMatchObject({ submitted: 11, approved: 1, rejected: 0, has_issues: 0 });
    expect(all.total).toBe(11);

    // Sorted by length, longest first, three at a time: the pages join up without gaps or repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; next: string | null } = (await ctx.as('coord').get(`${BASE}/review?sort=-duration&limit=3${cursor ? `&cursor=${cursor}` : ''}`).expect(200)).body;
      seen.push(...page.items.map((r: { id: string }) => r.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual([...normal].reverse().map((s) => s.id).concat(speeder.id));
    expect((await ctx.as('coord').get(`${BASE}/review?id=${speeder.id.slice(0, 8)}`).expect(200)).body.items.map((r: { id: string }) => r.id)).toEqual([speeder.id]);
    expect((await ctx.as('coord').get(`${BASE}/review?flag=fast`).expect(400)).body.code).toBe('400.3');

    const detail = (await ctx.as('coord').get(`${BASE}/review/${speeder.id}`).expect(200)).body;
    expect(detail.flags).toEqual([expect.objectContaining({ flag: 'speeder', detail: expect.objectContaining({ seconds: 240 }) })]);
    expect(detail.durationSeconds).toBe(240);
    expect(detail.sections.length).toBeGreaterThan(0);
    expect(detail.sections[0].seconds).toBeLessThan(detail.sections[0].medianSeconds);
    expect(detail.revisions.map((r: { action: string }) => r.action)).toEqual(['created']);
    // Analysts read without who interviewed; interviewers do not read the review at all.
    expect((await ctx.as('analyst').get(`${BASE}/review?flag=speeder`).expect(200)).body.items[0].interviewer).toBeNull();
    await ctx.as('ainur').get(`${BASE}/review`).expect(403);
  });

  it('keeps a region-scoped coordinator to their regions: list, detail and actions', async () => {
    const inside = timed(gen, 40, 'akmola');
    const outside = timed(gen, 40, 'almaty_city');
    for (const s of [inside, outside]) await ctx.as('ainur').post(RESPONSES).send(s).expect(201);
    const list = (await ctx.as('coord_akm').get(`${BASE}/review`).expect(200)).body;
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([inside.id]);
    expect(list.counts.submitted).toBe(1);
    expect((await ctx.as('coord_akm').get(`${BASE}/review?region=almaty_city`).expect(200)).body.items).toEqual([]);
    expect((await ctx.as('coord_akm').get(`${BASE}/review?id=${outside.id}`).expect(200)).body.items).toEqual([]);
    expect((await ctx.as('coord_akm').get(`${BASE}/review/${outside.id}`).expect(404)).body.code).toBe('404.2');
    expect((await ctx.as('coord_akm').patch(`${RESPONSES}/${outside.id}`).send({ status: 'approved' }).expect(404)).body.code).toBe('404.2');
    await ctx.as('coord_akm').patch(`${RESPONSES}/${inside.id}`).send({ status: 'approved' }).expect(200);
  });
});
