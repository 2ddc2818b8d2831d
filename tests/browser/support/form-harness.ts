/**
 * The real app on a real (embedded) store, listening on a free loopback port, and headless Debian Chromium through
 * playwright-core: what the browser tests drive. `interview()` answers the questionnaire through the UI as an
 * interviewer would, page by page, from a complete set of answers (the synthetic generator's, so every skip rule
 * and item type is exercised).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core';
import { itemsOf, type Item } from '../../../schemas/items.js';
import type { SurveyId } from '../../../schemas/surveys.js';
import type { AppDeps } from '../../../server/app.js';
import type { StoredResponse } from '../../../server/domain/response.js';
import { makeTestApp, TEST_PASSWORD, type TestApp } from '../../support/app.js';

export const CHROMIUM: LaunchOptions = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

export const TABLET = { width: 768, height: 1024 };
export const PHONE = { width: 360, height: 740 };

export interface Harness {
  ctx: TestApp;
  base: string;
  browser: Browser;
  stop(): Promise<void>;
}

/** `deps` as for makeTestApp (higher rate limits for a test that signs in many times at once, say). */
export async function startHarness(deps: Partial<AppDeps> = {}): Promise<Harness> {
  const ctx = await makeTestApp('embedded', deps);
  const server: Server = ctx.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch(CHROMIUM);
  return {
    ctx, base, browser,
    stop: async () => {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.t.dispose();
    },
  };
}

/** All stored responses of a survey, straight from the store. */
export async function storedResponses(h: Harness, survey: SurveyId): Promise<StoredResponse[]> {
  return (await h.ctx.t.store.listResponses({ survey }, 1000)).items;
}

export async function logIn(page: Page, base: string, survey: SurveyId, username = 'ainur'): Promise<void> {
  await page.goto(`${base}/forms/${survey}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.locator('#login button[type=submit]').click();
  await page.locator('#new-interview').waitFor();
}

/** Resolves once the service worker controls the page and holds the app shell. */
export async function shellReady(page: Page, survey: SurveyId): Promise<void> {
  await page.waitForFunction(async (s) => {
    if (!navigator.serviceWorker.controller) return false;
    const urls = [`/forms/${s}`, '/assets/app.css', `/assets/form-${s}.js`];
    return (await Promise.all(urls.map((u) => caches.match(u)))).every(Boolean);
  }, survey);
}

/** Answers one item on the current page through its controls. */
export async function answer(page: Page, item: Item, value: unknown): Promise<void> {
  if (value === 'dk' || value === 'ref') {
    await page.locator(`#q-${item.id}-${value}`).click();
  } else if (item.kind === 'choice') {
    const index = item.codes.findIndex((c) => c === value);
    if (index < 0) throw new Error(`${item.id}: no code ${String(value)}`);
    await page.locator(`#q-${item.id}-${index}`).check();
  } else {
    const field = page.locator(`#q-${item.id}`);
    await field.fill(String(value));
    await field.blur();
  }
}

/** Items shown on the current page, in order. */
export async function shownItems(page: Page): Promise<string[]> {
  return page.locator('#page [data-item]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.item as string));
}

export interface InterviewOptions {
  /** Called on each page before its answers are given (to check or do something there). */
  onPage?: (section: string) => Promise<void>;
  /** Stop on the review page instead of submitting. */
  stopAtReview?: boolean;
}

/**
 * From the home screen: starts an interview, answers every shown item from `answers`, goes through the review
 * and submits. Returns the sections visited.
 */
export async function interview(page: Page, survey: SurveyId, answers: Record<string, unknown>, options: InterviewOptions = {}): Promise<string[]> {
  const items = new Map(itemsOf(survey).map((i) => [i.id, i]));
  await page.locator('#new-interview').click();
  const visited: string[] = [];
  while (await page.locator('#page').count() > 0) {
    const section = (await page.locator('#page').getAttribute('data-section')) as string;
    visited.push(section);
    await options.onPage?.(section);
    // Answering can show items (a follow-up): answer until nothing new appears.
    const done = new Set<string>();
    for (;;) {
      const todo = (await shownItems(page)).filter((id) => !done.has(id));
      if (todo.length === 0) break;
      for (const id of todo) {
        done.add(id);
        if (answers[id] !== undefined) await answer(page, items.get(id) as Item, answers[id]);
      }
    }
    await page.locator('#next').click();
    await page.locator(`#page:not([data-section="${section}"]), #review, #errors-summary`).first().waitFor();
    if (await page.locator('#errors-summary').count() > 0) {
      throw new Error(`${section} did not validate: ${(await page.locator('.error').allTextContents()).join(' | ')}`);
    }
  }
  await page.locator('#review').waitFor();
  if (options.stopAtReview) return visited;
  await page.locator('#submit').click();
  await page.locator('#notice').waitFor();
  return visited;
}

export type { BrowserContext, Page };
