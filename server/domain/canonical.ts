/**
 * Canonical JSON (object keys sorted, no whitespace) and its SHA-256: two submissions have the same content
 * exactly when their hashes are equal, whatever the key order the client serialised.
 */
import { createHash, hash } from 'node:crypto';

/** Strings that JSON writes as they are, between quotes (most item codes and ids): no escaping call needed. */
const PLAIN = /^[\w .:+-]*$/;

/** An object's own keys in sorted order, and each written as `"key":`. */
interface Shape {
  keys: string[];
  prefixes: string[];
}

// Submissions of one questionnaire come in few key sets (skip patterns), so each set is sorted and quoted once.
// Bounded: a hostile client sending endless new key sets only ever empties the cache.
const SHAPES_MAX = 1000;
const SHAPE_KEYS_MAX = 512;
const shapes = new Map<string, Shape>();

function shapeOf(obj: object): Shape {
  const own = Object.keys(obj);
  const cacheable = own.length <= SHAPE_KEYS_MAX;
  const id = cacheable ? JSON.stringify(own) : '';
  const known = cacheable ? shapes.get(id) : undefined;
  if (known) return known;
  // Default sort compares UTF-16 code units; keys are unique, so the order is total.
  const keys = own.sort();
  const shape = { keys, prefixes: keys.map((k) => `${JSON.stringify(k)}:`) };
  if (cacheable) {
    if (shapes.size >= SHAPES_MAX) shapes.clear();
    shapes.set(id, shape);
  }
  return shape;
}

export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string': return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'number': return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean': return value ? 'true' : 'false';
    case 'object': break;
    default: return JSON.stringify(value) ?? 'null';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const { keys, prefixes } = shapeOf(obj);
  let out = '';
  for (let i = 0; i < keys.length; i += 1) {
    const v = obj[keys[i] as string];
    if (v === undefined) continue;
    out += (out.length === 0 ? '{' : ',') + (prefixes[i] as string) + canonicalJson(v);
  }
  return out.length === 0 ? '{}' : `${out}}`;
}

export function contentHash(value: unknown): string {
  return hash('sha256', canonicalJson(value), 'hex');
}

/** A UUID (version 8, "custom") derived from a name: the same name always gives the same id. */
export function uuidFromName(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
