// Slow and idle clients (issue 14, point 6): a request whose body never ends is answered 408 and its connection
// closed after the configured request timeout (Node's default held it 300 s), and connections beyond the cap are
// closed at once while those within it are served. Each wait ends on an event of the server, never on a timer.
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { createHttpServer, type HttpLimits } from '../../server/http/http-server.js';
import { makeTestStore, type TestStore } from '../support/stores.js';

let t: TestStore | null = null;
let server: Server | null = null;

async function start(limits: HttpLimits): Promise<number> {
  t = await makeTestStore('embedded');
  server = createHttpServer(buildApp({ store: t.store, logger: pino({ level: 'silent' }) }).app, limits);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A connected socket and everything it receives until it closes. */
async function open(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => text, closed };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await t?.dispose();
  server = null;
  t = null;
});

describe('HTTP limits for slow clients', () => {
  it('answers 408 and closes the connection when a request body never ends', async () => {
    const port = await start({ headersTimeoutMs: 1_000, requestTimeoutMs: 1_500, maxConnections: 10 });
    const client = await open(port);
    client.socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"username":');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  }, 30_000);

  it('closes connections beyond the cap at once and serves those within it', async () => {
    const port = await start({ headersTimeoutMs: 60_000, requestTimeoutMs: 60_000, maxConnections: 2 });
    const held = [await open(port), await open(port)];
    const dropped = new Promise<void>((resolve) => server?.once('drop', () => resolve()));
    const third = await open(port);
    await Promise.all([third.closed, dropped]);
    expect(third.received()).toBe('');
    held[0]?.socket.destroy();
    await held[0]?.closed;
    // The server counts the closed connection out before it accepts the next one: retry until it is let in.
    let served = '';
    for (let attempt = 0; attempt < 20 && !served.startsWith('HTTP/1.1 200'); attempt += 1) {
      const next = await open(port);
      next.socket.end('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await next.closed;
      served = next.received();
    }
    expect(served).toMatch(/^HTTP\/1\.1 200 /);
  }, 30_000);
});
