// Fuzz of the submission route (POST /api/v1/surveys/:survey/responses) with malformed and hostile requests: any
// JSON value, valid submissions broken in type or shape, MongoDB operator objects and `$` keys, `__proto__` /
// `constructor` / `prototype` keys at every level (sent as raw JSON text, so the parser sees them as written), deep
// nesting, strings near and over the body limit, invalid UTF-8, wrong content types, truncated JSON, undecodable
// content encodings and malformed percent-encoding in the URL. Every answer must be a 4xx problem
// `{code, message, details}` from the catalogue, nothing may be stored, no prototype polluted, and the app must
// still be healthy afterwards. Runs against both stores; seeds are fixed, so a failure reproduces.
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { isDateTime } from '../../schemas/formats.js';
import { itemsOf, type Item } from '../../schemas/items.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { PROBLEMS } from '../../server/domain/problems.js';
import { apiErrors, compileAllValidators } from '../../server/services/validation.js';
import { makeTestApp } from '../support/app.js';
import { STORE_KINDS, type TestStore } from '../support/stores.js';

/** The interviewer's token the attacks are sent with: the attacker is authenticated, the body is hostile. */
let bearer = '';

/** createApp's default body limit, '1mb', in bytes as body-parser reads it. */
const LIMIT = 1024 * 1024;
const RUNS = 300;
const PROPERTY_TIMEOUT = 60_000;

// ---------------------------------------------------------------------------------------------------------------
// Valid submissions to break: a fixed pool per survey, checked valid below, so every rejection is the mutation's.

const POOL_SIZE = 12;
const POOL: Record<SurveyId, Submission[]> = Object.fromEntries(
  SURVEY_IDS.map((survey) => {
    const generator = new SyntheticGenerator(survey, { seed: 20_240_611 });
    return [survey, Array.from({ length: POOL_SIZE }, () => generator.nextSubmission())];
  }),
) as Record<SurveyId, Submission[]>;

const ITEMS: Record<SurveyId, Item[]> = Object.fromEntries(SURVEY_IDS.map((s) => [s, itemsOf(s)])) as Record<SurveyId, Item[]>;

interface Base {
  survey: SurveyId;
  submission: Submission;
}

/** A fresh copy of a pool submission: arbitraries below build new values and never mutate a shared one. */
const base: fc.Arbitrary<Base> = fc
  .record({ survey: fc.constantFrom(...SURVEY_IDS), index: fc.nat({ max: POOL_SIZE - 1 }) })
  .map(({ survey, index }) => ({ survey, submission: structuredClone(POOL[survey][index] as Submission) }));

// ---------------------------------------------------------------------------------------------------------------
// Raw JSON text building. JSON.parse turns a `"__proto__"` key into an own property, which no object literal can
// express; so hostile keys and values are spliced into the serialised text in place of unique placeholders.

const KEY_PLACEHOLDER = 'zz-hostile-key-placeholder-zz';
const VALUE_PLACEHOLDER = 'zz-hostile-value-placeholder-zz';

function splice(text: string, placeholder: string, raw: string): string {
  const quoted = JSON.stringify(placeholder);
  expect(text.split(quoted)).toHaveLength(2);
  return text.replace(quoted, () => raw);
}

type Path = Array<string>;

/** A copy of `value` with `path` set to `replacement` (undefined deletes it). */
function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path.at(-1) as string;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

function getAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return node;
}

/** Every character as a `\uXXXX` escape: the same key once parsed, but not byte-for-byte. */
function escapedKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i += 1) out += `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return `"${out}"`;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

// Values no item, no envelope field and no section duration accepts: operator objects, prototype objects, arrays,
// null. Raw JSON text, so `__proto__` survives.
const HOSTILE_VALUES = [
  '{"$ne":null}', '{"$gt":""}', '{"$where":"sleep(1000) || true"}', '{"$regex":".*","$options":"s"}',
  '{"$expr":{"$eq":[1,1]}}', '{"$function":{"body":"function(){return true}","args":[],"lang":"js"}}',
  '{"$in":["population","organisational"]}', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}',
  '{"prototype":{"polluted":true}}', '{"polluted":true}', '[{"$ne":null}]', '[]', '{}', 'null',
  '{"__proto__":{"__proto__":{"polluted":true}}}', '{"$set":{"status":"approved"}}', '{"$numberLong":"1"}', '{"$oid":"5f1d7f4e1c9d440000a1b2c3"}',
];
const hostileValue = fc.constantFrom(...HOSTILE_VALUES);

const HOSTILE_KEYS = [
  '__proto__', 'constructor', 'prototype', '$where', '$ne', '$gt', '$regex', '$expr', '$function', '$set', '$or',
  '$$ROOT', '$', 'a.b', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf', '__lookupGetter__',
];
const hostileKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => `$${s}`) },
);

/** Values of the wrong type or out of range for an item, whichever branch of its skip rules applies. */
function brokenItemValue(item: Item): fc.Arbitrary<unknown> {
  const allowed = new Set<unknown>([...item.codes, ...(item.special ? ['dk', 'ref'] : [])]);
  const universal = fc.constantFrom<unknown>(null, [], {}, [item.codes[0] ?? 1], { $ne: null }, { value: item.codes[0] ?? 1 });
  switch (item.kind) {
    case 'choice':
    {
      const booleans = [true, false].filter((v) => !allowed.has(v));
      return fc.oneof(
        universal,
        fc.string().filter((v) => !allowed.has(v)),
        fc.double().filter((v) => !allowed.has(v)),
        ...(booleans.length > 0 ? [fc.constantFrom(...booleans)] : []),
      );
    }
    case 'integer':
    case 'number': {
      const lo = item.minimum ?? 0;
      const hi = item.maximum ?? 1e13;
      return fc.oneof(
        universal,
        fc.integer({ min: -1e6, max: lo - 1 }),
        fc.constant(hi + 1),
        fc.boolean(),
        fc.string().filter((s) => !allowed.has(s)),
        fc.integer({ min: lo, max: Math.min(hi, lo + 100) }).map(String),
        ...(item.kind === 'integer' ? [fc.constant(lo + 0.5)] : []),
      );
    }
    case 'date':
      return fc.oneof(universal, fc.constantFrom('2009-13-01', '2009-02-29', '01.06.2009', '2009-06-01T00:00:00Z', '', 20090601, true));
    case 'text':
      return fc.oneof(universal, fc.integer(), fc.boolean(), fc.constant('x'.repeat((item.maxLength ?? 64) + 1)));
  }
}

const notObject = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const notString = fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string');

/** A wrong value for one envelope field, a section duration or an answer. */
function brokenAt(b: Base): fc.Arbitrary<{ path: Path; value: unknown }> {
  const at = (path: Path, value: fc.Arbitrary<unknown>) => value.map((v) => ({ path, value: v }));
  const sections = Object.keys(b.submission.meta.sectionDurations ?? {});
  const items = ITEMS[b.survey];
  return fc.oneof(
    at(['id'], fc.oneof(
      notString,
      fc.string().filter((s) => !UUID.test(s)),
      fc.constantFrom(`${b.submission.id}\n`, ` ${b.submission.id}`, `${b.submission.id}0`, b.submission.id.slice(1), b.submission.id.replace(/-/g, '')),
      fc.constantFrom({ $ne: null }, { $gt: '' }, { $regex: '.*' }, [b.submission.id]),
    )),
    at(['answers'], notObject),
    at(['meta'], notObject),
    at(['meta', 'language'], fc.oneof(notString, fc.string().filter((s) => !['en', 'ru', 'kk'].includes(s)), fc.constantFrom('EN', 'en ', '__proto__', 'constructor'))),
    at(['meta', 'formVersion'], fc.oneof(notString, fc.constantFrom('', 'v'.repeat(41)))),
    at(['meta', 'startedAt'], fc.oneof(notString, fc.string().filter((s) => !isDateTime(s)), fc.constantFrom('2009-02-30T10:00:00Z', '2009-06-01 10:00:00Z', '2009-06-01T10:00:00', '2009-06-01T24:00:00Z'))),
    at(['meta', 'completedAt'], fc.oneof(notString, fc.constant(Date.UTC(2009, 5, 1)))),
    at(['meta', 'source'], fc.oneof(notString, fc.constantFrom('Form', 'admin', ''))),
    at(['meta', 'sectionDurations'], notObject),
    ...(sections.length > 0
      ? [fc.constantFrom(...sections).chain((s) => at(['meta', 'sectionDurations', s], fc.oneof(
        fc.constantFrom(-1, 86_400.5, 1e9, '10', null, [], {}, { $gt: 0 }, true),
        fc.double({ min: -1e9, max: -Number.MIN_VALUE }),
      )))]
      : []),
    fc.constantFrom(...items).chain((item) => at(['answers', item.id], brokenItemValue(item))),
  );
}

/** A required member removed. */
function removal(b: Base): fc.Arbitrary<Path> {
  const required = ITEMS[b.survey].filter((i) => i.alwaysRequired).map((i) => ['answers', i.id]);
  return fc.constantFrom<Path>(['id'], ['answers'], ['meta'], ['meta', 'formVersion'], ['meta', 'language'], ['meta', 'startedAt'], ['meta', 'completedAt'], ...required);
}

/** Levels where a key can be added: the envelope, answers, meta, section durations, and inside an answer's value. */
function levels(b: Base): fc.Arbitrary<{ level: Path; replaceValue: boolean }> {
  const answered = Object.keys(b.submission.answers);
  return fc.oneof(
    fc.constantFrom<Path>([], ['answers'], ['meta'], ['meta', 'sectionDurations']).map((level) => ({ level, replaceValue: false })),
    // The answer's value becomes an object holding the hostile key: a value-level key.
    fc.constantFrom(...answered).map((id) => ({ level: ['answers', id], replaceValue: true })),
  );
}

interface Attack {
  survey: string;
  body: string | Buffer | null;
  /** null: no Content-Type header at all. */
  contentType?: string | null;
  headers?: Record<string, string>;
}

const asBuffer = (body: string | Buffer) => (Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));

/** Sends the bytes exactly as given: superagent's serialiser would otherwise JSON-encode a Buffer. */
async function post(target: Server, attack: Attack): Promise<request.Response> {
  let req = request(target).post(`/api/v1/surveys/${attack.survey}/responses`).set('authorization', bearer);
  if (attack.contentType !== null) req = req.set('content-type', attack.contentType ?? 'application/json');
  if (attack.headers) req = req.set(attack.headers);
  if (attack.body === null) return await req;
  return await req.serialize((x: string) => x).send(asBuffer(attack.body));
}

const CATALOGUE = new Map(Object.values(PROBLEMS).map((p) => [p.code, p]));

interface Expected {
  status?: number | readonly number[];
  code?: string | readonly string[];
}

/** A 4xx problem from the catalogue, `{code, message, details}` and nothing else, matching the HTTP status. */
function expectProblem(res: request.Response, expected: Expected = {}, context = ''): void {
  const where = `${context} -> ${res.status} ${String(res.text).slice(0, 300)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  expect(res.headers['content-type'], where).toMatch(/^application\/json\b/);
  const body = res.body as Record<string, unknown>;
  expect(Object.keys(body).sort(), where).toEqual(['code', 'details', 'message']);
  const definition = CATALOGUE.get(body.code as string);
  expect(definition, where).toBeDefined();
  expect(definition?.status, where).toBe(res.status);
  expect(body.message, where).toBe(definition?.message);
  expect(typeof body.details === 'object' && body.details !== null && !Array.isArray(body.details), where).toBe(true);
  if (expected.status !== undefined) expect([expected.status].flat(), where).toContain(res.status);
  if (expected.code !== undefined) expect([expected.code].flat(), where).toContain(body.code);
}

const short = (body: string | Buffer | null) => (body === null ? 'no body' : `${asBuffer(body).length} bytes: ${asBuffer(body).subarray(0, 160).toString('latin1')}`);

// ---------------------------------------------------------------------------------------------------------------
// Bodies that are large or deep are described by a few numbers and built inside the property, so a counterexample
// stays readable.

type Nest = 'array' | 'object' | 'mixed';

function nested(kind: Nest, depth: number): string {
  const open = { array: ['['], object: ['{"a":'], mixed: ['[', '{"a":'] }[kind];
  const close = { array: [']'], object: ['}'], mixed: [']', '}'] }[kind];
  const opens: string[] = [];
  const closes: string[] = [];
  for (let i = 0; i < depth; i += 1) {
    opens.push(open[i % open.length] as string);
    closes.push(close[i % close.length] as string);
  }
  return `${opens.join('')}1${closes.reverse().join('')}`;
}

type Slot = 'body' | 'id' | 'answers' | 'meta' | 'item' | 'duration' | 'key-value';

function inSlot(b: Base, slot: Exclude<Slot, 'body'>, raw: string): string {
  const item = Object.keys(b.submission.answers)[0] as string;
  const section = Object.keys(b.submission.meta.sectionDurations ?? {})[0] ?? 'zz';
  const path: Path = {
    id: ['id'], answers: ['answers'], meta: ['meta'], item: ['answers', item], duration: ['meta', 'sectionDurations', section],
    'key-value': ['answers', KEY_PLACEHOLDER],
  }[slot];
  const text = JSON.stringify(setAt(b.submission, path, VALUE_PLACEHOLDER));
  return splice(text, VALUE_PLACEHOLDER, raw);
}

type HugeSlot = 'id' | 'device' | 'text-item' | 'answer-key' | 'json-string' | 'garbage';

function hugeBody(b: Base, slot: HugeSlot, char: string, targetBytes: number): string {
  if (slot === 'garbage') return char.repeat(Math.max(1, Math.floor(targetBytes / Buffer.byteLength(char))));
  const textItem = ITEMS[b.survey].find((i) => i.kind === 'text') as Item;
  const template = slot === 'json-string'
    ? JSON.stringify(VALUE_PLACEHOLDER)
    : slot === 'answer-key'
      ? JSON.stringify(setAt(b.submission, ['answers', KEY_PLACEHOLDER], 1))
      : JSON.stringify(setAt(b.submission, { id: ['id'], device: ['meta', 'device'], 'text-item': ['answers', textItem.id] }[slot], VALUE_PLACEHOLDER));
  const placeholder = slot === 'answer-key' ? KEY_PLACEHOLDER : VALUE_PLACEHOLDER;
  const perChar = Buffer.byteLength(JSON.stringify(char)) - 2;
  const rest = Buffer.byteLength(template) - Buffer.byteLength(JSON.stringify(placeholder)) + 2;
  const count = Math.max(1, Math.floor((targetBytes - rest) / perChar));
  return splice(template, placeholder, JSON.stringify(char.repeat(count)));
}

// Sequences that are not UTF-8: stray continuation bytes, overlong forms, surrogates, code points past U+10FFFF,
// bytes that never occur, truncated sequences.
const INVALID_UTF8 = [
  [0x80], [0xbf], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xf0, 0x80, 0x80, 0xaf], [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf], [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xfe], [0xff],
  [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3], [0xfc, 0x80, 0x80, 0x80, 0x80, 0xaf],
];
const utf8 = new TextDecoder('utf-8', { fatal: true });
function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const isJsonType = (ct: string) => /^\s*application\/json\s*(;|$)/i.test(ct);

const WRONG_TYPES = [
  'text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz',
  'application/xml', 'text/xml', 'text/json', 'text/html', 'application/javascript', 'application/jsonp',
  'application/json-patch+json', 'application/merge-patch+json', 'application/ld+json', 'application/vnd.api+json',
  'application/x-ndjson', 'application/octet-stream', 'application/bson', 'image/png', 'application', 'json', '*/*',
  'application/*', ';', ';;;', 'application/json5', 'application/jsonx', 'application/x-json',
];
// body-parser decodes any `utf-*` charset; these it must refuse.
const WRONG_CHARSETS = ['latin1', 'iso-8859-1', 'windows-1251', 'koi8-r', 'us-ascii', 'ascii', 'binary', 'cp866', 'gbk', 'shift_jis', 'nope'];

// ---------------------------------------------------------------------------------------------------------------

describe('the pool of valid submissions the fuzz breaks', () => {
  it('is valid, so every rejection below is caused by the mutation', () => {
    const validators = compileAllValidators();
    for (const survey of SURVEY_IDS) {
      for (const submission of POOL[survey]) {
        expect(apiErrors(validators.api.submission, submission)).toBeNull();
        expect(validators.answers[survey](submission.answers).errors).toEqual([]);
      }
    }
  });
});

describe.each(STORE_KINDS)('POST /api/v1/surveys/:survey/responses fuzzed (%s store)', (kind) => {
  let testStore: TestStore;
  let server: Server;

  beforeAll(async () => {
    const ctx = await makeTestApp(kind);
    testStore = ctx.t;
    bearer = `Bearer ${ctx.tokens.ainur}`;
    const app = ctx.app;
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await testStore?.dispose();
  });

  const check = (arb: fc.Arbitrary<Attack>, expected: (a: Attack) => Expected, seed: number, numRuns = RUNS) =>
    fc.assert(
      fc.asyncProperty(arb, async (attack) => {
        const res = await post(server, attack);
        expectProblem(res, expected(attack), `${attack.survey} ${attack.contentType ?? ''} ${JSON.stringify(attack.headers ?? {})} ${short(attack.body)}`);
      }),
      { seed, numRuns },
    );

  it('any JSON value: 400, malformed (scalars, which strict parsing refuses) or not a submission', async () => {
    const arb = fc.record({ survey: fc.constantFrom(...SURVEY_IDS), value: fc.jsonValue({ maxDepth: 6 }) })
      .map(({ survey, value }): Attack => ({ survey, body: JSON.stringify(value) }));
    await check(arb, (a) => ({ status: 400, code: /^\s*[[{]/.test(String(a.body)) ? '400.2' : '400.1' }), 1001);
  }, PROPERTY_TIMEOUT);

  it('valid submissions with a field of the wrong type or out of range, or a required member removed: 400.2', async () => {
    const arb = base.chain((b) => fc.oneof(
      brokenAt(b).map(({ path, value }) => JSON.stringify(setAt(b.submission, path, value))),
      removal(b).map((path) => JSON.stringify(setAt(b.submission, path, undefined))),
    ).map((body): Attack => ({ survey: b.survey, body })));
    await check(arb, () => ({ status: 400, code: '400.2' }), 1002);
  }, PROPERTY_TIMEOUT);

  it('operator objects and $-keys as ids, answers, answer values and keys: 400.2', async () => {
    const arb = base.chain((b) => {
      const answered = Object.keys(b.submission.answers);
      const asValue = fc.record({
        path: fc.oneof(
          fc.constantFrom<Path>(['id'], ['answers'], ['meta'], ['meta', 'language'], ['meta', 'startedAt'], ['meta', 'sectionDurations']),
          fc.constantFrom(...answered).map((id): Path => ['answers', id]),
        ),
        raw: hostileValue,
      }).map(({ path, raw }) => splice(JSON.stringify(setAt(b.submission, path, VALUE_PLACEHOLDER)), VALUE_PLACEHOLDER, raw));
      const asKey = fc.record({ key: fc.constantFrom('$where', '$ne', '$gt', '$or', '$expr', '$regex', '$set', '$function', '$'), raw: fc.oneof(hostileValue, fc.constantFrom('1', '"x"', 'true')) })
        .map(({ key, raw }) => splice(splice(JSON.stringify(setAt(b.submission, ['answers', KEY_PLACEHOLDER], VALUE_PLACEHOLDER)), KEY_PLACEHOLDER, JSON.stringify(key)), VALUE_PLACEHOLDER, raw));
      return fc.oneof(asValue, asKey).map((body): Attack => ({ survey: b.survey, body }));
    });
    await check(arb, () => ({ status: 400, code: '400.2' }), 1003);
  }, PROPERTY_TIMEOUT);

  it('__proto__, constructor, prototype and $-keys at every level, plain or \\u-escaped, also duplicating a key: 400.2', async () => {
    const arb = base.chain((b) => levels(b).chain(({ level, replaceValue }) => {
      const existing = replaceValue ? [] : Object.keys((level.length === 0 ? b.submission : getAt(b.submission, level)) as object);
      return fc.record({
        key: existing.length > 0 ? fc.oneof({ weight: 4, arbitrary: hostileKey }, { weight: 1, arbitrary: fc.constantFrom(...existing) }) : hostileKey,
        escaped: fc.boolean(),
        raw: hostileValue,
      }).map(({ key, escaped, raw }) => {
        const holder = replaceValue ? { [KEY_PLACEHOLDER]: VALUE_PLACEHOLDER } : { ...(getAt(b.submission, level) as object), [KEY_PLACEHOLDER]: VALUE_PLACEHOLDER };
        const value = level.length === 0 ? holder : setAt(b.submission, level, holder);
        const text = splice(splice(JSON.stringify(value), KEY_PLACEHOLDER, escaped ? escapedKey(key) : JSON.stringify(key)), VALUE_PLACEHOLDER, raw);
        return { survey: b.survey, body: text } satisfies Attack;
      });
    }));
    await check(arb, () => ({ status: 400, code: '400.2' }), 1004);
  }, PROPERTY_TIMEOUT);

  it('deep nesting (up to 100k levels of arrays and objects, within the limit) as the body or in any slot: 400', async () => {
    const arb = fc.record({
      b: base,
      kind: fc.constantFrom<Nest>('array', 'object', 'mixed'),
      depth: fc.oneof(fc.integer({ min: 1_000, max: 10_000 }), fc.integer({ min: 10_000, max: 100_000 })),
      slot: fc.constantFrom<Slot>('body', 'id', 'answers', 'meta', 'item', 'duration', 'key-value'),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ b, kind: nest, depth, slot }) => {
        const raw = nested(nest, depth);
        const body = slot === 'body' ? raw : slot === 'key-value' ? splice(inSlot(b, slot, raw), KEY_PLACEHOLDER, '"$where"') : inSlot(b, slot, raw);
        expect(Buffer.byteLength(body)).toBeLessThanOrEqual(LIMIT);
        const res = await post(server, { survey: b.survey, body });
        expectProblem(res, { status: 400, code: ['400.1', '400.2'] }, `${nest} x${depth} in ${slot}`);
      }),
      { seed: 1005, numRuns: 150 },
    );
  }, PROPERTY_TIMEOUT);

  it('huge strings: at most the limit is 400, over it 413', async () => {
    const arb = fc.record({
      b: base,
      slot: fc.constantFrom<HugeSlot>('id', 'device', 'text-item', 'answer-key', 'json-string', 'garbage'),
      char: fc.constantFrom('x', 'я', '€', '😀', '"', '\\', '\u0000', '\u2028'),
      target: fc.oneof(
        fc.integer({ min: LIMIT - 4096, max: LIMIT }),
        fc.integer({ min: LIMIT + 1, max: LIMIT + 4096 }),
        fc.integer({ min: 2 * LIMIT, max: 3 * LIMIT }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ b, slot, char, target }) => {
        const body = hugeBody(b, slot, char, target);
        const bytes = Buffer.byteLength(body);
        const res = await post(server, { survey: b.survey, body });
        const context = `${slot} of ${JSON.stringify(char)}, ${bytes} bytes`;
        if (bytes > LIMIT) expectProblem(res, { status: 413, code: '413.1' }, context);
        else expectProblem(res, { status: 400, code: ['400.1', '400.2'] }, context);
      }),
      { seed: 1006, numRuns: 60 },
    );
  }, PROPERTY_TIMEOUT);

  it('invalid UTF-8 anywhere in an otherwise valid body, as raw bytes: 400.4', async () => {
    const sequence = fc.oneof(
      fc.constantFrom(...INVALID_UTF8),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).filter((bytes) => !isUtf8(bytes)).map((bytes) => [...bytes]),
    );
    const text = fc.oneof(
      base.map((b) => ({ survey: b.survey as string, text: JSON.stringify(b.submission) })),
      fc.record({ survey: fc.constantFrom<string>(...SURVEY_IDS), text: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) }),
    );
    const arb = fc.record({ text, sequence, at: fc.double({ min: 0, max: 1, noNaN: true }), charset: fc.constantFrom('', '; charset=utf-8', '; charset=UTF-8', ';charset="utf-8"') })
      .map(({ text: { survey, text: json }, sequence: seq, at, charset }) => {
        const bytes = Buffer.from(json, 'utf8');
        const cut = Math.min(bytes.length, Math.floor(at * (bytes.length + 1)));
        return { survey, body: Buffer.concat([bytes.subarray(0, cut), Buffer.from(seq), bytes.subarray(cut)]), contentType: `application/json${charset}` } satisfies Attack;
      })
      .filter((a) => !isUtf8(a.body));
    await check(arb, () => ({ status: 400, code: '400.4' }), 1007);
  }, PROPERTY_TIMEOUT);

  it('a valid submission with a wrong, missing or malformed content type, or a non-UTF charset: 415', async () => {
    const contentType = fc.oneof(
      fc.constantFrom<string | null>(...WRONG_TYPES, null),
      fc.stringMatching(/^[a-z]{1,12}\/[a-z0-9.+-]{1,20}$/).filter((ct) => !isJsonType(ct)),
      fc.constantFrom(...WRONG_CHARSETS).map((cs) => `application/json; charset=${cs}`),
    );
    const arb = fc.record({ b: base, contentType }).map(({ b, contentType: ct }): Attack => ({ survey: b.survey, body: JSON.stringify(b.submission), contentType: ct }));
    await check(arb, () => ({ status: 415, code: '415.1' }), 1008, 300);
  }, PROPERTY_TIMEOUT);

  it('truncated JSON, trailing or leading garbage, an empty body: 400.1', async () => {
    const arb = base.chain((b) => {
      const text = JSON.stringify(b.submission);
      return fc.oneof(
        fc.nat({ max: text.length - 1 }).map((cut) => text.slice(0, cut)),
        fc.string({ minLength: 1, maxLength: 8 }).filter((s) => /\S/.test(s)).map((garbage) => text + garbage),
        fc.constantFrom('x', ')]}\'', 'while(1);', '<', '\'').map((garbage) => garbage + text),
        fc.constantFrom(text.replace(/"/g, '\''), text.replace(/:/, '='), `${text.slice(0, -1)},}`, text.replace(/"id":/, 'id:'), `{"id":"${b.submission.id}",}`),
      ).map((body): Attack => ({ survey: b.survey, body }));
    });
    await check(arb, () => ({ status: 400, code: '400.1' }), 1009);
    expectProblem(await post(server, { survey: 'population', body: null }), { status: 400, code: '400.1' }, 'no body');
  }, PROPERTY_TIMEOUT);

  it('a Content-Encoding (gzip, deflate, br) whose bytes do not decompress: 4xx', async () => {
    const plain = Buffer.from(JSON.stringify(POOL.population[0]));
    const payload = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ kind: 'random bytes', bytes: [...bytes] })),
      fc.constant({ kind: 'uncompressed JSON submission', bytes: [] as number[] }),
      fc.nat({ max: 40 }).map((n) => ({ kind: `gzip of a submission cut to ${n + 1} bytes`, bytes: [n + 1] })),
    );
    const build = (p: { kind: string; bytes: number[] }) =>
      p.kind === 'random bytes' ? Buffer.from(p.bytes) : p.kind.startsWith('gzip') ? gzipSync(plain).subarray(0, p.bytes[0]) : plain;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('gzip', 'deflate', 'br'), payload, async (encoding, p) => {
        const res = await post(server, { survey: 'population', body: build(p), headers: { 'content-encoding': encoding } });
        expectProblem(res, {}, `content-encoding ${encoding}, ${p.kind}`);
      }),
      { seed: 1010, numRuns: 150 },
    );
  }, PROPERTY_TIMEOUT);

  it('hostile bodies that do decompress are refused like uncompressed ones', async () => {
    const hostile = splice(JSON.stringify(setAt(POOL.population[0], ['answers', KEY_PLACEHOLDER], 1)), KEY_PLACEHOLDER, '"__proto__"');
    for (const [encoding, compress] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
      const res = await post(server, { survey: 'population', body: compress(hostile), headers: { 'content-encoding': encoding } });
      expectProblem(res, { status: 400, code: '400.2' }, encoding);
      // A compressed body larger than the limit once inflated is refused, however small on the wire.
      const bomb = compress(Buffer.from(`{"id":"${'0'.repeat(2 * LIMIT)}"}`));
      expectProblem(await post(server, { survey: 'population', body: bomb, headers: { 'content-encoding': encoding } }), { status: 413, code: '413.1' }, `${encoding} bomb`);
    }
    const plain = JSON.stringify(POOL.population[0]);
    expectProblem(await post(server, { survey: 'population', body: plain, headers: { 'content-encoding': 'compress' } }), { status: 415, code: '415.1' }, 'compress');
  });

  it('malformed percent-encoding or hostile survey segments in the URL, with a valid body: 4xx', async () => {
    const segment = fc.oneof(
      fc.constantFrom('%', '%E0', '%E0%A4%A', '%C0%AF', '%FF', '%uD800', '%%', '%0', '%ZZ', '%ED%A0%80', '__proto__', 'constructor', 'prototype',
        '%24where', '$ne', 'population%00', 'POPULATION', 'population%20', '..%2Fpopulation', 'hasOwnProperty', 'toString'),
      fc.array(fc.oneof(fc.constantFrom('%', '%E0', '%ZZ', '%C3', '%2F', '%00'), fc.stringMatching(/^[a-z_]{0,6}$/)), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')),
    ).filter((s) => {
      try {
        return !(SURVEY_IDS as readonly string[]).includes(decodeURIComponent(s));
      } catch {
        return true;
      }
    });
    await fc.assert(
      fc.asyncProperty(segment, fc.constantFrom(...SURVEY_IDS), async (survey, bodyOf) => {
        const res = await post(server, { survey, body: JSON.stringify(POOL[bodyOf][0]) });
        expectProblem(res, {}, `POST /api/v1/surveys/${survey}/responses with a valid ${bodyOf} submission`);
      }),
      { seed: 1011, numRuns: 200 },
    );
  }, PROPERTY_TIMEOUT);

  it('raw "__proto__", "constructor" and "$where" keys reach the validator as own properties and are named in its errors', async () => {
    const sub = POOL.population[0] as Submission;
    const cases: Array<{ level: Path; key: string; path: string }> = [
      { level: [], key: '__proto__', path: '/__proto__' },
      { level: ['answers'], key: '__proto__', path: '/answers/__proto__' },
      { level: ['answers'], key: 'constructor', path: '/answers/constructor' },
      { level: ['answers'], key: '$where', path: '/answers/$where' },
      { level: ['meta'], key: '__proto__', path: '/meta/__proto__' },
    ];
    for (const { level, key, path } of cases) {
      const holder = { ...(level.length === 0 ? sub : (getAt(sub, level) as object)), [KEY_PLACEHOLDER]: 1 };
      const text = splice(JSON.stringify(level.length === 0 ? holder : setAt(sub, level, holder)), KEY_PLACEHOLDER, JSON.stringify(key));
      expect(text).toContain(`${JSON.stringify(key)}:1`);
      const res = await post(server, { survey: 'population', body: text });
      expectProblem(res, { status: 400, code: '400.2' }, path);
      const errors = (res.body as { details: { errors: Array<{ path: string; keyword: string }> } }).details.errors;
      expect(errors.map((e) => [e.path, e.keyword]), path).toContainEqual([path, 'additionalProperties']);
    }
  });

  it('stored nothing, polluted no prototype, and still answers /healthz', async () => {
    for (const survey of SURVEY_IDS) expect(await testStore.store.countResponses({ survey })).toBe(0);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const health = await request(server).get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', store: kind });
  });
});
