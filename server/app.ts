/**
 * createApp(deps): the Express application, without listening and without globals. The composition root
 * (main.ts) and the tests build it with their own store, clock, config and logger.
 */
import express, { Router, type Express } from 'express';
import type { Logger } from 'pino';
import type { SurveyId } from '../schemas/surveys.js';
import { accountsRoutes } from './http/accounts.routes.js';
import { authenticate, type Limits } from './http/auth.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { concernsRoutes } from './http/concerns.routes.js';
import { indicatorsRoutes } from './http/indicators.routes.js';
import { pagesRoutes } from './http/pages.routes.js';
import { quotasRoutes } from './http/quotas.routes.js';
import { buildOpenApi } from './http/openapi.js';
import { requestLog } from './http/request-log.js';
import { responsesRoutes } from './http/responses.routes.js';
import { securityHeaders } from './http/security-headers.js';
import { surveysRoutes } from './http/surveys.routes.js';
import { weightingRoutes } from './http/weighting.routes.js';
import type { AccountsService } from './services/accounts.service.js';
import type { QuotaOptions } from './services/quotas.service.js';
import type { Clock } from './services/responses.service.js';
import { createServices } from './services/services.js';
import type { Validators } from './services/validation.js';
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
  /** Questionnaire versions held back (config CSI_PIN_VERSIONS); ignored when `validators` is given. */
  pinnedVersions?: Partial<Record<SurveyId, string>>;
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
  const services = createServices({ store: deps.store, clock: deps.clock, validators: deps.validators, quotas: deps.quotas, pinnedVersions: deps.pinnedVersions });
  const { accounts } = services;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const bodyLimit = deps.bodyLimit ?? '1mb';

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
  api.use(responsesRoutes(services, limits, bodyLimit));
  api.use(accountsRoutes(services, limits, bodyLimit));
  api.use(surveysRoutes(limits, services.validators.policy));
  api.use(weightingRoutes(services, limits, bodyLimit));
  api.use(quotasRoutes(services, limits, bodyLimit));
  api.use(indicatorsRoutes(services, limits, bodyLimit));
  api.use(concernsRoutes(services, limits, bodyLimit));
  app.use('/api/v1', api);
  app.use(healthRoutes(services.health, limits, buildOpenApi()));
  app.use(pagesRoutes(limits, undefined, services.validators.policy));
  app.use(notFound);
  app.use(errorHandler);
  return { app, accounts };
}
