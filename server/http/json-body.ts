/**
 * JSON bodies: only `application/json` (anything else with a body is 415), at most `limit`, and valid UTF-8
 * (invalid bytes are refused rather than silently replaced).
 */
import express, { type RequestHandler } from 'express';
import { problem } from '../domain/problems.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function jsonBody(limit: string): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('application/json')) return next(problem('unsupportedMediaType', { contentType: req.headers['content-type'] ?? null }));
    if (!hasBody) return next(problem('malformedJson', { reason: 'empty body' }));
    next();
  };
  const parse = express.json({
    limit,
    strict: true,
    verify: (_req, _res, buf) => {
      utf8.decode(buf);
    },
  });
  return [requireJson, parse];
}
