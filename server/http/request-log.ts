/**
 * Request ids and request logs. Every request gets an id (the client's `x-request-id` when it is a safe token,
 * else a new UUID), echoed in the response; `req.log` is a pino child logger carrying the request line and id.
 * The child is made on first use (mostly by the error handler), and the one line per finished request is
 * written only when `info` is on: a busy server logging at `warn` pays for neither. Bodies, credentials and
 * tokens are never logged: the request line and the status are enough to trace a problem.
 */
import type { Express, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    /** A logger whose lines carry this request's id, method and URL. */
    readonly log: Logger;
  }
}

const SAFE_ID = /^[\w-]{1,64}$/;
const CHILD = Symbol('request logger');

type WithChild = Request & { [CHILD]?: Logger };

/** Installs `req.log` on the app's request prototype and returns the middleware that assigns ids and logs. */
export function requestLog(app: Express, logger: Logger): RequestHandler {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: WithChild): Logger {
      this[CHILD] ??= logger.child({ req: { id: this.id, method: this.method, url: this.originalUrl } });
      return this[CHILD];
    },
  });
  const logCompleted = logger.isLevelEnabled('info');
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    if (logCompleted) {
      const started = performance.now();
      res.once('close', () => {
        const responseTime = Math.round(performance.now() - started);
        const line = { res: { statusCode: res.statusCode }, responseTime };
        if (!res.writableFinished) req.log.warn(line, 'request aborted');
        else if (res.statusCode >= 500) req.log.error(line, 'request failed');
        else req.log.info(line, 'request completed');
      });
    }
    next();
  };
}
