/**
 * The HTTP server around the app, with the limits that protect it from slow or idle clients: Node's defaults let a
 * request whose body never ends hold its connection for 300 s (requestTimeout), with no cap on how many, so a few
 * hundred such sockets would exhaust the process. The limits are sized for tablets on slow mobile networks: a
 * submission is a few kilobytes and even the 1 MB body limit arrives within two minutes at 100 kbit/s, while
 * headers are small and come at once. Returned unstarted: main.ts listens.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';

export interface HttpLimits {
  /** Time to receive a request's headers (Node: headersTimeout). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (Node: requestTimeout); 408 after it. */
  requestTimeoutMs: number;
  /** Open connections at once; beyond it new ones are closed at once (Node: maxConnections). */
  maxConnections: number;
}

/** The defaults (config.ts): headers 20 s, the whole request 120 s, 512 connections. HTTPS with `tls`, same limits. */
export function createHttpServer(app: RequestListener, limits: HttpLimits, tls?: { cert: Buffer; key: Buffer }): Server | HttpsServer {
  const options = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks both timeouts on this interval (default 30 s): often enough that a timeout ends near its time.
    connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
  const server = tls ? createHttpsServer({ ...options, ...tls }, app) : createServer(options, app);
  server.maxConnections = limits.maxConnections;
  return server;
}
