/** The CSI indicator matrix (JSON or CSV), the CSI Diamond as SVG, and the secondary data it uses. */
import { Router } from 'express';
import type { Language } from '../../schemas/labels.js';
import { indicatorsCsv, type IndicatorsService } from '../services/indicators.service.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { jsonBody } from './json-body.js';

export function indicatorsRoutes(indicators: IndicatorsService, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  route('GET', '/indicators', async (req, res) => {
    const report = await indicators.matrix(req.query, req.actor);
    if (req.query.format !== 'csv') return void res.json(report);
    const csv = indicatorsCsv(report, (req.query.lang as Language | undefined) ?? 'en');
    res.type('text/csv; charset=utf-8').attachment('csi-indicators.csv').send(csv);
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
