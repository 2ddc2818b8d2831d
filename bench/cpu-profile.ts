/**
 * Where a server's CPU goes per request, from a V8 CPU profile (`node --cpu-prof`): every sample is charged to
 * the nearest frame on its stack that belongs to a known part (a crypto hash called by the content hash is the
 * content hash's, one called by Express's ETag is Express's), and divided by the requests served.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Parts of the request path, tried in this order against a frame's URL (or name for V8's own entries). */
export const PARTS: ReadonlyArray<readonly [part: string, test: RegExp]> = [
  ['validation (ajv)', /schemas\/validation|schemas\/formats|server\/services\/validation|^validate\d*$|node_modules\/ajv/],
  ['content hash', /server\/domain\/canonical/],
  ['access control (token, policy, rate limit)', /server\/http\/auth|accounts\.service|domain\/policy|express-rate-limit/],
  ['request ids, logging, security headers', /request-log|security-headers|node_modules\/pino/],
  ['audit trail', /audit\.service/],
  ['submission (service, derived variables, quota hook)', /responses\.service|schemas\/derived|quotas\.service|fieldwork-events|responses\.routes/],
  ['store (driver and adapter)', /better-sqlite3|server\/store\/|node_modules\/mongodb|node_modules\/bson/],
  ['body parsing', /body-parser|raw-body|iconv-lite|json-body/],
  ['Express and router', /node_modules\/(express|router|path-to-regexp|parseurl|finalhandler|send|etag|fresh|encodeurl|content-type|type-is|forwarded|proxy-addr|accepts|vary)\//],
  ['Node HTTP and streams', /^node:(_http|internal\/streams|internal\/stream_base|net|events|internal\/http)/],
  ['garbage collection', /^\(garbage collector\)$/],
];

const OTHER = 'other';

function latestProfile(dir: string): Profile {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no CPU profile in ${dir}`);
  // The main thread's profile is the big one (worker threads, if any, write their own).
  const sized = files.map((f) => ({ f, text: readFileSync(join(dir, f), 'utf8') })).sort((a, b) => b.text.length - a.text.length);
  return JSON.parse((sized[0] as { text: string }).text) as Profile;
}

/**
 * Microseconds of CPU per request by part, over the profile's last `windowMs` (the measured load; the server is
 * stopped right after it), idle time left out.
 */
export function cpuByPart(dir: string, windowMs: number, requests: number): Map<string, number> {
  const profile = latestProfile(dir);
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = partOf.get(id);
    if (known) return known;
    let part = OTHER;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (nodes.get(at) as ProfileNode).callFrame;
      const name = frame.url || frame.functionName;
      const hit = PARTS.find(([, test]) => test.test(name));
      if (hit) {
        part = hit[0];
        break;
      }
    }
    partOf.set(id, part);
    return part;
  };
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const from = total - windowMs * 1000;
  const out = new Map<string, number>();
  let clock = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    clock += dt;
    if (clock < from) return;
    const frame = (nodes.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)') return;
    const part = classify(id);
    out.set(part, (out.get(part) ?? 0) + dt / requests);
  });
  return out;
}
