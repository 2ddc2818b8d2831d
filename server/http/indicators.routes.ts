/** The CSI indicator matrix (JSON, CSV or Excel), the CSI Diamond as SVG, and the secondary data it uses. */
import { Router } from 'express';
import { indicatorsCsv, indicatorsXlsx } from '../services/indicators.service.js';
import type { Services } from '../services/services.js';
import { XLSX_TYPE } from '../services/xlsx.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { jsonBody } from './json-body.js';
import { diamondParams, downloadOptions, indicatorsParams, validQuery } from './query.js';
import type { IndicatorsReport, StoredSecondary } from '../../schemas/generated/api.types.js';

export function indicatorsRoutes({ indicators, validators }: Services, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  route('GET', '/indicators', async (req, res) => {
    const { params, table, lang } = indicatorsParams(validQuery(validators.api.indicatorsQuery, req.query));
    const report = await indicators.matrix(params, req.actor);
    if (table.format === 'csv') {
      return void res.type('text/csv; charset=utf-8').attachment('csi-indicators.csv').send(indicatorsCsv(report, lang, downloadOptions(table)));
    }
    if (table.format === 'xlsx') return void res.type(XLSX_TYPE).attachment('csi-indicators.xlsx').send(await indicatorsXlsx(report, lang, table.precision));
    res.json(report satisfies IndicatorsReport);
  });
  route('GET', '/indicators/diamond.svg', async (req, res) => {
    const svg = await indicators.diamond(diamondParams(validQuery(validators.api.diamondQuery, req.query)), req.actor);
    res.type('image/svg+xml; charset=utf-8').send(svg);
  });
  route('GET', '/indicators/secondary', noQuery, async (_req, res) => {
    res.json((await indicators.secondary()) satisfies StoredSecondary);
  });
  route('PUT', '/indicators/secondary', noQuery, ...jsonBody(bodyLimit), async (req, res) => {
    res.json((await indicators.putSecondary(req.body, req.actor)) satisfies StoredSecondary);
  });
  return router;
}
