/** The CSI indicator matrix (JSON, CSV or Excel), the CSI Diamond as SVG, and the secondary data it uses. */
import { Router } from 'express';
import { indicatorsCsv, indicatorsXlsx, type IndicatorsQuery, type IndicatorsService } from '../services/indicators.service.js';
import { XLSX_TYPE } from '../services/xlsx.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { jsonBody } from './json-body.js';

export function indicatorsRoutes(indicators: IndicatorsService, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  route('GET', '/indicators', async (req, res) => {
    const report = await indicators.matrix(req.query, req.actor);
    const q = req.query as Pick<IndicatorsQuery, 'format' | 'precision' | 'bom' | 'lang'>; // validated by the service
    const lang = q.lang ?? 'en';
    if (q.format === 'csv') {
      return void res.type('text/csv; charset=utf-8').attachment('csi-indicators.csv').send(indicatorsCsv(report, lang, { precision: q.precision, bom: q.bom === 'true' }));
    }
    if (q.format === 'xlsx') return void res.type(XLSX_TYPE).attachment('csi-indicators.xlsx').send(await indicatorsXlsx(report, lang, q.precision));
    res.json(report);
  });
  route('GET', '/indicators/diamond.svg', async (req, res) => {
    const svg = await indicators.diamond(req.query, req.actor);
    res.type('image/svg+xml; charset=utf-8').send(svg);
  });
  route('GET', '/indicators/secondary', noQuery, async (_req, res) => {
    res.json(await indicators.secondary());
  });
  route('PUT', '/indicators/secondary', noQuery, ...jsonBody(bodyLimit), async (req, res) => {
    res.json(await indicators.putSecondary(req.body, req.actor));
  });
  return router;
}
