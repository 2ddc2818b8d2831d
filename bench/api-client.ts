/**
 * A bench's app listening on a free loopback port, and `call`, one authenticated JSON request that throws on any
 * answer but 2xx (a benchmark that times an error page measures nothing).
 */
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';

export interface BenchServer {
  call: (user: string, path: string, init?: RequestInit) => Promise<string>;
  close: () => Promise<unknown>;
}

export async function listen(app: Express, tokens: Record<string, string>): Promise<BenchServer> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const call = async (user: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json', ...init.headers } });
    const body = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
    return body;
  };
  return { call, close: () => new Promise((resolve) => server.close(resolve)) };
}
