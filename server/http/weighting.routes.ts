/** Population margins and tallies (weighted or not, JSON or CSV). */
import { Router } from 'express';
import { talliesCsv, type TalliesService } from '../services/tallies.service.js';
import type { WeightingService } from '../services/weighting.service.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { jsonBody } from './json-body.js';

export function weightingRoutes(weighting: WeightingService, tallies: TalliesService, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  route('GET', '/surveys/:survey/margins', noQuery, async (req, res) => {
    res.json(await weighting.margins(req.params.survey as string));
  });
  route('PUT', '/surveys/:survey/margins', noQuery, ...jsonBody(bodyLimit), async (req, res) => {
    res.json(await weighting.putMargins(req.params.survey as string, req.body, req.actor));
  });
  route('GET', '/surveys/:survey/tallies', async (req, res) => {
    const report = await tallies.tallies(req.params.survey as string, req.query, req.actor);
    if (req.query.format !== 'csv') return void res.json(report);
    res.type('text/csv; charset=utf-8').attachment(`${report.survey}-tallies.csv`).send(talliesCsv(report));
  });
  return router;
}
