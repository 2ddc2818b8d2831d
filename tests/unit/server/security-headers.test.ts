// The headers set in one step are exactly the ones helmet's middleware sets, for the app's configuration and others.
import express from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../../../server/http/security-headers.js';

async function headersFrom(middleware: express.RequestHandler): Promise<Record<string, string>> {
  const app = express();
  app.use(middleware);
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  const res = await request(app).get('/');
  const { date: _date, etag: _etag, ...rest } = res.headers as Record<string, string>;
  return rest;
}

describe('securityHeaders', () => {
  it.each<[string, HelmetOptions]>([
    ['the app\'s configuration', { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }],
    ['helmet\'s defaults', {}],
    ['no CSP, HSTS preload', { contentSecurityPolicy: false, strictTransportSecurity: { maxAge: 63072000, preload: true } }],
  ])('sets what helmet sets: %s', async (_name, options) => {
    const ours = await headersFrom(securityHeaders(options));
    expect(ours).toEqual(await headersFrom(helmet(options)));
    expect(ours['content-security-policy'] ?? 'none').toBeTruthy();
    expect(ours['x-content-type-options']).toBe('nosniff');
    expect(ours['x-powered-by']).toBeUndefined();
  });
});
