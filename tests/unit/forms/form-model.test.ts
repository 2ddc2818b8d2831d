// The form model in Node: pages from the schema's sections, live skip rules, page validation with the standalone
// validators (messages in each language), progress, review, the screening hook and the submission's paradata.
import { describe, expect, it, vi } from 'vitest';
import { itemsOf } from '../../../schemas/items.js';
import { bundles, LANGUAGES } from '../../../schemas/labels.js';
import { standaloneValidators, standaloneVersionValidators } from '../../../schemas/standalone.js';
import { questionnaires, SURVEY_IDS, type SurveyId } from '../../../schemas/surveys.js';
import { SyntheticGenerator } from '../../../schemas/synthetic.js';
import { choiceCode, choiceValue, parseNumber, parseText } from '../../../forms/model/answer-input.js';
import { newDraft, type Draft } from '../../../forms/model/draft.js';
import { FormModel, type ScreeningCheck } from '../../../forms/model/form-model.js';
import { pagesOf } from '../../../forms/model/pages.js';
import { Texts } from '../../../forms/model/texts.js';

const ID = '6f1c2a9e-7d34-4c1b-9a3e-0c5d8e2f4b17';

/** A clock that moves only when told: durations are exact. */
function fakeClock(start = Date.parse('2026-05-04T09:00:00Z')) {
  let now = start;
  return { clock: () => new Date(now), advance: (seconds: number) => { now += seconds * 1000; } };
}

function model(survey: SurveyId, options: { screeningCheck?: ScreeningCheck; onChange?: (d: Draft) => void } = {}) {
  const time = fakeClock();
  // The form starts new interviews in a version (the current one here); a draft without one predates versions.
  const draft = newDraft(ID, survey, 'ru', time.clock(), undefined, questionnaires[survey]['x-csi-version']);
  return { time, draft, m: new FormModel(draft, { validate: standaloneValidators[survey], clock: time.clock, ...options }) };
}

/** Answers every visible item of the current page from a complete valid response. */
function answerPage(m: FormModel, answers: Record<string, unknown>): void {
  const page = m.currentPage;
  if (!page) throw new Error('not on a page');
  for (const item of page.items) if (answers[item.id] !== undefined && m.isVisible(item)) m.setAnswer(item.id, answers[item.id]);
}

describe('pages', () => {
  it.each(SURVEY_IDS)('%s: one page per section, in order, every asked item exactly once, grids grouped', (survey) => {
    const pages = pagesOf(survey);
    expect(pages.map((p) => p.id)).toEqual(questionnaires[survey]['x-csi-sections'].map((s) => s.id));
    const asked = itemsOf(survey).filter((i) => !i.system).map((i) => i.id).sort();
    expect(pages.flatMap((p) => p.items.map((i) => i.id)).sort()).toEqual(asked);
    for (const page of pages) {
      const fromBlocks = page.blocks.flatMap((b) => (b.kind === 'item' ? [b.item] : b.items)).map((i) => i.id);
      expect(fromBlocks).toEqual(page.items.map((i) => i.id));
      for (const b of page.blocks) if (b.kind === 'grid') expect(new Set(b.items.map((i) => i.grid))).toEqual(new Set([b.grid]));
    }
  });

  it('groups the population membership items into one grid under its shared question', () => {
    const membership = pagesOf('population').find((p) => p.id === 'membership');
    expect(membership?.blocks).toHaveLength(1);
    expect(membership?.blocks[0]).toMatchObject({ kind: 'grid', grid: 'ps_member' });
  });
});

describe('skip logic, live', () => {
  it('shows the "other ethnicity" follow-up only after "other", and clears it when the answer changes', () => {
    const { m } = model('population');
    const other = itemsOf('population').find((i) => i.id === 'ps_ethnicity_other');
    if (!other) throw new Error('schema changed');
    expect(m.isVisible(other)).toBe(false);
    m.setAnswer('ps_ethnicity', 'other');
    expect(m.isVisible(other)).toBe(true);
    expect(m.isRequired(other)).toBe(true);
    m.setAnswer('ps_ethnicity_other', 'Dungan');
    const cleared = m.setAnswer('ps_ethnicity', 'kazakh');
    expect(cleared).toEqual(['ps_ethnicity_other']);
    expect(m.answers).not.toHaveProperty('ps_ethnicity_other');
    expect(m.visibleItems(m.pages[0]!).map((i) => i.id)).not.toContain('ps_ethnicity_other');
  });

  it('answering "no" to a policy pushed hides and clears its follow-ups (organisational)', () => {
    const { m } = model('organisational');
    const page = m.pages.find((p) => p.id === 'policy')!;
    m.setAnswer('os_policy_pushed_2y', true);
    m.setAnswer('os_policy_text', 'Law on NGOs');
    m.setAnswer('os_policy_outcome', 'pending');
    expect(m.visibleItems(page).map((i) => i.id)).toEqual(['os_policy_pushed_2y', 'os_policy_text', 'os_policy_outcome']);
    expect(m.setAnswer('os_policy_pushed_2y', false).sort()).toEqual(['os_policy_outcome', 'os_policy_text']);
    expect(m.visibleItems(page).map((i) => i.id)).toEqual(['os_policy_pushed_2y']);
  });
});

describe('page validation', () => {
  it('blocks an empty page with a required error on every question, in the interface language', async () => {
    const { m } = model('population');
    const result = await m.next('kk');
    expect(result.moved).toBe(false);
    expect(result.errors.map((e) => e.item)).toEqual(['ps_interview_language', 'ps_region', 'ps_settlement_type', 'ps_gender', 'ps_age_years', 'ps_ethnicity']);
    expect(new Set(result.errors.map((e) => e.message))).toEqual(new Set([bundles.kk.common.messages.required]));
    expect(m.draft.page).toBe(0);
  });

  it.each(LANGUAGES)('an age under 18 shows the ineligibility message (%s) and blocks the page', async (lang) => {
    const { m } = model('population');
    const valid = new SyntheticGenerator('population', { seed: 3 }).next();
    answerPage(m, valid);
    m.setAnswer('ps_age_years', 15);
    const result = await m.next(lang);
    expect(result.moved).toBe(false);
    expect(result.errors).toEqual([{ path: '/ps_age_years', item: 'ps_age_years', keyword: 'minimum', message: bundles[lang].common.messages.ineligible_age }]);
  });

  it('says what is wrong with text typed into a number field', async () => {
    const { m } = model('population');
    answerPage(m, new SyntheticGenerator('population', { seed: 4 }).next());
    m.setAnswer('ps_age_years', parseNumber('forty'));
    const result = await m.next('en');
    expect(result.errors.map((e) => [e.item, e.keyword])).toEqual([['ps_age_years', 'type']]);
  });

  it('ignores errors of later pages', async () => {
    const { m } = model('population');
    answerPage(m, new SyntheticGenerator('population', { seed: 5 }).next());
    expect(m.errors('en').length).toBeGreaterThan(0);
    expect(await m.next('en')).toEqual({ moved: true, errors: [] });
  });
});

describe('an interview in an older questionnaire version', () => {
  it('asks, validates and submits population 1.0.0 as 1.0.0 although 1.1.0 is current', async () => {
    const time = fakeClock();
    const m = new FormModel(newDraft(ID, 'population', 'ru', time.clock(), undefined, '1.0.0'), { validate: standaloneVersionValidators.population['1.0.0']!, clock: time.clock });
    expect(m.pages.flatMap((p) => p.items.map((i) => i.id))).not.toContain('ps_household_size');
    const answers = new SyntheticGenerator('population', { seed: 12, version: '1.0.0' }).next();
    while (!m.onReview) {
      answerPage(m, answers);
      expect((await m.next('ru')).errors).toEqual([]);
    }
    const done = m.complete('ru', { appVersion: '0.1.0' });
    if (!done.ok) throw new Error(JSON.stringify(done.errors));
    expect(done.submission.meta.formVersion).toBe('1.0.0');
    // A draft saved before versions were recorded was started in the first version, the only one then.
    const { version: _v, ...legacy } = newDraft(ID, 'population', 'ru', time.clock());
    expect(new FormModel(legacy, { validate: standaloneVersionValidators.population['1.0.0']! }).version).toBe('1.0.0');
  });
});

describe('a whole interview', () => {
  it.each(SURVEY_IDS)('%s: page by page to the review, then a valid submission with paradata', async (survey) => {
    const { m, time } = model(survey);
    const answers = new SyntheticGenerator(survey, { seed: 11 }).next();
    const visited: string[] = [];
    while (!m.onReview) {
      visited.push(m.currentPage!.id);
      answerPage(m, answers);
      time.advance(30);
      const step = await m.next('ru');
      expect(step.errors, m.currentPage?.id).toEqual([]);
    }
    const shownPages = m.pages.filter((p) => m.visibleItems(p).length > 0).map((p) => p.id);
    expect(visited).toEqual(shownPages);
    expect(m.progress()).toEqual({ step: shownPages.length + 1, steps: shownPages.length + 1 });
    const review = m.review();
    expect(review.map((s) => s.page.id)).toEqual(shownPages);
    time.advance(45);
    const done = m.complete('kk', { appVersion: '0.1.0', device: 'test tablet' });
    if (!done.ok) throw new Error(JSON.stringify(done.errors));
    expect(standaloneValidators[survey](done.submission.answers).errors).toEqual([]);
    expect(done.submission.id).toBe(ID);
    expect(done.submission.meta).toEqual({
      formVersion: questionnaires[survey]['x-csi-version'], appVersion: '0.1.0', language: 'kk', device: 'test tablet', source: 'form',
      startedAt: '2026-05-04T09:00:00.000Z', completedAt: new Date(Date.parse('2026-05-04T09:00:00Z') + (visited.length * 30 + 45) * 1000).toISOString(),
      sectionDurations: Object.fromEntries(visited.map((id) => [id, 30])),
    });
    for (const [id, value] of Object.entries(answers)) {
      if (!itemsOf(survey).find((i) => i.id === id)?.system) expect(done.submission.answers[id], id).toEqual(value);
    }
  });

  it('back and edit-from-review move between pages and count time per section', async () => {
    const { m, time } = model('population');
    const answers = new SyntheticGenerator('population', { seed: 12 }).next();
    answerPage(m, answers);
    time.advance(10);
    await m.next('en');
    time.advance(5);
    expect(m.back()).toBe(true);
    expect(m.currentPage?.id).toBe('screening');
    time.advance(7);
    m.goTo(1);
    expect(m.draft.sectionDurations).toEqual({ screening: 17, membership: 5 });
    expect(m.progress()).toEqual({ step: 2, steps: 10 });
  });

  it('keeps every answer through language changes', () => {
    const { m } = model('population');
    m.setAnswer('ps_region', 'akmola');
    m.setLanguage('kk');
    m.setLanguage('en');
    expect(m.answers).toEqual({ ps_region: 'akmola' });
    expect(m.draft.language).toBe('en');
  });

  it('reports every change of the draft, so the app can save it', () => {
    const onChange = vi.fn();
    const { m } = model('population', { onChange });
    m.setAnswer('ps_region', 'akmola');
    m.setAnswer('ps_age_years', 40);
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(onChange.mock.lastCall?.[0].answers).toEqual({ ps_region: 'akmola', ps_age_years: 40 });
  });

  it('refuses to complete an unfinished interview, with the errors', () => {
    const { m } = model('population');
    const done = m.complete('en', { appVersion: '0.1.0' });
    expect(done.ok).toBe(false);
  });
});

describe('the screening hook (quotas, issue 6)', () => {
  it('is asked once the screening page is complete, and can stop the interview politely', async () => {
    const check = vi.fn<ScreeningCheck>(async () => ({ open: false }));
    const { m } = model('population', { screeningCheck: check });
    answerPage(m, new SyntheticGenerator('population', { seed: 8 }).next());
    const result = await m.next('ru');
    expect(check).toHaveBeenCalledTimes(1);
    expect(check.mock.lastCall?.[0].answers).toMatchObject({ ps_region: expect.any(String) });
    expect(result).toEqual({ moved: false, errors: [], stopped: true });
    expect(m.draft.stopped).toBe(true);
  });

  it('keeps the full cells it was told of, and reopens screening to correct an answer (asking again on leaving)', async () => {
    const verdicts = [{ open: false, full: [{ ps_gender: 'male' }] }, { open: true }];
    const check = vi.fn<ScreeningCheck>(async () => verdicts.shift() ?? { open: true });
    const { m } = model('population', { screeningCheck: check });
    answerPage(m, { ...new SyntheticGenerator('population', { seed: 10 }).next(), ps_gender: 'male' });
    const screening = m.draft.page;
    await m.next('en');
    expect(m.draft).toMatchObject({ stopped: true, fullCells: [{ ps_gender: 'male' }] });
    m.reopenScreening();
    expect(m.draft.stopped).toBeUndefined();
    expect(m.draft.fullCells).toBeUndefined();
    expect(m.currentPage?.id).toBe('screening');
    expect(m.draft.page).toBe(screening);
    expect(m.answers.ps_gender).toBe('male');
    m.setAnswer('ps_gender', 'female');
    expect((await m.next('en')).moved).toBe(true);
    expect(check).toHaveBeenCalledTimes(2);
    expect(check.mock.lastCall?.[0].answers).toMatchObject({ ps_gender: 'female' });
  });

  it('lets the interview go on when the cell is open, and is not asked after other sections', async () => {
    const check = vi.fn<ScreeningCheck>(async () => ({ open: true }));
    const { m } = model('population', { screeningCheck: check });
    const answers = new SyntheticGenerator('population', { seed: 9 }).next();
    answerPage(m, answers);
    expect((await m.next('ru')).moved).toBe(true);
    answerPage(m, answers);
    expect((await m.next('ru')).moved).toBe(true);
    expect(check).toHaveBeenCalledTimes(1);
  });
});

describe('answer input', () => {
  it('round-trips every code through the DOM value', () => {
    for (const survey of SURVEY_IDS) {
      for (const item of itemsOf(survey).filter((i) => i.kind === 'choice')) {
        for (const code of item.codes) expect(choiceCode(item, choiceValue(item, code))).toBe(code);
      }
    }
  });

  it.each([
    ['', undefined], ['  ', undefined], ['42', 42], ['-3', -3], ['2,5', 2.5], ['abc', 'abc'], ['1e3', '1e3'],
  ])('parses %j as a number: %j', (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it('keeps text as typed, blank as no answer', () => {
    expect(parseText(' x ')).toBe(' x ');
    expect(parseText('   ')).toBeUndefined();
  });
});

describe('texts', () => {
  it.each(LANGUAGES)('labels every item, option and interface string from the %s bundles', (lang) => {
    for (const survey of SURVEY_IDS) {
      const t = new Texts(lang, survey);
      for (const item of itemsOf(survey)) {
        expect(t.label(item)).not.toBe(item.id);
        for (const code of item.codes) expect(t.option(item, code)).toBeTruthy();
      }
    }
    const t = new Texts(lang, 'population');
    for (const key of Object.keys(bundles.en.common.ui)) expect(t.ui(key)).toBe(bundles[lang].common.ui[key]);
    expect(t.ui('page_of', { page: 2, pages: 9 })).toMatch(/2/);
  });
});
