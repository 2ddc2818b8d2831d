/** Population margins and weighted estimates. */
import { Router } from 'express';
import type { WeightingService } from '../services/weighting.service.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { jsonBody } from './json-body.js';

export function weightingRoutes(weighting: WeightingService, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  route('GET', '/surveys/:survey/margins', noQuery, async (req, res) => {
    res.json(await weighting.margins(req.params.survey as string));
  });
  route('PUT', '/surveys/:survey/margins', noQuery, ...jsonBody(bodyLimit), async (req, res) => {
    res.json(await weighting.putMargins(req.params.survey as string, req.body, req.actor));
  });
  route('GET', '/surveys/:survey/estimates', async (req, res) => {
    res.json(await weighting.estimates(req.params.survey as string, req.query, req.actor));
  });
  return router;
}
