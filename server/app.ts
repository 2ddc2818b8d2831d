/**
 * createApp(deps): the Express application, without listening and without globals. The composition root
 * (main.ts) and the tests build it with their own store, clock, config and logger.
 */
import express, { Router, type Express } from 'express';
import type { Logger } from 'pino';
import { accountsRoutes } from './http/accounts.routes.js';
import { authenticate, type Limits } from './http/auth.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { indicatorsRoutes } from './http/indicators.routes.js';
import { pagesRoutes } from './http/pages.routes.js';
import { quotasRoutes } from './http/quotas.routes.js';
import { buildOpenApi } from './http/openapi.js';
import { requestLog } from './http/request-log.js';
import { responsesRoutes } from './http/responses.routes.js';
import { securityHeaders } from './http/security-headers.js';
import { surveysRoutes } from './http/surveys.routes.js';
import { weightingRoutes } from './http/weighting.routes.js';
import { AccountsService } from './services/accounts.service.js';
import { auditTrail } from './services/audit.service.js';
import { ExportService } from './services/export.service.js';
import { FieldworkEvents } from './services/fieldwork-events.js';
import { FieldworkService } from './services/fieldwork.service.js';
import { IndicatorsService } from './services/indicators.service.js';
import { ParadataService } from './services/paradata.service.js';
import { QuotasService, type QuotaOptions } from './services/quotas.service.js';
import { ResponsesService, type Clock } from './services/responses.service.js';
import { ReviewService } from './services/review.service.js';
import { compileAllValidators, type Validators } from './services/validation.js';
import { TalliesService } from './services/tallies.service.js';
import { WeightingService } from './services/weighting.service.js';
import type { Store } from './store/store.port.js';

export interface AppDeps {
  store: Store;
  logger: Logger;
  clock?: Clock;
  validators?: Validators;
  bodyLimit?: string;
  limits?: Partial<Limits>;
  /** Express's `trust proxy` (config TRUST_PROXY): false unless a reverse proxy sits in front. */
  trustProxy?: false | number | string;
  /** Quota screening: how long reservations hold, how many live ones a person may hold per cell. */
  quotas?: QuotaOptions;
}

export interface App {
  app: Express;
  accounts: AccountsService;
}

export const DEFAULT_LIMITS: Limits = { writesPerMinute: 600, loginsPerMinute: 30 };

export function createApp(deps: AppDeps): Express {
  return buildApp(deps).app;
}

/** The app with the services it composed (the composition root needs the accounts service to bootstrap). */
export function buildApp(deps: AppDeps): App {
  const clock = deps.clock ?? (() => new Date());
  const validators = deps.validators ?? compileAllValidators();
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const bodyLimit = deps.bodyLimit ?? '1mb';
  const audit = auditTrail(deps.store, clock);
  const accounts = new AccountsService(deps.store, validators, clock, audit);
  const weighting = new WeightingService(deps.store, validators, audit);
  const events = new FieldworkEvents();
  const quotas = new QuotasService(deps.store, validators, clock, audit, weighting, events, deps.quotas);
  const fieldwork = new FieldworkService(deps.store, validators, clock);
  const responses = new ResponsesService(deps.store, validators, clock, audit, quotas.hooks());
  const tallies = new TalliesService(deps.store, validators, weighting);
  const indicators = new IndicatorsService(deps.store, validators, weighting, audit);
  const exports = new ExportService(deps.store, validators, (survey, actor, options) => weighting.weightsFor(survey, actor, options));

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Behind a proxy, req.ip (rate limits, the login audit) and req.protocol come from X-Forwarded-* of trusted hops.
  app.set('trust proxy', deps.trustProxy ?? false);
  // JSON API: the default CSP is right, minus upgrade-insecure-requests, which breaks plain-HTTP LAN use.
  app.use(securityHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(requestLog(app, deps.logger));
  // API answers hold personal data and are per user: no browser, proxy or shared tablet may keep a copy. Set
  // before anything can answer, so errors (401, 404) carry it too.
  app.use('/api/v1', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(authenticate(accounts));
  // One router for the API, submissions first: the busiest route is matched before any other is tried.
  const api = Router();
  api.use(responsesRoutes(responses, exports, new ParadataService(deps.store, validators), new ReviewService(deps.store, validators), limits, bodyLimit));
  api.use(accountsRoutes(accounts, deps.store, validators, limits, bodyLimit));
  api.use(surveysRoutes(limits));
  api.use(weightingRoutes(weighting, tallies, limits, bodyLimit));
  api.use(quotasRoutes(quotas, fieldwork, events, limits, bodyLimit));
  api.use(indicatorsRoutes(indicators, limits, bodyLimit));
  app.use('/api/v1', api);
  app.use(healthRoutes(deps.store, limits, buildOpenApi()));
  app.use(pagesRoutes(limits));
  app.use(notFound);
  app.use(errorHandler);
  return { app, accounts };
}
