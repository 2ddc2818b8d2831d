/**
 * createApp(deps): the Express application, without listening and without globals. The composition root
 * (main.ts) and the tests build it with their own store, clock, config and logger.
 */
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { anonymousActor, type ActorResolver } from './http/actor.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { buildOpenApi } from './http/openapi.js';
import { responsesRoutes } from './http/responses.routes.js';
import { surveysRoutes } from './http/surveys.routes.js';
import { ExportService } from './services/export.service.js';
import { ResponsesService, type Clock } from './services/responses.service.js';
import { compileAllValidators, type Validators } from './services/validation.js';
import type { ResponseStore } from './store/store.port.js';

export interface AppDeps {
  store: ResponseStore;
  logger: Logger;
  clock?: Clock;
  validators?: Validators;
  actorOf?: ActorResolver;
  bodyLimit?: string;
}

export function createApp(deps: AppDeps): Express {
  const clock = deps.clock ?? (() => new Date());
  const validators = deps.validators ?? compileAllValidators();
  const responses = new ResponsesService(deps.store, validators, clock);
  const exports = new ExportService(deps.store, validators);
  const openapi = buildOpenApi();

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(pinoHttp({
    logger: deps.logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    // Never log bodies or credentials; the request line and status are enough to trace a problem.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }));

  app.use(healthRoutes(deps.store));
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/api/v1', surveysRoutes());
  app.use('/api/v1', responsesRoutes(responses, exports, deps.actorOf ?? anonymousActor, deps.bodyLimit ?? '1mb'));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
