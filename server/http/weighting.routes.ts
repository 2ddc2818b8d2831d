/** Population margins and tallies (weighted or not; JSON, CSV or Excel). */
import { Router } from 'express';
import { talliesCsv, talliesXlsx, type TalliesQuery, type TalliesService } from '../services/tallies.service.js';
import { XLSX_TYPE } from '../services/xlsx.js';
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
    const q = req.query as Pick<TalliesQuery, 'format' | 'precision' | 'bom'>; // validated by the service
    if (q.format === 'csv') {
      return void res.type('text/csv; charset=utf-8').attachment(`${report.survey}-tallies.csv`).send(talliesCsv(report, { precision: q.precision, bom: q.bom === 'true' }));
    }
    if (q.format === 'xlsx') return void res.type(XLSX_TYPE).attachment(`${report.survey}-tallies.xlsx`).send(await talliesXlsx(report, q.precision));
    res.json(report);
  });
  return router;
}
