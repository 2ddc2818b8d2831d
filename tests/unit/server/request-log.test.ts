// Request ids and request log lines: a safe client id is kept, anything else replaced; one line per request at
// info with id, method, URL, status and time (never the body or credentials); nothing per request at warn.
import express from 'express';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requestLog } from '../../../server/http/request-log.js';

function appLogging(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = express();
  app.use(requestLog(app, pino({ level }, sink)));
  app.use(express.json());
  app.post('/things', (req, res) => {
    res.status(201).json({ id: req.id });
  });
  app.get('/boom', (req, res) => {
    req.log.error({ detail: 'x' }, 'handler failed');
    res.status(500).json({ requestId: req.id });
  });
  return { app, lines };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestLog', () => {
  it('keeps a safe client request id and replaces anything else by a new UUID', async () => {
    const { app } = appLogging('silent');
    const kept = await request(app).post('/things').set('x-request-id', 'tablet-17_retry-3').send({}).expect(201);
    expect(kept.headers['x-request-id']).toBe('tablet-17_retry-3');
    expect(kept.body.id).toBe('tablet-17_retry-3');
    for (const bad of ['has space', 'x'.repeat(65), 'semi;colon', '']) {
      const res = await request(app).post('/things').set('x-request-id', bad).send({}).expect(201);
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
    const a = await request(app).post('/things').send({}).expect(201);
    const b = await request(app).post('/things').send({}).expect(201);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('logs one line per request at info, with the request line, status and time, and never the body or token', async () => {
    const { app, lines } = appLogging('info');
    const res = await request(app).post('/things?page=2').set('authorization', 'Bearer csi_secret-token-value').send({ answer: 'private words' }).expect(201);
    await request(app).get('/boom').expect(500);
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'request completed', req: { id: res.headers['x-request-id'], method: 'POST', url: '/things?page=2' }, res: { statusCode: 201 }, responseTime: expect.any(Number) }),
      expect.objectContaining({ level: 50, msg: 'handler failed', detail: 'x', req: expect.objectContaining({ method: 'GET', url: '/boom' }) }),
      expect.objectContaining({ level: 50, msg: 'request failed', res: { statusCode: 500 } }),
    ]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('csi_secret-token-value');
    expect(text).not.toContain('private words');
  });

  it('writes no per-request line at warn, but errors still carry the request id', async () => {
    const { app, lines } = appLogging('warn');
    await request(app).post('/things').send({}).expect(201);
    const boom = await request(app).get('/boom').expect(500);
    expect(lines).toEqual([expect.objectContaining({ msg: 'handler failed', req: expect.objectContaining({ id: boom.body.requestId }) })]);
  });
});
