// Public pages: HTML shells that work under helmet's CSP (no inline script; one module from /assets/, the shared
// stylesheet), the form bundle of each survey carrying only its own questionnaire, the service worker allowed to
// control the form pages, dashboards from the page table, and 404 problems for anything else.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../server/http/pages.routes.js';
import { makeTestApp, type TestApp } from '../support/app.js';

describe('pages', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await makeTestApp('embedded');
  });
  afterAll(async () => {
    await ctx.t.dispose();
  });

  it.each(['population', 'organisational', 'external'])('serves the %s form shell: lang, viewport, stylesheet, one module script, no inline script', async (survey) => {
    const res = await request(ctx.app).get(`/forms/${survey}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(res.text).toMatch(/<html lang="\w+">/);
    expect(res.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(res.text).toContain('<link rel="stylesheet" href="/assets/app.css">');
    expect(res.text).toContain(`<script type="module" src="/assets/form-${survey}.js"></script>`);
    expect(res.text.match(/<script/g)).toHaveLength(1);
    expect(res.text).toContain(`data-survey="${survey}"`);
  });

  it('bundles each form with its own questionnaire only', async () => {
    const population = await request(ctx.app).get('/assets/form-population.js').expect(200);
    expect(population.headers['content-type']).toMatch(/javascript/);
    expect(population.text).toContain('ps_age_years');
    expect(population.text).not.toContain('os_has_board');
    const external = await request(ctx.app).get('/assets/form-external.js').expect(200);
    expect(external.text).toContain('es_sector');
    expect(external.text).not.toContain('ps_age_years');
  }, 60_000);

  it('sends scripts gzipped to clients that accept it, plain to others', async () => {
    const zipped = await request(ctx.app).get('/assets/form-organisational.js').set('accept-encoding', 'gzip').expect(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/i);
    expect(zipped.text).toContain('os_has_board');
    const plain = await request(ctx.app).get('/assets/form-organisational.js').set('accept-encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(zipped.text);
  }, 60_000);

  it('serves the service worker with the scope of the form pages, and the stylesheet', async () => {
    const sw = await request(ctx.app).get('/assets/sw.js').expect(200);
    expect(sw.headers['service-worker-allowed']).toBe('/forms/');
    expect(sw.headers['content-type']).toMatch(/javascript/);
    const css = await request(ctx.app).get('/assets/app.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  }, 60_000);

  it('serves a shell for every dashboard of the page table', async () => {
    for (const name of Object.keys(DASHBOARDS)) {
      const res = await request(ctx.app).get(`/dashboard/${name}`).expect(200);
      expect(res.text).toContain(`<script type="module" src="/assets/dashboard-${name}.js"></script>`);
    }
  });

  it('says that a page needs JavaScript in Kazakh, Russian and English, each marked with its language', async () => {
    const res = await request(ctx.app).get('/dashboard/review').expect(200);
    const noscript = /<noscript>(.*)<\/noscript>/s.exec(res.text)?.[1] ?? '';
    expect(noscript).toContain('<p lang="kk">Бұл бетке JavaScript қажет.</p>');
    expect(noscript).toContain('<p lang="ru">Для этой страницы нужен JavaScript.</p>');
    expect(noscript).toContain('<p lang="en">This page needs JavaScript.</p>');
  });

  it.each([
    ['/forms/nope', '404.1'], ['/dashboard/nope', '404.3'], ['/assets/nope.js', '404.3'], ['/assets/form-nope.js', '404.3'],
    ['/assets/dashboard-nope.js', '404.3'], ['/assets/..%2Fpackage.json', '404.3'],
  ])('answers %s with a 404 problem', async (url, code) => {
    const res = await request(ctx.app).get(url).expect(404);
    expect(res.body.code).toBe(code);
  });

  it('refuses query parameters on pages', async () => {
    expect((await request(ctx.app).get('/forms/population?x=1').expect(400)).body.code).toBe('400.3');
  });
});
