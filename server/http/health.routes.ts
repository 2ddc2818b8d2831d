import { Router } from 'express';
import { problem } from '../domain/problems.js';
import type { ResponseStore } from '../store/store.port.js';

export function healthRoutes(store: ResponseStore): Router {
  const router = Router();
  router.get('/healthz', async (req, res) => {
    try {
      await store.ping();
      res.json({ status: 'ok', store: store.kind });
    } catch (err) {
      req.log?.warn({ err }, 'health check: store unreachable');
      const p = problem('storeUnavailable', { store: store.kind });
      res.status(p.status).json({ code: p.code, message: p.message, details: p.details });
    }
  });
  return router;
}
