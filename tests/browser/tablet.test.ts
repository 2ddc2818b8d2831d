// The form on a tablet (touch emulation, page.tap): answering never redraws the page, so the first tap after
// typing a number lands. Typed age then one tap on an option: selected. Typed age then one tap on "Next": moved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { logIn, startHarness, TABLET, type Harness, type Page } from './support/form-harness.js';

const POP = new Map(itemsOf('population').map((i) => [i.id, i]));
const option = (id: string, code: string) => `label[for="q-${id}-${POP.get(id)!.codes.indexOf(code)}"]`;

async function typeAge(page: Page, age: string): Promise<void> {
  await page.tap('#q-ps_age_years');
  await page.keyboard.type(age);
}

describe('the form on a tablet', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  async function tabletPage(): Promise<Page> {
    const context = await h.browser.newContext({ viewport: TABLET, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    await page.tap('#new-interview');
    await page.locator('#page[data-section="screening"]').waitFor();
    return page;
  }

  it('an option tapped right after typing the age is selected by that one tap', async () => {
    const page = await tabletPage();
    const marker = await page.locator('#f-ps_ethnicity').evaluate((el) => { (el as HTMLElement & { mark?: number }).mark = 1; return 1; });
    await typeAge(page, '47');
    await page.tap(option('ps_ethnicity', 'kazakh'));
    expect(await page.locator(`#q-ps_ethnicity-${POP.get('ps_ethnicity')!.codes.indexOf('kazakh')}`).isChecked()).toBe(true);
    expect(await page.locator('#q-ps_age_years').inputValue()).toBe('47');
    // The same elements as before the answers: nothing was redrawn.
    expect(await page.locator('#f-ps_ethnicity').evaluate((el) => (el as HTMLElement & { mark?: number }).mark)).toBe(marker);
    await page.context().close();
  }, 120_000);

  it('"Next" moves on after its first tap, straight after typing', async () => {
    const page = await tabletPage();
    await page.tap(option('ps_interview_language', 'kazakh'));
    await page.tap(option('ps_region', 'pavlodar'));
    await page.tap(option('ps_settlement_type', 'urban'));
    await page.tap(option('ps_gender', 'female'));
    await page.tap(option('ps_ethnicity', 'kazakh'));
    await typeAge(page, '35');
    const moved = page.locator('#page:not([data-section="screening"])');
    await page.tap('#next');
    await moved.waitFor();
    expect(await page.locator('#errors-summary').count()).toBe(0);
    await page.context().close();
  }, 120_000);

  it('a follow-up question appears and goes without redrawing the questions around it', async () => {
    const page = await tabletPage();
    await typeAge(page, '52');
    await page.tap(option('ps_ethnicity', 'other'));
    await page.locator('#q-ps_ethnicity_other').waitFor();
    // Typing in the follow-up keeps the focus; choosing another ethnicity removes it again.
    await page.tap('#q-ps_ethnicity_other');
    await page.keyboard.type('Dungan');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q-ps_ethnicity_other');
    await page.tap(option('ps_ethnicity', 'russian'));
    await expect.poll(() => page.locator('#q-ps_ethnicity_other').count()).toBe(0);
    expect(await page.locator('#q-ps_age_years').inputValue()).toBe('52');
    await page.context().close();
  }, 120_000);
});
