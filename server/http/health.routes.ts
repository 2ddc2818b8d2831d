import { Router } from 'express';
import { problem } from '../domain/problems.js';
import { transportWarning } from '../domain/transport.js';
import { checkHealth } from '../services/health.service.js';
import type { ResponseStore } from '../store/store.port.js';
import { guardedRoutes, type Limits } from './auth.js';
import { sendProblem } from './error-handler.js';

export function healthRoutes(store: ResponseStore, limits: Limits, openapi: object): Router {
  const router = Router();
  const route = guardedRoutes(router, '', limits);
  route('GET', '/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  route('GET', '/healthz', async (req, res) => {
    const health = await checkHealth(store);
    if (health.ok) {
      // As the browser asked for it (behind a trusted proxy: the proxy's scheme and host).
      const warning = transportWarning(req.protocol, req.hostname);
      res.json({ status: 'ok', store: health.store, ...(warning ? { warning } : {}) });
      return;
    }
    req.log?.warn({ err: health.error }, 'health check: store unreachable');
    sendProblem(res, problem('storeUnavailable', { store: health.store }));
  });
  return router;
}
