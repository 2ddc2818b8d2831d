/**
 * helmet's security headers, set in one step. For a given configuration helmet sets the same headers on every
 * response, so they are asked of helmet once, at start, and then copied onto each response: the same headers
 * without running its fourteen middlewares per request.
 */
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet sets (and removes) for `options`, recorded from one run of its middleware. */
export function helmetHeaders(options: HelmetOptions): { set: Array<[string, string]>; removed: string[] } {
  const set = new Map<string, string>();
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.set(name, String(value));
    },
    removeHeader(name: string) {
      set.delete(name);
      removed.push(name);
    },
  };
  let done = false;
  helmet(options)({} as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be computed once');
  return { set: [...set], removed };
}

export function securityHeaders(options: HelmetOptions): RequestHandler {
  const { set, removed } = helmetHeaders(options);
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
