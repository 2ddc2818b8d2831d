import { Router } from 'express';
import { problem } from '../domain/problems.js';
import { transportWarning } from '../domain/transport.js';
import type { Services } from '../services/services.js';
import { guardedRoutes, type Limits } from './auth.js';
import { sendProblem } from './error-handler.js';
import type { Health } from '../../schemas/generated/api.types.js';

export function healthRoutes(health: Services['health'], limits: Limits, openapi: object): Router {
  const router = Router();
  const route = guardedRoutes(router, '', limits);
  route('GET', '/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  route('GET', '/healthz', async (req, res) => {
    const result = await health.check();
    if (result.ok) {
      // As the browser asked for it (behind a trusted proxy: the proxy's scheme and host).
      const warning = transportWarning(req.protocol, req.hostname);
      res.json({ status: 'ok', store: result.store, ...(warning ? { warning } : {}) } satisfies Health);
      return;
    }
    req.log?.warn({ err: result.error }, 'health check: store unreachable');
    sendProblem(res, problem('storeUnavailable', { store: result.store }));
  });
  return router;
}
