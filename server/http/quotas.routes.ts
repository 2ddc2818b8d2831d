/**
 * Quotas and fieldwork: the plan (JSON, or CSV with `Content-Type: text/csv`), the allocation helper, screening
 * with reservations, progress, the fieldwork summary and its live stream. Routes parse, call one service, send.
 *
 * The stream is Server-Sent Events read with fetch (the dashboard sends its bearer token in the Authorization
 * header like every other call) rather than EventSource, which cannot send headers: a token in the query string
 * would end up in logs, proxies and browser history.
 */
import express, { Router, type RequestHandler } from 'express';
import type { ResponseStatus } from '../../schemas/api.js';
import { canHear } from '../domain/access.js';
import { problem } from '../domain/problems.js';
import type { QuotaPolicy } from '../domain/quotas/plan.js';
import { quotaPlanToCsv } from '../domain/quotas/plan-csv.js';
import { requireSurvey } from '../services/responses.service.js';
import type { Services } from '../services/services.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { jsonBody } from './json-body.js';
import { fieldworkParams, validQuery } from './query.js';
import type { FieldworkReport, QuotaPlanVersions, QuotaProgress, QuotaStatus, StoredQuotaPlan } from '../../schemas/generated/api.types.js';

/** Heartbeat on the stream, so proxies and the browser keep an idle connection open. */
const HEARTBEAT_MS = 25_000;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A plan as JSON or as CSV: `text/csv` is read as UTF-8 text, anything else goes through the JSON body rules. */
function planBody(limit: string): RequestHandler[] {
  const [requireJson, parseJson, normalize] = jsonBody(limit) as [RequestHandler, RequestHandler, RequestHandler];
  const parseCsv = express.text({ type: 'text/csv', limit, verify: (_req, _res, buf) => void utf8.decode(buf) });
  return [
    (req, res, next) => (req.is('text/csv') ? parseCsv(req, res, next) : requireJson(req, res, next)),
    (req, res, next) => (req.is('text/csv') ? next() : parseJson(req, res, next)),
    (req, res, next) => (req.is('text/csv') ? next() : normalize(req, res, next)),
  ];
}

/** CSV import options from the query string (JSON plans carry them in the body and take no query). */
function csvOptions(query: Record<string, unknown>): { policy?: QuotaPolicy; countStatuses?: ResponseStatus[] } {
  const bad = Object.entries(query).filter(([k, v]) => typeof v !== 'string' || !((k === 'policy' && /^(refuse|flag)$/.test(v)) || (k === 'countStatuses' && /^(submitted|approved|has_issues)(,(submitted|approved|has_issues)){0,2}$/.test(v))));
  if (bad.length > 0) throw problem('invalidQuery', { errors: bad.map(([k]) => ({ path: `/${k}`, item: null, keyword: 'pattern', message: 'policy=refuse|flag and countStatuses=submitted,approved,has_issues only' })) });
  return {
    ...(typeof query.policy === 'string' ? { policy: query.policy as QuotaPolicy } : {}),
    ...(typeof query.countStatuses === 'string' ? { countStatuses: query.countStatuses.split(',') as ResponseStatus[] } : {}),
  };
}

/**
 * The version an editor started from, from If-Match (the ETag of GET …/quotas, `"3"`); null for `"0"` (there was
 * no plan); undefined without the header (replace whatever is current). Anything else matches no version, so it is
 * refused as a stale one would be (412), with the form to use.
 */
function ifMatchVersion(header: string | undefined): number | null | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(header.trim());
  if (!match) throw problem('planChanged', { given: header, rule: 'If-Match is the plan version as an entity tag, e.g. "3", from the ETag of GET /quotas ("0" when there is no plan)' });
  return Number(match[1]) === 0 ? null : Number(match[1]);
}

const etag = (version: number) => `"${version}"`;

export function quotasRoutes({ quotas, fieldwork, events, validators }: Services, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  const body = jsonBody(bodyLimit);

  route('GET', '/surveys/:survey/quotas', noQuery, async (req, res) => {
    const plan = await quotas.getPlan(req.params.survey as string);
    res.set('ETag', etag(plan.version)).vary('Accept');
    // The spreadsheet form on request (Accept: text/csv), as PUT takes it back.
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') return void res.type('text/csv; charset=utf-8').attachment(`${plan.survey}-quotas-v${plan.version}.csv`).send(quotaPlanToCsv(plan));
    res.json(plan satisfies StoredQuotaPlan);
  });
  route('PUT', '/surveys/:survey/quotas', ...planBody(bodyLimit), (req, res, next) => (req.is('text/csv') ? next() : noQuery(req, res, next)), async (req, res) => {
    const survey = req.params.survey as string;
    const ifMatch = ifMatchVersion(req.get('if-match'));
    const plan = req.is('text/csv')
      ? await quotas.importPlanCsv(survey, String(req.body), csvOptions(req.query), req.actor, ifMatch)
      : await quotas.putPlan(survey, req.body, req.actor, ifMatch);
    res.set('ETag', etag(plan.version)).json(plan satisfies StoredQuotaPlan);
  });
  route('GET', '/surveys/:survey/quotas/versions', noQuery, async (req, res) => {
    res.json((await quotas.planVersions(req.params.survey as string)) satisfies QuotaPlanVersions);
  });
  route('POST', '/surveys/:survey/quotas/allocation', noQuery, ...body, async (req, res) => {
    res.json((await quotas.allocate(req.params.survey as string, req.body)) satisfies StoredQuotaPlan);
  });
  route('POST', '/surveys/:survey/quotas/screen', noQuery, ...body, async (req, res) => {
    res.json(await quotas.screen(req.params.survey as string, req.body, req.actor));
  });
  route('DELETE', '/surveys/:survey/quotas/reservations/:id', noQuery, async (req, res) => {
    await quotas.cancelReservation(req.params.survey as string, req.params.id as string, req.actor);
    res.status(204).end();
  });
  route('GET', '/surveys/:survey/quotas/status', noQuery, async (req, res) => {
    res.json((await quotas.status(req.params.survey as string)) satisfies QuotaStatus);
  });
  route('GET', '/surveys/:survey/quotas/progress', noQuery, async (req, res) => {
    res.json((await quotas.progress(req.params.survey as string, req.actor)) satisfies QuotaProgress);
  });
  route('GET', '/surveys/:survey/fieldwork', async (req, res) => {
    res.json((await fieldwork.fieldwork(req.params.survey as string, fieldworkParams(validQuery(validators.api.fieldworkQuery, req.query)), req.actor)) satisfies FieldworkReport);
  });
  route('GET', '/surveys/:survey/fieldwork/events', noQuery, (req, res) => {
    const survey = requireSurvey(req.params.survey as string);
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store, no-transform', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 3000\n: connected\n\n');
    const unsubscribe = events.subscribe(({ regions, ...e }) => {
      if (e.survey === survey && canHear(req.actor, regions)) res.write(`event: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}
