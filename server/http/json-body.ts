/**
 * JSON bodies: only `application/json` (anything else with a body is 415), at most `limit`, and valid UTF-8
 * (invalid bytes are refused rather than silently replaced); every string then in NFC (schemas/text.ts), before any
 * service validates, hashes or stores it.
 */
import express, { type RequestHandler } from 'express';
import { isUtf8 } from 'node:buffer';
import { normalizeText } from '../../schemas/text.js';
import { problem } from '../domain/problems.js';

export function jsonBody(limit: string): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('application/json')) return next(problem('unsupportedMediaType', { contentType: req.headers['content-type'] ?? null }));
    // Only UTF-8: body-parser would also decode UTF-16, where the byte check below cannot see invalid input.
    const charset = /;\s*charset=("?)([^";]+)\1/i.exec(req.headers['content-type'] ?? '')?.[2];
    if (charset && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') return next(problem('unsupportedMediaType', { charset }));
    if (!hasBody) return next(problem('malformedJson', { reason: 'empty body' }));
    next();
  };
  const parse = express.json({
    limit,
    strict: true,
    verify: (_req, _res, buf) => {
      if (!isUtf8(buf)) throw new TypeError('The encoded data was not valid for encoding utf-8');
    },
  });
  const normalize: RequestHandler = (req, _res, next) => {
    req.body = normalizeText(req.body);
    next();
  };
  return [requireJson, parse, normalize];
}
