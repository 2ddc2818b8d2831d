/**
 * The one place errors become responses. Problems from the catalogue are sent as `{code, message, details}`;
 * body-parser's own errors (malformed JSON, too large, bad charset) are mapped onto the catalogue; anything else
 * is logged with the request id and answered 500 without internals.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isProblem, problem, type Problem } from '../domain/problems.js';

interface ClientError {
  type?: string;
  status?: number;
  statusCode?: number;
}

/**
 * Errors that body-parser, raw-body and the router raise for a bad request carry a 4xx `status`: they are the
 * client's, never a 500 (a body that does not decompress, a URL that does not percent-decode).
 */
function fromClientError(err: ClientError): Problem | null {
  switch (err.type) {
    case 'entity.parse.failed': return problem('malformedJson');
    case 'entity.too.large': return problem('payloadTooLarge');
    case 'encoding.unsupported':
    case 'charset.unsupported': return problem('unsupportedMediaType');
    case 'entity.verify.failed': return problem('invalidEncoding');
    default: break;
  }
  const status = err.status ?? err.statusCode;
  if (status === 413) return problem('payloadTooLarge');
  if (status === 415) return problem('unsupportedMediaType');
  if (typeof status === 'number' && status >= 400 && status < 500) return problem('badRequest', err.type ? { type: err.type } : {});
  return null;
}

/** Seconds a client should wait before retrying when the store is unavailable: a tablet's outbox retries anyway. */
export const RETRY_AFTER_SECONDS = 5;

export function sendProblem(res: Parameters<RequestHandler>[1], p: Problem): void {
  if (p.status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
  res.status(p.status).json({ code: p.code, message: p.message, details: p.details });
}

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const known = isProblem(err) ? err : typeof err === 'object' && err !== null ? fromClientError(err as ClientError) : null;
  if (res.headersSent) {
    req.log?.error({ err }, 'error after the response started');
    res.destroy();
    return;
  }
  if (known) {
    sendProblem(res, known);
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  sendProblem(res, problem('internal', { requestId: String(req.id ?? '') }));
};

export const notFound: RequestHandler = (req, _res, next) => {
  next(problem('routeNotFound', { method: req.method, path: req.path }));
};
