/** Population margins and tallies (weighted or not; JSON, CSV or Excel). */
import { Router } from 'express';
import type { Services } from '../services/services.js';
import { talliesCsv, talliesXlsx } from '../services/tallies.service.js';
import { XLSX_TYPE } from '../services/xlsx.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { jsonBody } from './json-body.js';
import { downloadOptions, talliesParams, validQuery } from './query.js';
import type { TalliesReport } from '../../schemas/generated/api.types.js';

export function weightingRoutes({ weighting, tallies, validators }: Services, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  route('GET', '/surveys/:survey/margins', noQuery, async (req, res) => {
    res.json(await weighting.margins(req.params.survey as string));
  });
  route('PUT', '/surveys/:survey/margins', noQuery, ...jsonBody(bodyLimit), async (req, res) => {
    res.json(await weighting.putMargins(req.params.survey as string, req.body, req.actor));
  });
  route('GET', '/surveys/:survey/tallies', async (req, res) => {
    const { params, table } = talliesParams(validQuery(validators.api.talliesQuery, req.query));
    const report = await tallies.tallies(req.params.survey as string, params, req.actor);
    if (table.format === 'csv') {
      return void res.type('text/csv; charset=utf-8').attachment(`${report.survey}-tallies.csv`).send(talliesCsv(report, downloadOptions(table)));
    }
    if (table.format === 'xlsx') return void res.type(XLSX_TYPE).attachment(`${report.survey}-tallies.xlsx`).send(await talliesXlsx(report, table.precision));
    res.json(report satisfies TalliesReport);
  });
  return router;
}
