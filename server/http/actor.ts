/**
 * How a request's actor is found. The access issue replaces the default with authentication; until then the
 * composition root may pass its own resolver (tests do).
 */
import type { Request } from 'express';
import { ANONYMOUS, type Actor } from '../domain/actor.js';

export type ActorResolver = (req: Request) => Actor;

export const anonymousActor: ActorResolver = () => ANONYMOUS;
