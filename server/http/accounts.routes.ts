/** Login, logout, the current user, users, API tokens and the audit trail. */
import { Router } from 'express';
import type { Services } from '../services/services.js';
import type { Limits } from './auth.js';
import { guardedRoutes, noQuery } from './auth.js';
import { jsonBody } from './json-body.js';
import { auditParams, validQuery } from './query.js';
import type { Token, TokenList, User, UserList } from '../../schemas/generated/api.types.js';

export function accountsRoutes({ accounts, auditLog, validators }: Services, limits: Limits, bodyLimit: string): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);
  const body = jsonBody(bodyLimit);

  route('POST', '/auth/login', noQuery, ...body, async (req, res) => {
    res.status(201).json((await accounts.login(req.body, req.ip ?? '')) satisfies Token);
  });
  route('POST', '/auth/logout', noQuery, async (req, res) => {
    await accounts.logout(req.actor, req.tokenId);
    res.status(204).end();
  });
  route('GET', '/me', noQuery, async (req, res) => {
    res.json((await accounts.me(req.actor)) satisfies User);
  });
  route('POST', '/me/password', noQuery, ...body, async (req, res) => {
    res.json((await accounts.changeOwnPassword(req.actor, req.body, req.ip ?? '')) satisfies Token);
  });
  route('GET', '/users', noQuery, async (_req, res) => {
    res.json({ items: await accounts.listUsers() } satisfies UserList);
  });
  route('POST', '/users', noQuery, ...body, async (req, res) => {
    res.status(201).json((await accounts.createUser(req.body, req.actor)) satisfies User);
  });
  route('PATCH', '/users/:id', noQuery, ...body, async (req, res) => {
    res.json((await accounts.updateUser(req.params.id as string, req.body, req.actor)) satisfies User);
  });
  route('POST', '/users/:id/password', noQuery, async (req, res) => {
    res.json((await accounts.resetPassword(req.params.id as string, req.actor)) satisfies User);
  });
  route('GET', '/tokens', noQuery, async (_req, res) => {
    res.json({ items: await accounts.listTokens() } satisfies TokenList);
  });
  route('POST', '/tokens', noQuery, ...body, async (req, res) => {
    res.status(201).json((await accounts.createApiToken(req.body, req.actor)) satisfies Token);
  });
  route('DELETE', '/tokens/:id', noQuery, async (req, res) => {
    res.json((await accounts.revokeToken(req.params.id as string, req.actor)) satisfies Token);
  });
  route('GET', '/audit', async (req, res) => {
    res.json(await auditLog.list(auditParams(validQuery(validators.api.auditQuery, req.query))));
  });
  return router;
}
