// GET /openapi.json: a valid OpenAPI 3.1 document (checked by @seriousme/openapi-schema-validator, and every schema
// in it against the JSON Schema 2020-12 meta-schema), generated from the same schema files the server validates
// with, documenting every route the app serves with every status it answers, all `$ref`s resolving inside the
// document, and the problem catalogue complete. Responses of the running app are validated against it.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Express } from 'express';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../schemas/api.js';
import { formats } from '../../schemas/formats.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { POLICY } from '../../server/domain/policy.js';
import { PROBLEMS } from '../../server/domain/problems.js';
import { makeTestApp, type TestApp } from '../support/app.js';
import type { TestStore } from '../support/stores.js';

type Json = Record<string, unknown>;

const SCHEMAS_DIR = join(import.meta.dirname, '..', '..', 'schemas');
const readJson = (...parts: string[]) => JSON.parse(readFileSync(join(SCHEMAS_DIR, ...parts), 'utf8')) as Json;

/** The current version of each questionnaire, as versions.json names it. */
const CURRENT = readJson('questionnaires', 'versions.json') as unknown as Record<SurveyId, { current: string }>;
/** The schema files themselves, read from disk: the document must be generated from these. */
const QUESTIONNAIRE_FILES = Object.fromEntries(SURVEY_IDS.map((s) => [s, readJson('questionnaires', s, `${CURRENT[s].current}.schema.json`)])) as Record<SurveyId, Json>;
const API_FILES = {
  submission: readJson('api', 'submission.schema.json'),
  review: readJson('api', 'review.schema.json'),
  listQuery: readJson('api', 'list-query.schema.json'),
  exportQuery: readJson('api', 'export-query.schema.json'),
  paradataQuery: readJson('api', 'paradata-query.schema.json'),
};
const ANSWERS_COMPONENT: Record<SurveyId, string> = { population: 'PopulationAnswers', organisational: 'OrganisationalAnswers', external: 'ExternalAnswers' };

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** What the app serves, per the brief: responses (POST, GET list, GET one, PATCH, revisions), export, surveys, schema, health. */
/** Every route has an access policy (the app refuses to start otherwise): the policy table lists the operations. */
const EXPECTED_OPERATIONS = Object.keys(POLICY).map((key) => key.replace(/:(\w+)/g, '{$1}'));

/** A JSON Schema file as a component: without `$id`/`$schema`, local refs re-rooted under the component. */
function asComponent(schema: unknown, name: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => asComponent(s, name));
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(Object.entries(schema)
    .filter(([k]) => k !== '$id' && k !== '$schema')
    .map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `#/components/schemas/${name}/${v.slice(2)}` : asComponent(v, name)]));
}

/** RFC 6901 pointer of a path, as a URI fragment (percent-encoded). */
const pointer = (path: readonly string[]) => `#${path.map((t) => `/${encodeURIComponent(t.replace(/~/g, '~0').replace(/\//g, '~1'))}`).join('')}`;

/** Resolves a local `#/...` ref by own properties only; undefined when any step is missing. */
function resolveRef(doc: unknown, ref: string): unknown {
  if (ref === '#') return doc;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, token)) return undefined;
    node = (node as Json)[token];
  }
  return node;
}

/** Every `$ref` in the document with where it was found. */
function collectRefs(node: unknown, at: string[] = []): Array<{ ref: unknown; at: string }> {
  if (typeof node !== 'object' || node === null) return [];
  const own = !Array.isArray(node) && Object.hasOwn(node, '$ref') ? [{ ref: (node as Json).$ref, at: pointer(at) }] : [];
  return [...own, ...Object.entries(node).flatMap(([k, v]) => collectRefs(v, [...at, k]))];
}

interface Operation {
  key: string;
  path: string;
  method: string;
  op: Json;
}

function operations(doc: Json): Operation[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m] !== undefined).map((method) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op: item[method] as Json })));
}

interface RouterLayer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** The routes the Express app serves, read off its router, in OpenAPI path syntax. */
function servedRoutes(stack: readonly RouterLayer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${path}`);
    }
    if (layer.handle?.stack) return servedRoutes(layer.handle.stack, `${prefix}${layer.rawPath === '/' || layer.rawPath === undefined ? '' : String(layer.rawPath)}`);
    return [];
  });
}

/** Every Schema Object of the document: components, parameters, request and response bodies. */
function schemaObjects(doc: Json): Array<{ at: string; schema: unknown }> {
  const out = Object.entries((doc.components as Json).schemas as Json).map(([name, schema]) => ({ at: `components.schemas.${name}`, schema }));
  for (const { key, op } of operations(doc)) {
    for (const p of (op.parameters ?? []) as Json[]) out.push({ at: `${key} parameter ${String(p.name)}`, schema: p.schema });
    const body = op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined;
    for (const [type, media] of Object.entries(body?.content ?? {})) out.push({ at: `${key} request ${type}`, schema: media.schema });
    for (const [status, res] of Object.entries(op.responses as Record<string, { content?: Record<string, { schema?: unknown }> }>)) {
      for (const [type, media] of Object.entries(res.content ?? {})) out.push({ at: `${key} ${status} ${type}`, schema: media.schema });
    }
  }
  return out;
}

const DOC_ID = 'urn:csi-survey:openapi';

/** An ajv holding the document, to validate values against any schema in it by pointer. */
function documentAjv(doc: Json): { ajv: Ajv2020; validatorAt: (path: readonly string[]) => ReturnType<Ajv2020['compile']> } {
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  for (const [name, definition] of Object.entries(formats)) ajv.addFormat(name, definition);
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addSchema({ ...structuredClone(doc), $id: DOC_ID });
  return { ajv, validatorAt: (path) => ajv.compile({ $ref: `${DOC_ID}${pointer(path)}` }) };
}

describe('GET /openapi.json', () => {
  let testStore: TestStore;
  let app: Express;
  let admin: () => ReturnType<TestApp['as']>;
  let doc: Json;
  let validatorAt: ReturnType<typeof documentAjv>['validatorAt'];

  beforeAll(async () => {
    const ctx = await makeTestApp('embedded');
    testStore = ctx.t;
    app = ctx.app;
    admin = () => ctx.as('admin');
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json\b/);
    doc = res.body as Json;
    validatorAt = documentAjv(doc).validatorAt;
  });

  afterAll(async () => {
    await testStore?.dispose();
  });

  const components = () => (doc.components as { schemas: Record<string, Json> }).schemas;
  const opAt = (path: string, method: string) => (doc.paths as Record<string, Record<string, Json>>)[path]?.[method];

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    // The validator is not vacuous: the same document without its info object fails.
    const { info: _info, ...withoutInfo } = structuredClone(doc);
    expect((await new Validator().validate(withoutInfo)).valid).toBe(false);
    // The validator's own resolution of the internal references goes through, and lands on real schemas.
    const resolved = validator.resolveRefs({ specification: structuredClone(doc) });
    const receipt = (resolved.paths as Record<string, Record<string, Json>>)['/api/v1/surveys/{survey}/responses']?.post?.responses as Record<string, { content: Record<string, { schema: Json }> }>;
    expect(receipt['201']?.content['application/json']?.schema.properties).toHaveProperty('id');
  });

  it('holds only valid JSON Schema 2020-12 schemas (the dialect of OpenAPI 3.1)', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    expect(ajv.validateSchema({ type: 'nope' })).toBe(false);
    const all = schemaObjects(doc);
    expect(all.length).toBeGreaterThan(20);
    for (const { at, schema } of all) {
      expect(schema, at).toBeDefined();
      expect(ajv.validateSchema(schema as Json), `${at}: ${ajv.errorsText()}`).toBe(true);
    }
  });

  it('documents every route the app serves, and no route it does not', () => {
    const documented = operations(doc).map((o) => o.key).sort();
    const served = [...new Set(servedRoutes((app as unknown as { router: { stack: RouterLayer[] } }).router.stack))].sort();
    expect(served).toEqual([...EXPECTED_OPERATIONS].sort());
    expect(documented).toEqual(served);
  });

  it('declares every path template variable as a required path parameter', () => {
    for (const { key, path, op } of operations(doc)) {
      const variables = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const params = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path');
      expect(params.map((p) => p.name).sort(), key).toEqual(variables);
      for (const p of params) expect(p.required, `${key} ${String(p.name)}`).toBe(true);
      const survey = params.find((p) => p.name === 'survey');
      if (survey) expect((survey.schema as Json).enum, key).toEqual([...SURVEY_IDS]);
    }
  });

  it('embeds the questionnaire and API schema files as components, unchanged but for re-rooted refs', () => {
    for (const survey of SURVEY_IDS) {
      const name = ANSWERS_COMPONENT[survey];
      const component = components()[name] as Json;
      expect(Object.keys(component.properties as Json), name).toEqual(Object.keys(QUESTIONNAIRE_FILES[survey].properties as Json));
      expect(component, name).toEqual(asComponent(QUESTIONNAIRE_FILES[survey], name));
    }
    expect(components().Submission).toEqual(asComponent(API_FILES.submission, 'Submission'));
    expect(components().Review).toEqual(asComponent(API_FILES.review, 'Review'));
  });

  it('takes the POST body from the Submission and questionnaire components, and the PATCH body from Review', () => {
    const post = opAt('/api/v1/surveys/{survey}/responses', 'post') as Json;
    const postBody = post.requestBody as { required: boolean; content: Record<string, { schema: Json }> };
    expect(postBody.required).toBe(true);
    expect(Object.keys(postBody.content)).toEqual(['application/json']);
    const postRefs = collectRefs(postBody.content['application/json']?.schema).map((r) => r.ref);
    expect(postRefs).toContain('#/components/schemas/Submission');
    for (const survey of SURVEY_IDS) expect(postRefs).toContain(`#/components/schemas/${ANSWERS_COMPONENT[survey]}`);

    const patch = opAt('/api/v1/surveys/{survey}/responses/{id}', 'patch') as Json;
    const patchBody = patch.requestBody as { required: boolean; content: Record<string, { schema: Json }> };
    expect(patchBody.required).toBe(true);
    expect(patchBody.content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Review' });
  });

  it('documents the list and export query parameters from their schema files', () => {
    const cases = [
      ['/api/v1/surveys/{survey}/responses', 'get', API_FILES.listQuery],
      ['/api/v1/surveys/{survey}/export', 'get', API_FILES.exportQuery],
      ['/api/v1/surveys/{survey}/paradata', 'get', API_FILES.paradataQuery],
    ] as const;
    for (const [path, method, file] of cases) {
      const query = (((opAt(path, method) as Json).parameters ?? []) as Json[]).filter((p) => p.in === 'query');
      const properties = file.properties as Json;
      expect(query.map((p) => p.name), path).toEqual(Object.keys(properties));
      for (const p of query) {
        expect(p.required, `${path} ${String(p.name)}`).toBe(false);
        expect(p.schema, `${path} ${String(p.name)}`).toEqual(properties[p.name as string]);
      }
    }
  });

  it('has only local $refs, and every one resolves to a schema in the document', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const { ref, at } of refs) {
      expect(typeof ref, at).toBe('string');
      expect(ref as string, at).toMatch(/^#\//);
      const target = resolveRef(doc, ref as string);
      expect(target, `${at}: ${String(ref)} does not resolve`).toBeDefined();
      expect(typeof target === 'boolean' || (typeof target === 'object' && target !== null && !Array.isArray(target)), `${at}: ${String(ref)}`).toBe(true);
    }
    // The walker itself resolves what exists and nothing else.
    expect(resolveRef(doc, '#/components/schemas/Problem')).toBe(components().Problem);
    expect(resolveRef(doc, '#/components/schemas/NoSuchThing')).toBeUndefined();
    expect(resolveRef(doc, '#/components/schemas/Problem/constructor')).toBeUndefined();
  });

  it('lists every problem code of the catalogue in the Problem component', () => {
    const problem = components().Problem as { properties: { code: { enum: string[] } }; required: string[] };
    const codes = Object.values(PROBLEMS).map((p) => p.code);
    expect([...problem.properties.code.enum].sort()).toEqual([...codes].sort());
    expect(new Set(codes).size).toBe(codes.length);
    expect([...problem.required].sort()).toEqual(['code', 'details', 'message']);
  });

  it('accepts generated submissions of every survey in the POST body schema, and refuses broken ones', () => {
    const body = validatorAt(['paths', '/api/v1/surveys/{survey}/responses', 'post', 'requestBody', 'content', 'application/json', 'schema']);
    for (const survey of SURVEY_IDS) {
      const generator = new SyntheticGenerator(survey, { seed: 31 });
      for (let i = 0; i < 25; i += 1) {
        const submission = generator.nextSubmission();
        expect(body(submission), `${survey}: ${JSON.stringify(body.errors)}`).toBe(true);
        const broken: unknown[] = [
          { ...submission, answers: {} },
          { ...submission, extra: 1 },
          { ...submission, id: 'not-a-uuid' },
          { id: submission.id, answers: submission.answers },
          { ...submission, meta: { ...submission.meta, language: 'fr' } },
          { ...submission, answers: { ...submission.answers, zz_unknown_item: 1 } },
        ];
        for (const value of broken) expect(body(value), `${survey}: ${JSON.stringify(value).slice(0, 200)}`).toBe(false);
      }
    }
  });

  it('documents every status each route answers with, and the JSON bodies match the documented schemas', async () => {
    const survey = 'population';
    const submission: Submission = new SyntheticGenerator(survey, { seed: 77 }).nextSubmission();
    const one = `/api/v1/surveys/${survey}/responses/${submission.id}`;
    const missing = `/api/v1/surveys/${survey}/responses/${randomUUID()}`;
    const tooLarge = JSON.stringify({ id: 'x'.repeat(1_100_000) });
    type Case = { method: 'get' | 'post' | 'put' | 'patch'; template: string; url: string; status: number; body?: unknown; raw?: { type: string; text: string } };
    const cases: Case[] = [
      { method: 'get', template: '/api/v1/surveys', url: '/api/v1/surveys', status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/schema', url: `/api/v1/surveys/${survey}/schema`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/schema', url: `/api/v1/surveys/${survey}/schema?lang=ru`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/schema', url: '/api/v1/surveys/nope/schema', status: 404 },
      { method: 'get', template: '/api/v1/surveys/{survey}/schema', url: `/api/v1/surveys/${survey}/schema?lang=fr`, status: 400 },
      { method: 'post', template: '/api/v1/surveys/{survey}/responses', url: `/api/v1/surveys/${survey}/responses`, status: 201, body: submission },
      { method: 'post', template: '/api/v1/surveys/{survey}/responses', url: `/api/v1/surveys/${survey}/responses`, status: 200, body: submission },
      { method: 'post', template: '/api/v1/surveys/{survey}/responses', url: `/api/v1/surveys/${survey}/responses`, status: 409, body: { ...submission, meta: { ...submission.meta, device: 'other-device' } } },
      { method: 'post', template: '/api/v1/surveys/{survey}/responses', url: `/api/v1/surveys/${survey}/responses`, status: 400, body: { ...submission, answers: {} } },
      { method: 'post', template: '/api/v1/surveys/{survey}/responses', url: `/api/v1/surveys/${survey}/responses`, status: 400, raw: { type: 'application/json', text: '{"id":' } },
      { method: 'post', template: '/api/v1/surveys/{survey}/responses', url: '/api/v1/surveys/nope/responses', status: 404, body: submission },
      { method: 'post', template: '/api/v1/surveys/{survey}/responses', url: `/api/v1/surveys/${survey}/responses`, status: 413, raw: { type: 'application/json', text: tooLarge } },
      { method: 'post', template: '/api/v1/surveys/{survey}/responses', url: `/api/v1/surveys/${survey}/responses`, status: 415, raw: { type: 'text/plain', text: JSON.stringify(submission) } },
      { method: 'get', template: '/api/v1/surveys/{survey}/responses', url: `/api/v1/surveys/${survey}/responses`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/responses', url: `/api/v1/surveys/${survey}/responses?limit=abc`, status: 400 },
      { method: 'get', template: '/api/v1/surveys/{survey}/responses', url: '/api/v1/surveys/nope/responses', status: 404 },
      { method: 'get', template: '/api/v1/surveys/{survey}/responses/{id}', url: one, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/responses/{id}', url: missing, status: 404 },
      { method: 'patch', template: '/api/v1/surveys/{survey}/responses/{id}', url: one, status: 200, body: { status: 'has_issues', comment: 'check the age', revision: 1 } },
      { method: 'patch', template: '/api/v1/surveys/{survey}/responses/{id}', url: one, status: 409, body: { status: 'approved', revision: 1 } },
      { method: 'patch', template: '/api/v1/surveys/{survey}/responses/{id}', url: one, status: 400, body: {} },
      { method: 'patch', template: '/api/v1/surveys/{survey}/responses/{id}', url: missing, status: 404, body: { status: 'approved' } },
      { method: 'patch', template: '/api/v1/surveys/{survey}/responses/{id}', url: one, status: 413, raw: { type: 'application/json', text: tooLarge } },
      { method: 'patch', template: '/api/v1/surveys/{survey}/responses/{id}', url: one, status: 415, raw: { type: 'text/plain', text: '{"status":"approved"}' } },
      { method: 'get', template: '/api/v1/surveys/{survey}/responses/{id}/revisions', url: `${one}/revisions`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/responses/{id}/revisions', url: `${missing}/revisions`, status: 404 },
      { method: 'get', template: '/api/v1/surveys/{survey}/export', url: `/api/v1/surveys/${survey}/export`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/export', url: `/api/v1/surveys/${survey}/export?format=ndjson`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/export', url: `/api/v1/surveys/${survey}/export?format=xml`, status: 400 },
      { method: 'get', template: '/api/v1/surveys/{survey}/export', url: '/api/v1/surveys/nope/export', status: 404 },
      { method: 'get', template: '/api/v1/surveys/{survey}/tallies', url: `/api/v1/surveys/${survey}/tallies?items=ps_trust_people,ps_age_years&by=ps_gender&weighted=false`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/tallies', url: `/api/v1/surveys/${survey}/tallies?items=ps_justify_cheat_taxes&stat=mean&ci=beta&weighted=false`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/tallies', url: `/api/v1/surveys/${survey}/tallies?items=ps_trust_people&stat=mean`, status: 400 },
      { method: 'get', template: '/api/v1/surveys/{survey}/tallies', url: `/api/v1/surveys/${survey}/tallies?items=ps_trust_people`, status: 409 },
      { method: 'get', template: '/api/v1/surveys/{survey}/export', url: `/api/v1/surveys/${survey}/export?format=xlsx`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/paradata', url: `/api/v1/surveys/${survey}/paradata`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/paradata', url: `/api/v1/surveys/${survey}/paradata?format=xlsx`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/paradata', url: `/api/v1/surveys/${survey}/paradata?format=sav`, status: 400 },
      { method: 'get', template: '/api/v1/surveys/{survey}/paradata', url: '/api/v1/surveys/nope/paradata', status: 404 },
      // Answers with a schema in schemas/api/ (the pages' types come from the same files): validated below.
      { method: 'get', template: '/api/v1/surveys/{survey}/fieldwork', url: `/api/v1/surveys/${survey}/fieldwork?utcOffset=300`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/fieldwork', url: `/api/v1/surveys/${survey}/fieldwork?utcOffset=east`, status: 400 },
      {
        method: 'put', template: '/api/v1/surveys/{survey}/quotas', url: `/api/v1/surveys/${survey}/quotas`, status: 200,
        body: { quotas: [{ id: 'gender', variables: ['ps_gender'], collapse: { ps_gender: { male: 'm' } }, cells: [{ categories: { ps_gender: 'm' }, target: 0 }, { categories: { ps_gender: 'female' }, target: 9 }] }] },
      },
      { method: 'get', template: '/api/v1/surveys/{survey}/quotas/status', url: `/api/v1/surveys/${survey}/quotas/status`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/quotas/progress', url: `/api/v1/surveys/${survey}/quotas/progress`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/quotas', url: `/api/v1/surveys/${survey}/quotas`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/quotas/versions', url: `/api/v1/surveys/${survey}/quotas/versions`, status: 200 },
      { method: 'post', template: '/api/v1/surveys/{survey}/quotas/allocation', url: `/api/v1/surveys/${survey}/quotas/allocation`, status: 200, body: { total: 40, minimum: 1, quotas: [{ id: 'gender', variables: ['ps_gender'] }] } },
      { method: 'get', template: '/api/v1/surveys/{survey}/review', url: `/api/v1/surveys/${survey}/review?limit=5`, status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/review/{id}', url: `/api/v1/surveys/${survey}/review/${submission.id}`, status: 200 },
      { method: 'get', template: '/api/v1/indicators', url: '/api/v1/indicators?lang=ru', status: 200 },
      { method: 'get', template: '/api/v1/indicators', url: '/api/v1/indicators?by=ps_region', status: 200 },
      { method: 'get', template: '/api/v1/me', url: '/api/v1/me', status: 200 },
      { method: 'get', template: '/api/v1/users', url: '/api/v1/users', status: 200 },
      { method: 'post', template: '/api/v1/users', url: '/api/v1/users', status: 201, body: { username: 'dana', role: 'coordinator', regions: ['akmola'] } },
      { method: 'post', template: '/api/v1/tokens', url: '/api/v1/tokens', status: 201, body: { username: 'dana', name: 'laptop' } },
      { method: 'get', template: '/api/v1/tokens', url: '/api/v1/tokens', status: 200 },
      { method: 'get', template: '/api/v1/surveys/{survey}/margins', url: `/api/v1/surveys/${survey}/margins`, status: 200 },
      { method: 'get', template: '/api/v1/indicators/secondary', url: '/api/v1/indicators/secondary', status: 200 },
      { method: 'get', template: '/api/v1/social-concerns', url: '/api/v1/social-concerns', status: 200 },
      { method: 'put', template: '/api/v1/social-concerns', url: '/api/v1/social-concerns', status: 200, body: { concern1: { kk: 'кедейлік', ru: 'бедность', en: 'poverty' }, concern2: { kk: 'жұмыссыздық', ru: 'безработица', en: 'unemployment' } } },
      { method: 'get', template: '/api/v1/social-concerns', url: '/api/v1/social-concerns', status: 200 },
      { method: 'get', template: '/api/v1/audit', url: '/api/v1/audit?order=desc&limit=50', status: 200 },
      { method: 'get', template: '/healthz', url: '/healthz', status: 200 },
      { method: 'get', template: '/openapi.json', url: '/openapi.json', status: 200 },
    ];
    const undocumented: string[] = [];
    for (const c of cases) {
      const label = `${c.method.toUpperCase()} ${c.url.slice(0, 90)}`;
      let req = admin()[c.method](c.url);
      if (c.raw) req = req.set('content-type', c.raw.type).send(c.raw.text);
      else if (c.body !== undefined) req = req.send(c.body as object);
      const res = await req;
      expect(res.status, `${label}: ${res.text.slice(0, 300)}`).toBe(c.status);
      const responses = (opAt(c.template, c.method) as Json).responses as Record<string, { content?: Record<string, unknown> }>;
      const documented = responses[String(c.status)];
      if (!documented) {
        undocumented.push(`${c.method.toUpperCase()} ${c.template} answers ${c.status} (${String((res.body as Json).code ?? '')})`);
        continue;
      }
      const type = String(res.headers['content-type'] ?? '').split(';')[0] as string;
      if (documented.content) expect(Object.keys(documented.content), label).toContain(type);
      if (type !== 'application/json' || !documented.content?.['application/json']) continue;
      const validate = validatorAt(['paths', c.template, c.method, 'responses', String(c.status), 'content', 'application/json', 'schema']);
      expect(validate(res.body), `${label}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(undocumented).toEqual([]);
  });

  it('describes every problem the app sends, including unknown routes, with the Problem component', async () => {
    const validate = validatorAt(['components', 'schemas', 'Problem']);
    const responses = await Promise.all([
      admin().get('/api/v1/nowhere'),
      admin().delete('/api/v1/surveys/population/responses'),
      admin().post('/api/v1/surveys/population/responses').set('content-type', 'application/json').send('{"answers":{"ps_region":5}}'),
      admin().post('/api/v1/surveys/population/responses').set('content-type', 'application/json').serialize((x: string) => x).send(Buffer.from([0x7b, 0xff, 0x7d])),
      request(app).get('/api/v1/surveys/population/responses'),
      request(app).get('/api/v1/surveys/population/responses').set('authorization', 'Bearer csi_not-a-real-token-at-all'),
    ]);
    for (const res of responses) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(validate(res.body), `${res.status} ${res.text.slice(0, 200)}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
