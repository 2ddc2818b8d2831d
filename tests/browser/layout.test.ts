// How the form looks and handles, in each language at tablet and phone widths: screenshots for people to judge
// (written to artifacts/screenshots/, not committed), and the accessibility rules checked: every input has a
// label, touch targets are at least 44 px, nothing scrolls sideways at 360 px, the keyboard alone answers and moves
// on, and the focused control is visibly outlined.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { LANGUAGES } from '../../schemas/labels.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { answer, logIn, PHONE, startHarness, TABLET, type Harness, type Page } from './support/form-harness.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'screenshots');
const POP = new Map(itemsOf('population').map((i) => [i.id, i]));
const SCREENING = ['ps_interview_language', 'ps_region', 'ps_settlement_type', 'ps_gender', 'ps_age_years', 'ps_ethnicity', 'ps_ethnicity_other'];

async function answerScreening(page: Page): Promise<void> {
  const valid = new SyntheticGenerator('population', { seed: 9 }).next();
  for (const id of SCREENING) if (valid[id] !== undefined) await answer(page, POP.get(id)!, valid[id]);
}

describe('layout and accessibility', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it.each(LANGUAGES.flatMap((lang) => [[lang, 'tablet'], [lang, 'phone']] as const))('%s at %s width: screenshots', async (lang, size) => {
    const viewport = size === 'tablet' ? TABLET : PHONE;
    const context = await h.browser.newContext({ viewport });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    await page.locator(`button[data-lang=${lang}]`).click();
    await page.screenshot({ path: join(SHOTS, `home-${lang}-${size}.png`) });
    await page.locator('#new-interview').click();
    await page.locator('#next').click();
    await page.locator('#errors-summary').waitFor();
    await page.screenshot({ path: join(SHOTS, `screening-errors-${lang}-${size}.png`), fullPage: true });
    await answerScreening(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, `screening-${lang}-${size}.png`) });
    await page.locator('#next').click();
    await page.locator('#page[data-section="membership"]').waitFor();
    await page.screenshot({ path: join(SHOTS, `membership-grid-${lang}-${size}.png`), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await context.close();
  }, 120_000);

  it('at 360 px: labelled inputs, 44 px targets, no sideways scrolling', async () => {
    const context = await h.browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    await page.locator('#new-interview').click();
    await answerScreening(page);
    const report = await page.evaluate(() => {
      const unlabelled = [...document.querySelectorAll('input, textarea, select')].filter((el) => ((el as HTMLInputElement).labels?.length ?? 0) === 0).map((el) => el.id);
      const small = [...document.querySelectorAll('button, .option, input[type=text], textarea')].map((el) => [el.id || el.textContent?.slice(0, 30), el.getBoundingClientRect()] as const)
        .filter(([, r]) => r.height < 44 || r.width < 44).map(([name]) => name);
      return { unlabelled, small, scrollWidth: document.documentElement.scrollWidth };
    });
    expect(report).toEqual({ unlabelled: [], small: [], scrollWidth: 360 });
    await context.close();
  }, 120_000);

  it('works from the keyboard, with a visible focus', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    await page.locator('#new-interview').focus();
    await page.keyboard.press('Enter');
    await page.locator('#page').waitFor();
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    for (let i = 0; i < 20 && (await focused()) !== 'q-ps_interview_language-0'; i += 1) await page.keyboard.press('Tab');
    expect(await focused()).toBe('q-ps_interview_language-0');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#q-ps_interview_language-1').isChecked()).toBe(true);
    // Enter in a field submits the page: the errors of the unanswered questions appear, focus moves to the first.
    await page.keyboard.press('Enter');
    await page.locator('#errors-summary').waitFor();
    expect(await focused()).toMatch(/^q-ps_region-/);
    await context.close();
  }, 120_000);
});
