/**
 * Authentication and authorization, in one place. `authenticate` reads the bearer token once per request and
 * sets `req.actor`; `guardedRoutes` registers every route with the access policy of its key (a route without an
 * entry in domain/policy.ts throws at boot) and a per-token rate limit on writes.
 */
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { isRegionScoped } from '../domain/access.js';
import { ANONYMOUS, type Actor } from '../domain/actor.js';
import { decide, policyFor, type RoutePolicy } from '../domain/policy.js';
import { problem } from '../domain/problems.js';
import type { AccountsService, Checked } from '../services/accounts.service.js';

declare module 'express-serve-static-core' {
  interface Request {
    actor: Actor;
    /** The id (never the secret) of the token that authenticated the request. */
    tokenId: string | null;
    /** A bearer token was sent but is unknown, expired or revoked, or its user is disabled. */
    badToken?: boolean;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{10,200})$/;

export function authenticate(accounts: AccountsService): RequestHandler {
  const settle = (req: Request, found: Checked | null) => {
    if (found) {
      req.actor = found.actor;
      req.tokenId = found.tokenId;
    } else {
      req.badToken = true;
    }
  };
  return (req, _res, next) => {
    req.actor = ANONYMOUS;
    req.tokenId = null;
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const secret = BEARER.exec(header)?.[1];
    const found = secret ? accounts.authenticate(secret) : null;
    if (!(found instanceof Promise)) {
      settle(req, found);
      return next();
    }
    found.then((checked) => {
      settle(req, checked);
      next();
    }, next);
  };
}

function authorize(policy: RoutePolicy): RequestHandler {
  return (req, _res, next) => {
    if (policy.allow !== 'public' && req.badToken) return next(problem('invalidToken'));
    const decision = decide(policy, req.actor.role);
    if (decision === 'unauthenticated') return next(problem('authenticationRequired'));
    if (decision === 'forbidden') return next(problem('forbidden', { role: req.actor.role }));
    if (policy.national && isRegionScoped(req.actor)) return next(problem('outOfScope', { regions: req.actor.regions }));
    next();
  };
}

export interface Limits {
  writesPerMinute: number;
  loginsPerMinute: number;
}

function limiter(perMinute: number, key: (req: Request) => string): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    // draft-7's `RateLimit: limit=…, remaining=…, reset=…`: draft-8 adds a partition key, a SHA-256 per request.
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: key,
    handler: (_req: Request, _res: Response, next: NextFunction) => next(problem('tooManyRequests')),
  });
}

/** For routes that take no query parameters: any parameter is refused, so nothing unexpected reaches a service. */
export const noQuery: RequestHandler = (req, _res, next) => {
  const keys = Object.keys(req.query);
  if (keys.length === 0) return next();
  next(problem('invalidQuery', { errors: keys.map((k) => ({ path: `/${k}`, item: null, keyword: 'additionalProperties', message: 'this route takes no query parameters' })) }));
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Register = (method: Method, path: string, ...handlers: RequestHandler[]) => void;

/** A route registrar for `router` mounted at `prefix`: each route gets its policy, and writes their rate limit. */
export function guardedRoutes(router: Router, prefix: string, limits: Limits): Register {
  const writes = limiter(limits.writesPerMinute, (req) => req.actor.userId ?? req.tokenId ?? ipKeyGenerator(req.ip ?? ''));
  const logins = limiter(limits.loginsPerMinute, (req) => ipKeyGenerator(req.ip ?? ''));
  return (method, path, ...handlers) => {
    const key = `${method} ${prefix}${path}`;
    const policy = policyFor(key);
    if (!policy) throw new Error(`no access policy for ${key}: add it to server/domain/policy.ts`);
    const throttle = key === 'POST /api/v1/auth/login' ? [logins] : policy.write ? [writes] : [];
    const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    router[verb](path, authorize(policy), ...throttle, ...handlers);
  };
}
