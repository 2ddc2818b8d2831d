// Issue 16 in headless Chromium on the real app: a coordinator filters the review list to a flagged speeder, reads
// it in Kazakh (labels, not codes), returns it with a comment; the interviewer, in another browser context on a
// tablet, sees the comment on their home, fixes the answer offline and sends it when the connection is back; the
// coordinator sees the new revision's diff and approves; the export and the tallies show the corrected answer.
// Also: a change made meanwhile by someone else (409.3) is shown with a reload; bulk approve and the N/P keys; a
// coordinator scoped to one region cannot list, open or act on another region's response (page and API); and in
// kk, ru and en, at tablet (800x1280) and desktop (1440x900) sizes, no element is wider than its box and no English
// interface string or raw item id is left in Kazakh or Russian. The README's screenshot is written by this file.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { itemById, type Item } from '../../schemas/items.js';
import { bundles, LANGUAGES, optionLabel, type Language } from '../../schemas/labels.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { REVIEW_TEXTS } from '../../forms/dashboard/review.texts.js';
import { DASHBOARD_TEXTS } from '../../forms/dashboard/texts.js';
import { RETURNED_TEXTS } from '../../forms/model/returned.texts.js';
import { TEST_PASSWORD } from '../support/app.js';
import { answer, logIn, startHarness, storedResponses, type Harness, type Page } from './support/form-harness.js';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const BASE = '/api/v1/surveys/population';
const TABLET = { width: 800, height: 1280 };
const DESKTOP = { width: 1440, height: 900 };
const TRUST = itemById('population', 'ps_trust_people') as Item;

/** A submission timed to last `minutes`, every section timed alike, in a region. */
function timed(gen: SyntheticGenerator, minutes: number, region: string): Submission {
  const s = gen.nextSubmission('form');
  const start = Date.parse('2026-11-02T05:00:00Z') + minutes * 1000;
  const sections = Object.keys(s.meta.sectionDurations ?? { screening: 1 });
  return {
    ...s,
    answers: { ...s.answers, ps_region: region, ps_trust_people: 'need_to_be_careful' },
    meta: {
      ...s.meta, startedAt: new Date(start).toISOString(), completedAt: new Date(start + minutes * 60_000).toISOString(),
      sectionDurations: Object.fromEntries(sections.map((id) => [id, (minutes * 60) / sections.length])),
    },
  };
}

async function signIn(page: Page, base: string, username: string, query = ''): Promise<void> {
  await page.goto(`${base}/dashboard/review${query}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
  await page.locator('#review-list, main .error').first().waitFor();
}

/** Elements whose content is wider than their box (text cut off or spilling), and the page's own width. */
async function clipping(page: Page): Promise<{ clipped: string[]; pageWidth: number }> {
  return page.evaluate(() => {
    const clipped = [...document.querySelectorAll<HTMLElement>('#app *')]
      .filter((el) => el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline')
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} (${el.scrollWidth} > ${el.clientWidth})`);
    return { clipped, pageWidth: document.documentElement.scrollWidth };
  });
}

/** English interface strings (whole, without parameters) and item ids found in the visible text of the page. */
async function untranslated(page: Page): Promise<string[]> {
  const english = [...Object.values(REVIEW_TEXTS.en), ...Object.values(RETURNED_TEXTS.en)].filter((s) => !s.includes('{'));
  return page.evaluate((en) => {
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.getElementById('app') as Node, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (parent && parent.offsetParent !== null && n.textContent?.trim()) texts.push(n.textContent.trim());
    }
    return texts.filter((t) => en.includes(t) || /\b(ps|os|es)_[a-z_]+\b/.test(t));
  }, english);
}

/**
 * Selects too narrow for an option: a closed select cuts its chosen text without any overflow to measure, so each
 * option's text is measured in the select's font against the room the select gives it (its width less padding and
 * the arrow).
 */
async function narrowSelects(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const context = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
    const out: string[] = [];
    for (const select of document.querySelectorAll<HTMLSelectElement>('#app select')) {
      const style = getComputedStyle(select);
      context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
      for (const option of select.options) {
        const width = context.measureText(option.text).width;
        if (width > room) out.push(`#${select.id} "${option.text}" (${Math.ceil(width)} > ${Math.floor(room)})`);
      }
    }
    return out;
  });
}

describe('review in the browser', () => {
  let h: Harness;
  const gen = new SyntheticGenerator('population', { seed: 1601 });
  const normal: Submission[] = [];
  let speeder: Submission;
  let outside: Submission;
  beforeAll(async () => {
    h = await startHarness();
    mkdirSync(DOCS, { recursive: true });
    const plan = { policy: 'flag', quotas: [{ id: 'gender', variables: ['ps_gender'], cells: [{ categories: { ps_gender: 'male' }, target: 50 }, { categories: { ps_gender: 'female' }, target: 50 }] }] };
    await h.ctx.as('coord').put(`${BASE}/quotas`).send(plan).expect(200);
    for (let k = 0; k < 12; k += 1) normal.push(timed(gen, 35 + k, k % 2 === 0 ? 'akmola' : 'almaty_city'));
    speeder = timed(gen, 5, 'akmola');
    outside = normal[1] as Submission;
    for (const s of [...normal, speeder]) await h.ctx.as('ainur').post(`${BASE}/responses`).send(s).expect(201);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('filters to a speeder, reads it in Kazakh, returns it; the interviewer fixes it offline; the coordinator approves the new revision', async () => {
    const tally = async () => {
      const body = (await h.ctx.as('coord').get(`${BASE}/tallies`).query({ items: 'ps_trust_people', weighted: 'false' }).expect(200)).body;
      return Object.fromEntries(body.items[0].overall.estimates.map((e: { category: string; n: number }) => [e.category, e.n]));
    };
    const before = await tally();

    const coordinator = await h.browser.newContext({ viewport: TABLET, hasTouch: true, locale: 'kk-KZ' });
    const page = await coordinator.newPage();
    await signIn(page, h.base, 'coord');
    await page.locator('#lang-kk').click();
    await page.locator('#f-flag').selectOption('speeder');
    await page.locator('#apply-filters').click();
    await expect.poll(() => page.locator('.review-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-response')))).toEqual([speeder.id]);
    expect(await page.locator('#status-counts [data-status=submitted]').textContent()).toBe(`${REVIEW_TEXTS.kk.status_submitted} 1`);
    await page.locator(`.review-row[data-response="${speeder.id}"] .open-response`).click();
    await page.locator(`#review-detail[data-response="${speeder.id}"] #flags`).waitFor();

    // In Kazakh, as the interviewer saw it: the question and the chosen answer's label, never the code.
    const kk = bundles.kk.surveys.population;
    const careful = optionLabel('kk', 'population', TRUST.optionSet, 'need_to_be_careful') as string;
    const trusted = optionLabel('kk', 'population', TRUST.optionSet, 'most_can_be_trusted') as string;
    expect(careful).toBeTruthy();
    expect(await page.locator('#answers dd[data-item="ps_trust_people"]').textContent()).toBe(careful);
    expect(await page.locator('#answers [data-section="trust_tolerance"] h3').textContent()).toBe(kk.sections.trust_tolerance);
    expect(await page.locator('#flags li[data-flag="speeder"] .why').first().textContent()).toMatch(/^Сұхбат 5\.0 мин созылды; медиана \d+\.\d мин\.$/);
    expect(await page.locator('#flags li[data-flag="speeder"] .why').count()).toBeGreaterThan(1);
    expect(await page.locator('#quota-cells li[data-quota="gender"]').count()).toBe(1);
    expect(await untranslated(page)).toEqual([]);

    await page.locator('#return').click();
    await page.locator('#confirm-return').click();
    await expect.poll(() => page.locator('#review-message').textContent()).toBe(REVIEW_TEXTS.kk.reasonRequired);
    await page.locator('#review-comment').fill('Сенім туралы сұрақты қайта тексеріңіз');
    await page.locator('#confirm-return').click();
    await expect.poll(() => page.locator('#detail-status').textContent()).toContain(REVIEW_TEXTS.kk.status_has_issues);

    // The interviewer's tablet: the comment on the home screen; the fix made offline waits in the outbox.
    const tablet = await h.browser.newContext({ viewport: TABLET, hasTouch: true, isMobile: true, locale: 'kk-KZ' });
    const form = await tablet.newPage();
    await logIn(form, h.base, 'population', 'ainur');
    await form.locator('button[data-lang=kk]').click();
    const returned = form.locator(`#returned li[data-returned="${speeder.id}"]`);
    await returned.waitFor();
    expect(await returned.locator('.comment').textContent()).toBe('Үйлестіруші: Сенім туралы сұрақты қайта тексеріңіз');
    expect(await untranslated(form)).toEqual([]);
    expect(await clipping(form)).toEqual({ clipped: [], pageWidth: TABLET.width });
    await tablet.setOffline(true);
    await form.locator(`#fix-${speeder.id}`).click();
    await form.locator('#review').waitFor();
    expect(await form.locator('#fixing-notice').textContent()).toBe(RETURNED_TEXTS.kk.returned_fixing);
    await form.locator('#review section[data-section="trust_tolerance"] button').click();
    await answer(form, TRUST, 'most_can_be_trusted');
    while (await form.locator('#page').count() > 0) {
      const section = await form.locator('#page').getAttribute('data-section');
      await form.locator('#next').click();
      await form.locator(`#page:not([data-section="${section}"]), #review`).first().waitFor();
    }
    await form.locator('#submit').click();
    await form.locator('#notice').waitFor();
    await form.locator(`#uploads li[data-upload="${speeder.id}"]`).waitFor();
    expect(await form.locator('#returned').count()).toBe(0);
    await tablet.setOffline(false);
    await expect.poll(async () => (await storedResponses(h, 'population')).find((r) => r.id === speeder.id)?.status, { timeout: 30_000 }).toBe('submitted');
    const stored = (await storedResponses(h, 'population')).find((r) => r.id === speeder.id);
    expect(stored?.answers.ps_trust_people).toBe('most_can_be_trusted');
    expect(stored?.revisions.at(-1)).toMatchObject({ action: 'resubmitted', actor: 'ainur' });

    // Back at the coordinator's: the new revision's diff, in Kazakh labels; approve.
    await page.reload();
    const change = page.locator('#history li[data-action="resubmitted"] li[data-item="ps_trust_people"]');
    await change.waitFor();
    expect(await change.textContent()).toBe(`${kk.items.ps_trust_people?.label}: ${careful} → ${trusted}`);
    await page.locator('#approve').click();
    await expect.poll(() => page.locator('#detail-status').textContent()).toContain(REVIEW_TEXTS.kk.status_approved);

    const csv = (await h.ctx.as('coord').get(`${BASE}/export`).query({ format: 'csv' }).expect(200)).text.split('\n');
    const header = (csv[0] as string).split(',');
    const row = (csv.find((l) => l.startsWith(speeder.id)) as string).split(',');
    expect(row[header.indexOf('ps_trust_people')]).toBe('most_can_be_trusted');
    expect(row[header.indexOf('status')]).toBe('approved');
    const after = await tally();
    expect(after.most_can_be_trusted).toBe((before.most_can_be_trusted ?? 0) + 1);
    expect(after.need_to_be_careful).toBe(before.need_to_be_careful - 1);
    await coordinator.close();
    await tablet.close();
  }, 240_000);

  it('shows a change made meanwhile by someone else (409.3) with a reload, and saves nothing', async () => {
    const target = normal[2] as Submission;
    const context = await h.browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'coord', `?response=${target.id}`);
    await page.locator(`#review-detail[data-response="${target.id}"] #approve`).waitFor();
    await h.ctx.as('admin').patch(`${BASE}/responses/${target.id}`).send({ status: 'has_issues', comment: 'phone back-check failed', revision: 1 }).expect(200);
    await page.locator('#reject').click();
    await page.locator('#review-comment').fill('fabricated');
    await page.locator('#confirm-reject').click();
    await expect.poll(() => page.locator('#conflict').textContent()).toContain('now revision 2');
    expect((await storedResponses(h, 'population')).find((r) => r.id === target.id)?.status).toBe('has_issues');
    await page.locator('#reload').click();
    await page.locator(`#review-detail[data-revision="2"]`).waitFor();
    expect(await page.locator('#history li[data-revision="2"] .comment').textContent()).toBe('Comment: phone back-check failed');
    await context.close();
  }, 120_000);

  it('corrects in place with the form\'s controls and validator, bulk approves, and moves with N and P', async () => {
    const target = normal[4] as Submission;
    const context = await h.browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'coord', '?status=submitted&sort=received');
    await page.locator(`.review-row[data-response="${target.id}"] .open-response`).click();
    await page.locator(`#review-detail[data-response="${target.id}"] #correct`).click();
    await page.locator('#q-ps_age_years').fill('7');
    await page.locator('#q-ps_age_years').blur();
    await page.locator('#review-comment').fill('age misheard');
    await page.locator('#save-corrections').click();
    // The standalone validator refuses an age under 18 beside the question, before anything is sent.
    await page.locator('[data-item="ps_age_years"] .error, #e-ps_age_years').first().waitFor();
    await page.locator('#q-ps_age_years').fill('52');
    await page.locator('#q-ps_age_years').blur();
    await page.locator('#save-corrections').click();
    await expect.poll(() => page.locator('#review-message').textContent()).toMatch(/^Corrections saved as revision \d+\.$/);
    await page.locator('#history li[data-action="corrected"] li[data-item="ps_age_years"]').waitFor();
    expect((await storedResponses(h, 'population')).find((r) => r.id === target.id)?.answers.ps_age_years).toBe(52);

    // N and P step through the list (by physical key: any keyboard layout).
    const shown = async () => page.locator('#review-detail').getAttribute('data-response');
    const ids = await page.locator('.review-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-response')));
    const at = ids.indexOf(target.id);
    await page.locator('body').press('n');
    await expect.poll(shown).toBe(ids[at + 1]);
    await page.locator('body').press('p');
    await expect.poll(shown).toBe(target.id);

    const pick = [normal[6], normal[8]].map((s) => (s as Submission).id);
    for (const id of pick) await page.locator(`#sel-${id}`).check();
    await page.locator('#bulk-approve').click();
    await expect.poll(() => page.locator('#review-message').textContent()).toBe('2 approved, 0 not (changed meanwhile or not allowed).');
    const stored = await storedResponses(h, 'population');
    expect(pick.map((id) => stored.find((r) => r.id === id)?.status)).toEqual(['approved', 'approved']);
    await context.close();
  }, 120_000);

  it('shows the interviewer a rejected interview with its reason, read-only', async () => {
    const target = normal[10] as Submission;
    await h.ctx.as('coord').patch(`${BASE}/responses/${target.id}`).send({ status: 'rejected', comment: 'Респондент не найден по адресу' }).expect(200);
    const context = await h.browser.newContext({ viewport: TABLET, hasTouch: true, isMobile: true, locale: 'ru-RU' });
    const form = await context.newPage();
    await logIn(form, h.base, 'population', 'ainur');
    await form.locator('button[data-lang=ru]').click();
    const closed = form.locator(`#closed-interviews li[data-closed="${target.id}"]`);
    await closed.waitFor();
    expect(await closed.locator('.comment').textContent()).toBe('Причина: Респондент не найден по адресу');
    expect(await closed.locator('button').count()).toBe(0);
    expect(await form.locator(`#returned li[data-returned="${target.id}"]`).count()).toBe(0);
    expect(await untranslated(form)).toEqual([]);
    expect(await clipping(form)).toEqual({ clipped: [], pageWidth: TABLET.width });
    await context.close();
  }, 120_000);

  it('keeps a coordinator scoped to one region out of another region\'s responses, through the page and the API', async () => {
    const context = await h.browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, h.base, 'coord_akm');
    await page.locator('.review-row').first().waitFor();
    const listed = await page.locator('.review-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-response')));
    expect(listed).not.toContain(outside.id);
    expect(listed.length).toBeGreaterThan(0);
    await page.locator('#f-id').fill(outside.id.slice(0, 8));
    await page.locator('#apply-filters').click();
    await page.locator('#no-rows').waitFor();
    await page.goto(`${h.base}/dashboard/review?response=${outside.id}`);
    // The API's 404.2, said as the console says a response it cannot show (errors.ts), never the server's English.
    await expect.poll(() => page.locator('#review-detail .error').textContent()).toContain(DASHBOARD_TEXTS.en.errNotFound);
    expect(await page.locator('#approve').count()).toBe(0);

    const api = h.ctx.as('coord_akm');
    expect((await api.get(`${BASE}/review`).query({ id: outside.id }).expect(200)).body.items).toEqual([]);
    expect((await api.get(`${BASE}/review/${outside.id}`).expect(404)).body.code).toBe('404.2');
    expect((await api.patch(`${BASE}/responses/${outside.id}`).send({ status: 'approved' }).expect(404)).body.code).toBe('404.2');
    expect((await api.get(`${BASE}/responses/${outside.id}`).expect(404)).body.code).toBe('404.2');
    await context.close();
  }, 120_000);

  it('filters by dates written as a Kazakh or Russian reader writes them, and marks a date that is none beside its field', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, locale: 'en-US' });
    const page = await context.newPage();
    await signIn(page, h.base, 'coord');
    await page.locator('#lang-ru').click();
    const since = page.locator('#f-since');
    // Never the browser's own date control, which shows mm/dd/yyyy in an English browser whatever the page's language.
    expect(await since.getAttribute('type')).toBe('text');
    expect(await since.getAttribute('placeholder')).toBe('дд.мм.гггг');
    expect(await page.locator('label[for=f-since]').textContent()).toBe('Получено с');
    expect(await page.locator('#f-since-hint').textContent()).toBe('дд.мм.гггг');

    await since.fill('31.02.2026');
    await page.locator('#apply-filters').click();
    await expect.poll(() => page.locator('#f-since-hint').textContent()).toBe('Введите дату в виде дд.мм.гггг, например 31.12.2026.');
    expect(await page.locator('#f-since').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#f-since').inputValue()).toBe('31.02.2026');
    expect(new URL(page.url()).searchParams.get('since')).toBeNull();

    const day = (offset: number) => {
      const d = new Date(Date.now() + offset * 86_400_000);
      return { dotted: `${String(d.getDate()).padStart(2, '0')}.${String(d.getMonth() + 1).padStart(2, '0')}.${d.getFullYear()}`, iso: `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}` };
    };
    const today = day(0);
    await page.locator('#f-since').fill(today.dotted);
    await page.locator('#apply-filters').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('since')).toBe(today.iso);
    await expect.poll(() => page.locator('.review-row').count()).toBeGreaterThan(0);
    expect(await page.locator('#f-since').getAttribute('aria-invalid')).toBe('false');
    await page.locator('#lang-kk').click();
    expect(await page.locator('#f-since').inputValue()).toBe(today.dotted);
    expect(await page.locator('#f-since').getAttribute('placeholder')).toBe('кк.аа.жжжж');
    expect(await page.locator('#f-until-hint').textContent()).toBe('кк.аа.жжжж');
    await page.locator('#f-until').fill(day(-1).dotted);
    await page.locator('#apply-filters').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('until')).toBe(day(-1).iso);
    await expect.poll(() => page.locator('.review-row').count()).toBe(0);
    const shown = await page.evaluate(() => `${document.body.innerText} ${[...document.querySelectorAll('[placeholder]')].map((e) => e.getAttribute('placeholder')).join(' ')}`);
    expect(shown).not.toMatch(/yyyy|mm\/dd|гггг/i);
    await context.close();
  }, 120_000);

  it.each(LANGUAGES.flatMap((lang) => [[lang, 'tablet'], [lang, 'desktop']] as Array<[Language, 'tablet' | 'desktop']>))('%s at %s size: nothing cut off or wider than the screen, nothing left in English', async (lang, size) => {
    const viewport = size === 'tablet' ? TABLET : DESKTOP;
    const context = await h.browser.newContext({ viewport, hasTouch: size === 'tablet' });
    const page = await context.newPage();
    await signIn(page, h.base, 'coord');
    await page.locator(`#lang-${lang}`).click();
    await page.locator('.review-row').first().waitFor();
    const check = async (where: string) => {
      const report = await clipping(page);
      expect({ where, ...report }).toEqual({ where, clipped: [], pageWidth: viewport.width });
      if (lang !== 'en') expect({ where, left: await untranslated(page) }).toEqual({ where, left: [] });
    };
    await check('list');
    expect(await narrowSelects(page)).toEqual([]);
    // The speeder: flags with their reasons, and (after the first test) a history with diffs.
    await page.locator(`.review-row[data-response="${speeder.id}"] .open-response`).click();
    await page.locator(`#review-detail[data-response="${speeder.id}"] #history`).waitFor();
    await check('detail');
    if (lang === 'en' && size === 'desktop') {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(DOCS, 'review.png') });
    }
    await page.locator('#correct').click();
    await page.locator('#correct-questions').waitFor();
    await check('correction');
    await page.locator('#cancel-action').click();
    await page.locator('#return').click();
    await check('return');
    await context.close();
  }, 120_000);
});
