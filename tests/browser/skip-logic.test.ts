// Skip logic and validation live in the browser: answering "no" hides the follow-up questions and the stored
// response lacks them; an out-of-range age shows the localized message beside the field and blocks the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOf } from '../../schemas/items.js';
import { bundles } from '../../schemas/labels.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { answer, interview, logIn, shownItems, startHarness, storedResponses, TABLET, type Harness } from './support/form-harness.js';

const ORG = new Map(itemsOf('organisational').map((i) => [i.id, i]));
const POP = new Map(itemsOf('population').map((i) => [i.id, i]));

describe('skip logic and validation in the form', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('answering "no" hides the follow-ups, and the stored response lacks them', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, h.base, 'organisational');
    const base = new SyntheticGenerator('organisational', { seed: 77 }).next();
    const answers = Object.fromEntries(Object.entries(base).filter(([id]) => !ORG.get(id)?.system && id !== 'os_policy_text' && id !== 'os_policy_outcome'));
    answers.os_policy_pushed_2y = false;
    let checked = false;
    await interview(page, 'organisational', answers, {
      onPage: async (section) => {
        if (section !== 'policy') return;
        await answer(page, ORG.get('os_policy_pushed_2y')!, true);
        expect(await shownItems(page)).toEqual(['os_policy_pushed_2y', 'os_policy_text', 'os_policy_outcome']);
        await answer(page, ORG.get('os_policy_text')!, 'A law on public associations');
        await answer(page, ORG.get('os_policy_pushed_2y')!, false);
        expect(await shownItems(page)).toEqual(['os_policy_pushed_2y']);
        checked = true;
      },
    });
    expect(checked).toBe(true);
    await page.locator('#sync-status[data-pending="0"]').waitFor({ timeout: 30_000 });
    const [stored] = await storedResponses(h, 'organisational');
    expect(stored?.answers.os_policy_pushed_2y).toBe(false);
    expect(stored?.answers).not.toHaveProperty('os_policy_text');
    expect(stored?.answers).not.toHaveProperty('os_policy_outcome');
    await context.close();
  }, 180_000);

  it('an out-of-range age shows the localized message beside the field and blocks the page', async () => {
    const context = await h.browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    await page.locator('button[data-lang=kk]').click();
    await page.locator('#new-interview').click();
    const valid = new SyntheticGenerator('population', { seed: 5 }).next();
    for (const id of ['ps_interview_language', 'ps_region', 'ps_settlement_type', 'ps_gender', 'ps_ethnicity', 'ps_ethnicity_other']) {
      if (valid[id] !== undefined) await answer(page, POP.get(id)!, valid[id]);
    }
    await answer(page, POP.get('ps_age_years')!, 15);
    await page.locator('#next').click();
    const message = page.locator('#e-ps_age_years');
    await message.waitFor();
    expect(await message.textContent()).toBe(bundles.kk.common.messages.ineligible_age);
    expect(await page.locator('#q-ps_age_years').getAttribute('aria-describedby')).toContain('e-ps_age_years');
    expect(await page.locator('#page').getAttribute('data-section')).toBe('screening');
    expect(await page.locator('#errors-summary').textContent()).toBe(bundles.kk.common.ui.fix_errors);
    // Switching the language re-words the message without losing the answer.
    await page.locator('button[data-lang=ru]').click();
    expect(await page.locator('#e-ps_age_years').textContent()).toBe(bundles.ru.common.messages.ineligible_age);
    expect(await page.locator('#q-ps_age_years').inputValue()).toBe('15');
    await answer(page, POP.get('ps_age_years')!, 30);
    await page.locator('#next').click();
    await page.locator('#page[data-section="membership"]').waitFor();
    await context.close();
  }, 120_000);
});
