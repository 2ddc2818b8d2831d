/** Routes on responses: parse, call one service method, send. */
import { Router } from 'express';
import { pipeline } from 'node:stream/promises';
import type { Services } from '../services/services.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { jsonBody } from './json-body.js';
import { exportParams, listParams, paradataParams, reviewParams, validQuery } from './query.js';
import type { ResponseList, ResponseReceipt, ReviewDetail, ReviewList, RevisionList } from '../../schemas/generated/api.types.js';

export function responsesRoutes({ responses, exports, paradata, review, validators, concerns }: Services, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  const body = jsonBody(bodyLimit);

  route('POST', '/surveys/:survey/responses', noQuery, ...body, async (req, res) => {
    const outcome = await responses.submit(req.params.survey as string, req.body, req.actor);
    res.status(outcome.created ? 201 : 200).location(`${req.baseUrl}/surveys/${outcome.receipt.survey}/responses/${outcome.receipt.id}`).json(outcome.receipt satisfies ResponseReceipt);
  });

  route('GET', '/surveys/:survey/responses', async (req, res) => {
    res.json((await responses.list(req.params.survey as string, listParams(validQuery(validators.api.listQuery, req.query)), req.actor)) satisfies ResponseList);
  });

  route('GET', '/surveys/:survey/responses/:id', noQuery, async (req, res) => {
    res.json((await responses.get(req.params.survey as string, req.params.id as string, req.actor)) satisfies ResponseReceipt);
  });

  route('GET', '/surveys/:survey/responses/:id/revisions', noQuery, async (req, res) => {
    res.json({ items: await responses.revisions(req.params.survey as string, req.params.id as string, req.actor) } satisfies RevisionList);
  });

  route('PATCH', '/surveys/:survey/responses/:id', noQuery, ...body, async (req, res) => {
    res.json((await responses.review(req.params.survey as string, req.params.id as string, req.body, req.actor)) satisfies ResponseReceipt);
  });

  route('GET', '/surveys/:survey/review', async (req, res) => {
    res.json((await review.list(req.params.survey as string, reviewParams(validQuery(validators.api.reviewQuery, req.query)), req.actor)) satisfies ReviewList);
  });

  route('GET', '/surveys/:survey/review/:id', noQuery, async (req, res) => {
    res.json((await review.detail(req.params.survey as string, req.params.id as string, req.actor)) satisfies ReviewDetail);
  });

  route('GET', '/surveys/:survey/export', async (req, res) => {
    const params = exportParams(validQuery(validators.api.exportQuery, req.query));
    const result = exports.export(req.params.survey as string, params, req.actor, (await concerns.current()).concerns);
    // Weights first (a trim the margins rule out is a 422), then the 200 and the rows.
    await result.ready.catch((error: unknown) => {
      result.stream.destroy();
      throw error;
    });
    res.status(200).attachment(result.filename).type(result.contentType);
    await pipeline(result.stream, res);
  });

  route('GET', '/surveys/:survey/paradata', async (req, res) => {
    const result = paradata.export(req.params.survey as string, paradataParams(validQuery(validators.api.paradataQuery, req.query)), req.actor);
    res.status(200).attachment(result.filename).type(result.contentType);
    await pipeline(result.stream, res);
  });

  return router;
}
