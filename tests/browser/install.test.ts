// The form installs to a tablet's home screen: the page links a web app manifest (served as
// application/manifest+json, full-screen, starting on the form, named in the interviewer's language), its icons
// load at their declared sizes, and Chromium itself finds nothing that stops installation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundles } from '../../schemas/labels.js';
import { ICON_DIR, ICONS, iconPng } from '../../scripts/icons.js';
import { logIn, shellReady, startHarness, TABLET, type Harness } from './support/form-harness.js';

interface Manifest {
  name: string;
  lang: string;
  start_url: string;
  scope: string;
  display: string;
  icons: Array<{ src: string; sizes: string; type: string; purpose: string }>;
}

describe('installing the form', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('the committed icons are the ones scripts/icons.ts draws (npm run icons)', () => {
    for (const icon of ICONS) expect(readFileSync(join(ICON_DIR, icon.file)).equals(iconPng(icon.size, icon.maskable))).toBe(true);
  });

  it('links a full-screen manifest in the interface language, whose icons load; Chromium reports no installability error', async () => {
    const context = await h.browser.newContext({ viewport: TABLET, hasTouch: true, isMobile: true, locale: 'ru-RU' });
    const page = await context.newPage();
    await logIn(page, h.base, 'population');
    const fetchManifest = () => page.evaluate(async () => {
      const href = document.querySelector('link[rel=manifest]')?.getAttribute('href') ?? '';
      const res = await fetch(href);
      return { href, status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as unknown };
    });
    const ru = await fetchManifest();
    expect(ru).toMatchObject({ href: '/assets/manifest-population-ru.webmanifest', status: 200 });
    expect(ru.type).toMatch(/^application\/manifest\+json/);
    const manifest = ru.body as Manifest;
    expect(manifest).toMatchObject({ name: `${bundles.ru.surveys.population.title} · CSI`, lang: 'ru', start_url: '/forms/population', scope: '/forms/', display: 'fullscreen' });
    expect(manifest.icons.map((i) => i.purpose).sort()).toEqual(['any', 'any', 'maskable']);

    for (const icon of manifest.icons) {
      const loaded = await page.evaluate(async (src) => {
        const res = await fetch(src);
        const img = new Image();
        img.src = src;
        await img.decode();
        return { type: res.headers.get('content-type'), width: img.naturalWidth, height: img.naturalHeight };
      }, icon.src);
      const [w, hgt] = icon.sizes.split('x').map(Number);
      expect(loaded).toEqual({ type: icon.type, width: w, height: hgt });
    }

    await page.locator('button[data-lang=kk]').click();
    const kk = await fetchManifest();
    expect(kk.href).toBe('/assets/manifest-population-kk.webmanifest');
    expect((kk.body as Manifest).name).toBe(`${bundles.kk.surveys.population.title} · CSI`);

    // Chromium's own installability check (what decides "Add to home screen"), once the service worker controls the page.
    await shellReady(page, 'population');
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: Array<{ errorId: string }> };
    // A test context is incognito (never installable); anything else would be the app's fault.
    expect(installabilityErrors.filter((e) => e.errorId !== 'in-incognito')).toEqual([]);
    const { errors } = (await cdp.send('Page.getAppManifest')) as { errors: unknown[] };
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('refuses manifests of unknown surveys or languages', async () => {
    for (const file of ['manifest-nosuch-en.webmanifest', 'manifest-population-de.webmanifest']) {
      expect((await fetch(`${h.base}/assets/${file}`)).status).toBe(404);
    }
  });
});
