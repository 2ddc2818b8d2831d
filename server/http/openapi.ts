/**
 * The OpenAPI 3.1 document, generated from the same schemas the server validates with: the questionnaires and the
 * API payloads are embedded as components (OpenAPI 3.1 schemas are JSON Schema 2020-12), their local `$ref`s
 * re-rooted under `#/components/schemas/<Name>`.
 */
import { apiRefTarget, apiResponseSchemas, apiSchemas, type ApiSchema } from '../../schemas/api.js';
import { questionnaires, SURVEY_IDS } from '../../schemas/surveys.js';
import { POLICY, type RoutePolicy } from '../domain/policy.js';
import { PROBLEMS } from '../domain/problems.js';

type Json = Record<string, unknown>;

/**
 * The schema files embedded as components, by component name: the API payloads, and the answers (the same files
 * the pages' types are generated from).
 */
const FILE_COMPONENTS: Record<string, ApiSchema> = {
  Submission: apiSchemas.submission,
  Login: apiSchemas.login,
  Margins: apiSchemas.margins,
  QuotaPlan: apiSchemas.quotaPlan,
  QuotaAllocation: apiSchemas.quotaAllocation,
  QuotaScreen: apiSchemas.quotaScreen,
  SecondaryData: apiSchemas.secondaryData,
  SocialConcerns: apiSchemas.socialConcerns,
  UserCreate: apiSchemas.userCreate,
  UserPatch: apiSchemas.userPatch,
  PasswordChange: apiSchemas.passwordChange,
  TokenCreate: apiSchemas.tokenCreate,
  Review: apiSchemas.review,
  QuotaStatus: apiResponseSchemas.quotaStatus,
  QuotaProgress: apiResponseSchemas.quotaProgress,
  FieldworkReport: apiResponseSchemas.fieldworkReport,
  Tallies: apiResponseSchemas.talliesReport,
  IndicatorsReport: apiResponseSchemas.indicatorsReport,
  User: apiResponseSchemas.user,
  UserList: apiResponseSchemas.userList,
  Token: apiResponseSchemas.token,
  TokenList: apiResponseSchemas.tokenList,
  AuditPage: apiResponseSchemas.auditPage,
  ResponseReceipt: apiResponseSchemas.responseReceipt,
  ResponseList: apiResponseSchemas.responseList,
  RevisionList: apiResponseSchemas.revisionList,
  ReviewList: apiResponseSchemas.reviewList,
  ReviewDetail: apiResponseSchemas.reviewDetail,
  StoredQuotaPlan: apiResponseSchemas.storedQuotaPlan,
  QuotaPlanVersions: apiResponseSchemas.quotaPlanVersions,
  StoredMargins: apiResponseSchemas.storedMargins,
  StoredSecondary: apiResponseSchemas.storedSecondary,
  PublishedConcerns: apiResponseSchemas.publishedConcerns,
  SurveyList: apiResponseSchemas.surveyList,
  Health: apiResponseSchemas.health,
};

/** A `$ref` to another schema file, as a ref to its component; an answer schema naming a file not embedded is a bug. */
function componentRef(ref: string): string {
  const target = apiRefTarget(ref);
  const name = target && Object.keys(FILE_COMPONENTS).find((n) => FILE_COMPONENTS[n] === target.schema);
  if (!target || !name) throw new Error(`${ref} names no schema embedded in the OpenAPI document`);
  return `#/components/schemas/${name}${target.pointer}`;
}

/**
 * A schema as a component: without `$id`/`$schema`, its `#/$defs/...` refs pointing inside the component, its refs to
 * other schema files pointing at their components.
 */
function asComponent(schema: object, name: string): Json {
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$id' || k === '$schema') continue;
      if (k === '$ref' && typeof v === 'string') out[k] = v.startsWith('#/') ? `#/components/schemas/${name}/${v.slice(2)}` : componentRef(v);
      else out[k] = rewrite(v);
    }
    return out;
  };
  return rewrite(schema) as Json;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ 'application/json': { schema } });
const problemResponse = (description: string) => ({ description, content: json(ref('Problem')) });
/** Every route that touches the store answers this when it does not answer within STORE_TIMEOUT_MS. */
const storeUnavailable = () => ({
  ...problemResponse('503.1: the store did not answer within STORE_TIMEOUT_MS (or cannot be reached); retry after the given seconds'),
  headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
});

const ANSWERS = { population: 'PopulationAnswers', organisational: 'OrganisationalAnswers', external: 'ExternalAnswers' } as const;

export function buildOpenApi(serverUrl = '/'): Json {
  return withAccess(document(serverUrl));
}

function document(serverUrl: string): Json {
  const schemas: Json = Object.fromEntries(Object.entries(FILE_COMPONENTS).map(([name, schema]) => [name, asComponent(schema, name)]));
  Object.assign(schemas, {
    ValidationError: {
      type: 'object',
      properties: {
        path: { type: 'string' }, item: { type: ['string', 'null'] }, keyword: { type: 'string' }, message: { type: 'string' },
        allowedValues: { type: 'array', description: 'For a value outside a closed list: the values it may take.' },
        params: { type: 'object', description: 'The values the rule (keyword) is about, for wording it in any language: quota plans (schemas/quota-plan-rules.ts).' },
      },
      required: ['path', 'item', 'keyword', 'message'],
    },
    Problem: {
      type: 'object',
      properties: {
        code: { enum: Object.values(PROBLEMS).map((p) => p.code) },
        message: { type: 'string' },
        details: { type: 'object', properties: { errors: { type: 'array', items: ref('ValidationError') } } },
      },
      required: ['code', 'message', 'details'],
    },
  });
  for (const survey of SURVEY_IDS) schemas[ANSWERS[survey]] = asComponent(questionnaires[survey], ANSWERS[survey]);

  const survey = { name: 'survey', in: 'path', required: true, schema: { enum: [...SURVEY_IDS] } };
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const query = (schema: Json) => Object.entries((schema.properties ?? {}) as Json).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
  const listQuery = query(asComponent(apiSchemas.listQuery, 'ListQuery'));
  const exportQuery = query(asComponent(apiSchemas.exportQuery, 'ExportQuery'));
  const auditQuery = query(asComponent(apiSchemas.auditQuery, 'AuditQuery'));
  const userId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const xlsxContent = { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', contentMediaType: 'application/zip' } } };
  const submissionBody = {
    allOf: [ref('Submission'), { properties: { answers: { oneOf: SURVEY_IDS.map((s) => ref(ANSWERS[s])) } } }],
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'csi-survey API',
      version: '1.0.0',
      description: 'Ingestion, review and export of CIVICUS Civil Society Index survey responses. Errors are `{code, message, details}` problems.',
    },
    servers: [{ url: serverUrl }],
    paths: {
      '/api/v1/surveys': { get: { summary: 'List the questionnaires', responses: { 200: { description: 'Questionnaires', content: json(ref('SurveyList')) } } } },
      '/api/v1/surveys/{survey}/schema': {
        get: {
          summary: 'A questionnaire schema, with labels when lang is given',
          parameters: [survey, { name: 'lang', in: 'query', required: false, schema: { enum: ['en', 'ru', 'kk'] } }],
          responses: { 200: { description: 'The JSON Schema' }, 400: problemResponse('Unknown language'), 404: problemResponse('Unknown survey') },
        },
      },
      '/api/v1/surveys/{survey}/responses': {
        post: {
          summary: 'Submit a response (idempotent on its client-minted id)',
          parameters: [survey],
          requestBody: { required: true, content: json(submissionBody) },
          responses: {
            201: { description: 'Stored', content: json(ref('ResponseReceipt')) },
            200: { description: 'Already stored with the same content: the original receipt; or, from its own interviewer while the response is returned to them (has_issues), their fix, stored as a new revision (status back to submitted)', content: json(ref('ResponseReceipt')) },
            400: problemResponse('Malformed JSON or invalid answers (details.errors)'),
            404: problemResponse('Unknown survey, or (404.2) a response outside a region-scoped coordinator\'s regions'),
            409: problemResponse('Same id with different content, or a rejected/withdrawn response'),
            413: problemResponse('Body too large'),
            415: problemResponse('Not application/json'),
          },
        },
        get: {
          summary: 'List responses, filtered, with cursor pagination',
          parameters: [survey, ...listQuery],
          responses: {
            200: { description: 'A page', content: json(ref('ResponseList')) },
            400: problemResponse('Invalid query'),
            404: problemResponse('Unknown survey'),
          },
        },
      },
      '/api/v1/surveys/{survey}/responses/{id}': {
        get: { summary: 'One response', parameters: [survey, id], responses: { 200: { description: 'The response', content: json(ref('ResponseReceipt')) }, 404: problemResponse('Not found') } },
        patch: {
          summary: 'Review: set a status with a comment and/or correct answers (a new revision)',
          parameters: [survey, id],
          requestBody: { required: true, content: json(ref('Review')) },
          responses: {
            200: { description: 'The reviewed response', content: json(ref('ResponseReceipt')) },
            400: problemResponse('Invalid review or corrected answers'),
            404: problemResponse('Not found, before or after the change: a correction cannot move a response out of the reviewer\'s regions'),
            409: problemResponse('Revision conflict'),
            413: problemResponse('Body too large'),
            415: problemResponse('Not application/json'),
          },
        },
      },
      '/api/v1/surveys/{survey}/responses/{id}/revisions': {
        get: { summary: 'Revision history with the answers as of each revision', parameters: [survey, id], responses: { 200: { description: 'Revisions', content: json(ref('RevisionList')) }, 404: problemResponse('Not found') } },
      },
      '/api/v1/surveys/{survey}/review': {
        get: {
          summary: 'The review list: responses with their quality flags and over-quota marks, filtered (status, region, interviewer, flag, overQuota, since, until, id prefix), counts per status, sorted by received time or interview length, cursor pages (region-scoped coordinators: their regions)',
          parameters: [survey, ...query(asComponent(apiSchemas.reviewQuery, 'ReviewQuery'))],
          responses: { 200: { description: 'A page of the list', content: json(ref('ReviewList')) }, 400: problemResponse('Invalid query'), 404: problemResponse('Unknown survey') },
        },
      },
      '/api/v1/surveys/{survey}/review/{id}': {
        get: {
          summary: 'One response for review: the response, its revisions with their changes, the quality flags that fired with their numbers, seconds per section beside the medians, the quota cells it falls in',
          parameters: [survey, id],
          responses: { 200: { description: 'The response for review', content: json(ref('ReviewDetail')) }, 404: problemResponse('Not found (or outside your regions)') },
        },
      },
      '/api/v1/surveys/{survey}/export': {
        get: {
          summary: 'Streamed export (CSV, NDJSON, SPSS .sav, Stata .dta, or Excel with a data sheet and a codebook sheet)',
          description: 'sav and dta: variables named by item id, variable and value labels in `lang`, numeric codes from the codebook '
            + '(don\'t know 98, refused 99; number items -98, -99), declared user-missing in the .sav; weight, derived variables, status, '
            + 'questionnaire version and paradata columns. Analysts get the interviewer columns empty. Options that do not apply to '
            + 'the format (bom, codes, headers outside CSV; labels outside CSV and xlsx; lang with NDJSON; labels with codes=numeric) are a 400.3 naming the parameter.',
          parameters: [survey, ...exportQuery],
          responses: {
            200: {
              description: 'The export',
              content: {
                'text/csv': { schema: { type: 'string' } }, 'application/x-ndjson': { schema: { type: 'string' } },
                'application/x-spss-sav': { schema: { type: 'string', format: 'binary' } }, 'application/x-stata-dta': { schema: { type: 'string', format: 'binary' } }, ...xlsxContent,
              },
            },
            400: problemResponse('Invalid query'),
            404: problemResponse('Unknown survey'),
          },
        },
      },
      '/api/v1/surveys/{survey}/paradata': {
        get: {
          summary: 'Paradata, streamed: one row per response and section with the seconds spent on it and its share, the interview length, language, device and versions (CSV or Excel)',
          parameters: [survey, ...query(asComponent(apiSchemas.paradataQuery, 'ParadataQuery'))],
          responses: {
            200: { description: 'The paradata', content: { 'text/csv': { schema: { type: 'string' } }, ...xlsxContent } },
            400: problemResponse('Invalid query'),
            404: problemResponse('Unknown survey, or trim asked of an unweighted survey'),
            422: problemResponse('The trimming bounds and the margins cannot both hold (answered before any row; details as for tallies)'),
          },
        },
      },
      '/api/v1/surveys/{survey}/margins': {
        get: {
          summary: 'Population margins the survey is weighted to (the shipped Kazakhstan 2009 figures until set), with source and status',
          parameters: [survey],
          responses: { 200: { description: 'Margins', content: json(ref('StoredMargins')) }, 404: problemResponse('Not a weighted survey') },
        },
        put: {
          summary: 'Set the population margins',
          parameters: [survey],
          requestBody: { required: true, content: json(ref('Margins')) },
          responses: { 200: { description: 'Stored', content: json(ref('StoredMargins')) }, 400: problemResponse('Invalid margins'), 404: problemResponse('Not a weighted survey'), 415: problemResponse('Not application/json') },
        },
      },
      '/api/v1/surveys/{survey}/tallies': {
        get: {
          summary: 'Tallies of items, overall and by one or two variables: weighted (raked to the margins; population) or not, with linearised standard errors, 95% CIs, bases, effective n and design effects; JSON, CSV or Excel (full precision or rounded as displayed)',
          parameters: [survey, ...query(asComponent(apiSchemas.talliesQuery, 'TalliesQuery')).map((p) => (p.name === 'items' ? { ...p, required: true } : p))],
          responses: {
            200: {
              description: 'Tallies (docs/methods.md defines every statistic and gives the R call that reproduces it); as CSV (or xlsx) one row per item, group and category with the same numbers, empty cells for nulls',
              content: { 'application/json': { schema: ref('Tallies') }, 'text/csv': { schema: { type: 'string' } }, ...xlsxContent },
            },
            400: problemResponse('Invalid query, item or breakdown (stat=mean of a closed item without numeric codes)'),
            404: problemResponse('No such survey, or weighting asked of an unweighted survey'),
            409: problemResponse('The responses cannot be weighted to the margins: a margin category with a share and no respondents, one with respondents and a share of 0, or respondents in a category the margin does not list (details: variable, category, respondents, responseIds, reason)'),
            422: problemResponse('The trimming bounds and the margins cannot both hold (details: bounds, achievedRange — the range relative to the mean that the margins need —, maxMarginError, iterations, reason)'),
          },
        },
      },
      '/api/v1/indicators': {
        get: {
          summary: 'The CSI indicator matrix from the live responses and the secondary data: every indicator with its value (0-100, full precision), n, base, standard error, source, confidence mark, rule text and default flag, or missing with the reason; sub-dimension and dimension scores; JSON, CSV or Excel (full precision or rounded as displayed)',
          parameters: query(asComponent(apiSchemas.indicatorsQuery, 'IndicatorsQuery')),
          responses: {
            200: { description: 'The matrix', content: { 'application/json': { schema: ref('IndicatorsReport') }, 'text/csv': { schema: { type: 'string' } }, ...xlsxContent } },
            400: problemResponse('Invalid query'),
            409: problemResponse('The population responses cannot be weighted to the margins (a category has no respondents)'),
          },
        },
      },
      '/api/v1/indicators/diamond.svg': {
        get: {
          summary: 'The CSI Diamond: dimensions 1-4 on four axes, the external environment (dimension 5) as a circle, with labels and scores',
          parameters: query(asComponent(apiSchemas.diamondQuery, 'DiamondQuery')),
          responses: {
            200: { description: 'SVG', content: { 'image/svg+xml': { schema: { type: 'string' } } } },
            400: problemResponse('Invalid query'),
            409: problemResponse('The population responses cannot be weighted to the margins'),
          },
        },
      },
      '/api/v1/indicators/secondary': {
        get: { summary: 'The secondary data of the matrix (the report\'s Kazakhstan inputs until set), each value with source and year', responses: { 200: { description: 'Secondary data', content: json(ref('StoredSecondary')) } } },
        put: {
          summary: 'Set the secondary data',
          requestBody: { required: true, content: json(ref('SecondaryData')) },
          responses: { 200: { description: 'Stored', content: json(ref('StoredSecondary')) }, 400: problemResponse('Invalid secondary data (details.errors)'), 413: problemResponse('Body too large'), 415: problemResponse('Not application/json') },
        },
      },
      '/api/v1/social-concerns': {
        get: { summary: 'The two social concerns the impact questions name ({concern1}, {concern2}), each in kk, ru and en, with their version (concerns null and version 0 while none are set); ETag: the version', responses: { 200: { description: 'The concerns and their version', content: json(ref('PublishedConcerns')), headers: { ETag: { description: 'The version, e.g. "3": send it back as If-Match', schema: { type: 'string' } } } } } },
        put: {
          summary: 'Set the social concerns (a new version, audited). With If-Match (the ETag it was edited from; "0" for none), concerns changed meanwhile are refused',
          parameters: [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The version edited, as the ETag of GET gave it ("3")' }],
          requestBody: { required: true, content: json(ref('SocialConcerns')) },
          responses: { 200: { description: 'Stored, with its version', content: json(ref('PublishedConcerns')) }, 400: problemResponse('Invalid concerns (details.errors: the field and the rule)'), 412: problemResponse('412.2: the concerns are no longer the version of If-Match (details.current)'), 413: problemResponse('Body too large'), 415: problemResponse('Not application/json') },
        },
      },
      '/api/v1/surveys/{survey}/quotas': {
        get: { summary: 'The quota plan (with its version, policy and counted statuses); ETag: the version', parameters: [survey], responses: { 200: { description: 'The plan (with Accept: text/csv, as the CSV PUT takes back)', content: { 'application/json': { schema: ref('StoredQuotaPlan') }, 'text/csv': { schema: { type: 'string' } } }, headers: { ETag: { description: 'The plan version, e.g. "3": send it back as If-Match', schema: { type: 'string' } } } }, 404: problemResponse('Unknown survey, or no plan yet') } },
        put: {
          summary: 'Replace the quota plan (a new version; counted responses keep their slots). JSON, or CSV rows variables,categories,target[,quota] with policy and countStatuses in the query. With If-Match (the ETag it was edited from; "0" for none), a plan changed meanwhile is refused',
          parameters: [
            survey, { name: 'policy', in: 'query', required: false, schema: { enum: ['refuse', 'flag'] } }, { name: 'countStatuses', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The version edited, as the ETag of GET gave it ("3")' },
          ],
          requestBody: { required: true, content: { ...json(ref('QuotaPlan')), 'text/csv': { schema: { type: 'string' } } } },
          responses: {
            200: { description: 'Stored', content: json(ref('StoredQuotaPlan')), headers: { ETag: { description: 'The new version', schema: { type: 'string' } } } }, 400: problemResponse('Invalid plan (details.errors, with CSV lines)'), 404: problemResponse('Unknown survey'),
            412: problemResponse('412.1: the plan is no longer the version of If-Match (details.current), or If-Match is not a version'), 413: problemResponse('Body too large'), 415: problemResponse('Neither JSON nor CSV'),
          },
        },
      },
      '/api/v1/surveys/{survey}/quotas/versions': {
        get: { summary: 'The stored versions of the quota plan, newest first (the current one included): version, when, by whom, the plan', parameters: [survey], responses: { 200: { description: 'Versions', content: json(ref('QuotaPlanVersions')) }, 404: problemResponse('Unknown survey') } },
      },
      '/api/v1/surveys/{survey}/quotas/allocation': {
        post: {
          summary: 'A proportional plan to edit (not stored): largest-remainder targets summing to the total, a minimum per cell, from given shares, a joint table or the population margins',
          parameters: [survey],
          requestBody: { required: true, content: json(ref('QuotaAllocation')) },
          responses: { 200: { description: 'A plan', content: json(ref('StoredQuotaPlan')) }, 400: problemResponse('Invalid request, or shares that cannot be allocated'), 404: problemResponse('Unknown survey'), 415: problemResponse('Not application/json') },
        },
      },
      '/api/v1/surveys/{survey}/quotas/screen': {
        post: {
          summary: 'Screen a respondent: open/full per matching cell and, when open, a reservation under the response id that holds the slots until it lapses; submission consumes it',
          parameters: [survey],
          requestBody: { required: true, content: json(ref('QuotaScreen')) },
          responses: {
            200: { description: 'Open (under the flag policy possibly over quota): the cells and the reservation' },
            400: problemResponse('Invalid request, or screening answers that do not place the respondent in every quota (details.missing)'),
            404: problemResponse('Unknown survey, no plan, a response id someone else holds a reservation under (404.8), or a respondent outside a scoped coordinator\'s regions (404.2)'),
            409: problemResponse('A cell is full under the refuse policy (details.cells); nothing is held'),
            415: problemResponse('Not application/json'),
            429: problemResponse('429.3: the screener already holds the most live reservations allowed in a cell (details.cells, details.limit; QUOTA_MAX_LIVE_RESERVATIONS), or too many writes'),
          },
        },
      },
      '/api/v1/surveys/{survey}/quotas/reservations/{id}': {
        delete: { summary: 'Give a reservation back (the respondent broke off); only its screener may', parameters: [survey, id], responses: { 204: { description: 'Released' }, 404: problemResponse('No plan, or no such reservation of yours') } },
      },
      '/api/v1/surveys/{survey}/quotas/status': {
        get: { summary: 'Which cells are full now, with the plan\'s variables (no counts): what the form keeps for screening offline', parameters: [survey], responses: { 200: { description: 'Status', content: json(ref('QuotaStatus')) }, 404: problemResponse('Unknown survey, or no plan') } },
      },
      '/api/v1/surveys/{survey}/quotas/progress': {
        get: { summary: 'Per cell: target, achieved, reserved, committed (achieved + live reservations), remaining, over (commitment beyond the target), acceptedOver (responses accepted over quota), percent (region-scoped coordinators: their regions)', parameters: [survey], responses: { 200: { description: 'Progress', content: json(ref('QuotaProgress')) }, 404: problemResponse('Unknown survey, or no plan') } },
      },
      '/api/v1/surveys/{survey}/fieldwork': {
        get: {
          summary: 'Fieldwork: per interviewer, region and day (today, total, median duration, rejection rate, share flagged), quality flags with response ids, responses over quota, region x age band',
          parameters: [survey, ...query(asComponent(apiSchemas.fieldworkQuery, 'FieldworkQuery'))],
          responses: { 200: { description: 'Summary', content: json(ref('FieldworkReport')) }, 400: problemResponse('Invalid query'), 404: problemResponse('Unknown survey') },
        },
      },
      '/api/v1/surveys/{survey}/fieldwork/events': {
        get: {
          summary: 'Server-Sent Events: an event (submitted, reviewed, reservation, plan) on every change of the survey, without ids; refetch the numbers on each. Region-scoped coordinators get only the changes in their regions. Send the bearer token (read with fetch)',
          parameters: [survey],
          responses: { 200: { description: 'An endless event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 404: problemResponse('Unknown survey') },
        },
      },
      '/api/v1/auth/login': {
        post: {
          summary: 'Log in: a session token (12 hours), shown once',
          requestBody: { required: true, content: json(ref('Login')) },
          responses: {
            201: { description: 'Session token', content: json(ref('Token')) },
            400: problemResponse('Invalid body'),
            401: problemResponse('Unknown user or wrong password'),
            415: problemResponse('Not application/json'),
            429: problemResponse('429.1: too many logins from this address; 429.2: five failed logins for this name from this address (unknown names alike), locked for 15 minutes'),
          },
        },
      },
      '/api/v1/auth/logout': { post: { summary: 'Revoke the token of this request', responses: { 204: { description: 'Logged out' } } } },
      '/api/v1/me': { get: { summary: 'The current user', responses: { 200: { description: 'The user', content: json(ref('User')) }, 404: problemResponse('No stored user behind the token') } } },
      '/api/v1/me/password': {
        post: {
          summary: 'Change one\'s own password: the current one is checked (and counts towards the lockout, like a login); every session and token of the user ends, and a fresh session token is answered',
          requestBody: { required: true, content: json(ref('PasswordChange')) },
          responses: {
            200: { description: 'A new session token for this device', content: json(ref('Token')) },
            400: problemResponse('Invalid body; 400.2 at /currentPassword: not the current password; at /newPassword: too short or the same as the current one'),
            415: problemResponse('Not application/json'),
            429: problemResponse('429.2: five wrong current passwords from this address, locked for 15 minutes'),
          },
        },
      },
      '/api/v1/users': {
        get: { summary: 'List users', responses: { 200: { description: 'Users', content: json(ref('UserList')) } } },
        post: {
          summary: 'Create a user (without a password: a one-time password is generated and answered once); the user must choose a new password at the first sign-in',
          requestBody: { required: true, content: json(ref('UserCreate')) },
          responses: { 201: { description: 'Created', content: json(ref('User')) }, 400: problemResponse('Invalid user'), 409: problemResponse('Username taken'), 415: problemResponse('Not application/json') },
        },
      },
      '/api/v1/users/{id}': {
        patch: {
          summary: 'Change a user: password, role, regions, disabled',
          parameters: [userId],
          requestBody: { required: true, content: json(ref('UserPatch')) },
          responses: { 200: { description: 'Changed', content: json(ref('User')) }, 400: problemResponse('Invalid change'), 404: problemResponse('No such user'), 415: problemResponse('Not application/json') },
        },
      },
      '/api/v1/users/{id}/password': {
        post: {
          summary: 'Reset a password: a generated one-time password, answered once; the user must choose a new one at the next sign-in, and every session and token of the user ends',
          parameters: [userId],
          responses: { 200: { description: 'The user, with the one-time password', content: json(ref('User')) }, 404: problemResponse('No such user') },
        },
      },
      '/api/v1/tokens': {
        get: { summary: 'List tokens (never their secrets)', responses: { 200: { description: 'Tokens', content: json(ref('TokenList')) } } },
        post: {
          summary: 'Create a long-lived API token for a user (secret shown once)',
          requestBody: { required: true, content: json(ref('TokenCreate')) },
          responses: { 201: { description: 'Token with its secret', content: json(ref('Token')) }, 400: problemResponse('Invalid request'), 404: problemResponse('No such user'), 415: problemResponse('Not application/json') },
        },
      },
      '/api/v1/tokens/{id}': {
        delete: { summary: 'Revoke a token', parameters: [userId], responses: { 200: { description: 'Revoked', content: json(ref('Token')) }, 404: problemResponse('No such token') } },
      },
      '/api/v1/audit': {
        get: {
          summary: 'The audit trail (append-only), filtered, with cursor pagination',
          parameters: auditQuery,
          responses: { 200: { description: 'Entries, newest first with order=desc', content: json(ref('AuditPage')) }, 400: problemResponse('Invalid query') },
        },
      },
      '/healthz': { get: { summary: 'Store reachability', responses: { 200: { description: 'Healthy. `warning` ({code: "plain_http", message}) when the request came over plain HTTP under a host name other than localhost: browsers then give the form no service worker (no offline work)', content: json(ref('Health')) }, 503: storeUnavailable() } } },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/': { get: { summary: 'The console: sign-in, and a home page with what the user\'s role does (an HTML shell; data only through the API)', responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } } },
      '/forms/{survey}': { get: { summary: 'The interviewer form of a survey (an HTML shell; data only through the API)', parameters: [{ name: 'survey', in: 'path', required: true, schema: { enum: [...SURVEY_IDS] } }], responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, 404: problemResponse('Unknown survey') } } },
      '/dashboard/{page}': { get: { summary: 'A dashboard page (an HTML shell; data only through the API)', parameters: [{ name: 'page', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } }, 404: problemResponse('No such page') } } },
      '/assets/{file}': { get: { summary: 'Stylesheet and bundled browser scripts of the pages', parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'CSS or JavaScript' }, 404: problemResponse('No such asset') } } },
    },
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A session token from /api/v1/auth/login, or an API token.' } } },
  };
}

/** Each operation gets its access policy: who may call it, and the 401/403/429 answers that follow. */
function withAccess(doc: Json): Json {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(operations)) {
      if (path.startsWith('/api/')) (op.responses as Json)[503] ??= storeUnavailable();
      const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
      const policy = (POLICY as Record<string, RoutePolicy>)[key];
      if (!policy || policy.allow === 'public') {
        op.security = [];
        continue;
      }
      op.security = [{ bearer: [] }];
      op.description = `Roles: ${policy.allow.join(', ')}.`;
      const responses = op.responses as Json;
      responses[401] ??= problemResponse('Not logged in, or the token is invalid, expired or revoked');
      responses[403] ??= problemResponse('The role does not allow this');
      if (policy.write) responses[429] ??= problemResponse('Too many writes with this token');
      if (policy.national) responses[404] = problemResponse(`${(responses[404] as Json | undefined)?.description ?? 'Not found'}; 404.9 for a region-scoped coordinator: national settings are outside any region scope`);
    }
  }
  return doc;
}
