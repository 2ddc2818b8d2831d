/** Routes on responses: parse, call one service method, send. */
import { Router } from 'express';
import { pipeline } from 'node:stream/promises';
import type { ExportService } from '../services/export.service.js';
import type { ResponsesService } from '../services/responses.service.js';
import type { ActorResolver } from './actor.js';
import { jsonBody } from './json-body.js';

export function responsesRoutes(responses: ResponsesService, exports: ExportService, actorOf: ActorResolver, bodyLimit: string): Router {
  const router = Router();
  const body = jsonBody(bodyLimit);

  router.post('/surveys/:survey/responses', ...body, async (req, res) => {
    const outcome = await responses.submit(req.params.survey as string, req.body, actorOf(req));
    res.status(outcome.created ? 201 : 200).location(`${req.baseUrl}/surveys/${outcome.receipt.survey}/responses/${outcome.receipt.id}`).json(outcome.receipt);
  });

  router.get('/surveys/:survey/responses', async (req, res) => {
    res.json(await responses.list(req.params.survey as string, req.query));
  });

  router.get('/surveys/:survey/responses/:id', async (req, res) => {
    res.json(await responses.get(req.params.survey as string, req.params.id as string));
  });

  router.get('/surveys/:survey/responses/:id/revisions', async (req, res) => {
    res.json({ items: await responses.revisions(req.params.survey as string, req.params.id as string) });
  });

  router.patch('/surveys/:survey/responses/:id', ...body, async (req, res) => {
    res.json(await responses.review(req.params.survey as string, req.params.id as string, req.body, actorOf(req)));
  });

  router.get('/surveys/:survey/export', async (req, res) => {
    const result = exports.export(req.params.survey as string, req.query);
    res.status(200).attachment(result.filename).type(result.contentType);
    await pipeline(result.stream, res);
  });

  return router;
}
