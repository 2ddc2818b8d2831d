/** The social concerns the impact questions name: read by every form (kept for offline use), set by staff. */
import type { PublishedConcerns } from '../../schemas/generated/api.types.js';
import { Router } from 'express';
import { problem } from '../domain/problems.js';
import type { Services } from '../services/services.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { jsonBody } from './json-body.js';

/** The version edited, from If-Match (`"3"`, `"0"` while none was set); a header that is no version is refused as stale. */
function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(header.trim());
  if (!match) throw problem('settingChanged', { given: header, rule: 'If-Match is the version as an entity tag, e.g. "3", from the ETag of GET /social-concerns ("0" when none is set)' });
  return Number(match[1]);
}

export function concernsRoutes({ concerns }: Services, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  route('GET', '/social-concerns', noQuery, async (_req, res) => {
    const published = await concerns.current();
    res.set('ETag', `"${published.version}"`).json(published satisfies PublishedConcerns);
  });
  route('PUT', '/social-concerns', noQuery, ...jsonBody(bodyLimit), async (req, res) => {
    const published = await concerns.put(req.body, req.actor, ifMatchVersion(req.get('if-match')));
    res.set('ETag', `"${published.version}"`).json(published satisfies PublishedConcerns);
  });
  return router;
}
