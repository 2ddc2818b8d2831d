/**
 * Schemas of the API's own payloads: the submission envelope, a review, and the query strings of listings and
 * exports. Like the questionnaires, they are compiled strictly (unknown fields are errors) and feed the OpenAPI
 * document.
 */
import submission from './api/submission.schema.json' with { type: 'json' };
import review from './api/review.schema.json' with { type: 'json' };
import listQuery from './api/list-query.schema.json' with { type: 'json' };
import exportQuery from './api/export-query.schema.json' with { type: 'json' };
import paradataQuery from './api/paradata-query.schema.json' with { type: 'json' };
import login from './api/login.schema.json' with { type: 'json' };
import userCreate from './api/user-create.schema.json' with { type: 'json' };
import userPatch from './api/user-patch.schema.json' with { type: 'json' };
import passwordChange from './api/password-change.schema.json' with { type: 'json' };
import tokenCreate from './api/token-create.schema.json' with { type: 'json' };
import auditQuery from './api/audit-query.schema.json' with { type: 'json' };
import emptyQuery from './api/empty-query.schema.json' with { type: 'json' };
import margins from './api/margins.schema.json' with { type: 'json' };
import talliesQuery from './api/tallies-query.schema.json' with { type: 'json' };
import quotaPlan from './api/quota-plan.schema.json' with { type: 'json' };
import quotaAllocation from './api/quota-allocation.schema.json' with { type: 'json' };
import quotaScreen from './api/quota-screen.schema.json' with { type: 'json' };
import fieldworkQuery from './api/fieldwork-query.schema.json' with { type: 'json' };
import indicatorsQuery from './api/indicators-query.schema.json' with { type: 'json' };
import diamondQuery from './api/diamond-query.schema.json' with { type: 'json' };
import quotaStatus from './api/quota-status.schema.json' with { type: 'json' };
import quotaProgress from './api/quota-progress.schema.json' with { type: 'json' };
import fieldworkReport from './api/fieldwork-report.schema.json' with { type: 'json' };
import talliesReport from './api/tallies-report.schema.json' with { type: 'json' };
import reviewQuery from './api/review-query.schema.json' with { type: 'json' };
import indicatorsReport from './api/indicators-report.schema.json' with { type: 'json' };
import user from './api/user.schema.json' with { type: 'json' };
import userList from './api/user-list.schema.json' with { type: 'json' };
import token from './api/token.schema.json' with { type: 'json' };
import tokenList from './api/token-list.schema.json' with { type: 'json' };
import auditPage from './api/audit-page.schema.json' with { type: 'json' };
import responseReceipt from './api/response-receipt.schema.json' with { type: 'json' };
import responseList from './api/response-list.schema.json' with { type: 'json' };
import revisionList from './api/revision-list.schema.json' with { type: 'json' };
import reviewList from './api/review-list.schema.json' with { type: 'json' };
import reviewDetail from './api/review-detail.schema.json' with { type: 'json' };
import storedQuotaPlan from './api/stored-quota-plan.schema.json' with { type: 'json' };
import quotaPlanVersions from './api/quota-plan-versions.schema.json' with { type: 'json' };
import storedMargins from './api/stored-margins.schema.json' with { type: 'json' };
import storedSecondary from './api/stored-secondary.schema.json' with { type: 'json' };
import surveyList from './api/survey-list.schema.json' with { type: 'json' };
import health from './api/health.schema.json' with { type: 'json' };
import socialConcerns from './api/social-concerns.schema.json' with { type: 'json' };
import publishedConcerns from './api/published-concerns.schema.json' with { type: 'json' };
import { secondaryDataSchema } from './csi/secondary.js';
import type { AuditAction } from './generated/api.types.js';
import type { SchemaObject } from './surveys.js';

export type ApiSchema = SchemaObject & { $id: string; title: string; $defs?: Record<string, SchemaObject> };

export const apiSchemas = {
  submission: submission as unknown as ApiSchema,
  review: review as unknown as ApiSchema,
  listQuery: listQuery as unknown as ApiSchema,
  exportQuery: exportQuery as unknown as ApiSchema,
  paradataQuery: paradataQuery as unknown as ApiSchema,
  login: login as unknown as ApiSchema,
  userCreate: userCreate as unknown as ApiSchema,
  userPatch: userPatch as unknown as ApiSchema,
  passwordChange: passwordChange as unknown as ApiSchema,
  tokenCreate: tokenCreate as unknown as ApiSchema,
  auditQuery: auditQuery as unknown as ApiSchema,
  emptyQuery: emptyQuery as unknown as ApiSchema,
  margins: margins as unknown as ApiSchema,
  talliesQuery: talliesQuery as unknown as ApiSchema,
  quotaPlan: quotaPlan as unknown as ApiSchema,
  quotaAllocation: quotaAllocation as unknown as ApiSchema,
  quotaScreen: quotaScreen as unknown as ApiSchema,
  fieldworkQuery: fieldworkQuery as unknown as ApiSchema,
  indicatorsQuery: indicatorsQuery as unknown as ApiSchema,
  diamondQuery: diamondQuery as unknown as ApiSchema,
  reviewQuery: reviewQuery as unknown as ApiSchema,
  secondaryData: secondaryDataSchema as unknown as ApiSchema,
  socialConcerns: socialConcerns as unknown as ApiSchema,
} as const;

/**
 * What the routes answer with JSON. They feed the OpenAPI document and, through `npm run generate`, the TypeScript
 * types the pages and the console read the API with (schemas/generated/api.types.ts): nobody types an API answer by
 * hand. A schema names another by its `$id` (`"$ref": "<$id>#/$defs/x"`), resolved by `apiRefTarget`.
 */
export const apiResponseSchemas = {
  quotaStatus: quotaStatus as unknown as ApiSchema,
  quotaProgress: quotaProgress as unknown as ApiSchema,
  fieldworkReport: fieldworkReport as unknown as ApiSchema,
  talliesReport: talliesReport as unknown as ApiSchema,
  indicatorsReport: indicatorsReport as unknown as ApiSchema,
  user: user as unknown as ApiSchema,
  userList: userList as unknown as ApiSchema,
  token: token as unknown as ApiSchema,
  tokenList: tokenList as unknown as ApiSchema,
  auditPage: auditPage as unknown as ApiSchema,
  responseReceipt: responseReceipt as unknown as ApiSchema,
  responseList: responseList as unknown as ApiSchema,
  revisionList: revisionList as unknown as ApiSchema,
  reviewList: reviewList as unknown as ApiSchema,
  reviewDetail: reviewDetail as unknown as ApiSchema,
  storedQuotaPlan: storedQuotaPlan as unknown as ApiSchema,
  quotaPlanVersions: quotaPlanVersions as unknown as ApiSchema,
  storedMargins: storedMargins as unknown as ApiSchema,
  storedSecondary: storedSecondary as unknown as ApiSchema,
  publishedConcerns: publishedConcerns as unknown as ApiSchema,
  surveyList: surveyList as unknown as ApiSchema,
  health: health as unknown as ApiSchema,
} as const;

/** Where a `$ref` to another API schema points: that schema, and the JSON pointer inside it ('' for the whole). */
export function apiRefTarget(ref: string): { schema: ApiSchema; pointer: string } | undefined {
  const [id, fragment = ''] = ref.split('#');
  const schema = [...Object.values(apiSchemas), ...Object.values(apiResponseSchemas)].find((s) => s.$id === id);
  return schema && { schema, pointer: fragment };
}

/** Every action the audit trail records: the server writes only these, the console's audit page offers them. */
export const AUDIT_ACTIONS = auditPage.$defs.action.enum as readonly AuditAction[];

export const ROLES = ['interviewer', 'coordinator', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type ApiSchemaName = keyof typeof apiSchemas;

export const RESPONSE_STATUSES = ['submitted', 'approved', 'rejected', 'has_issues', 'withdrawn'] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

export type { Submission, SubmissionMeta } from './generated/api.types.js';

export interface Review {
  status?: 'approved' | 'rejected' | 'has_issues' | 'submitted';
  comment?: string;
  corrections?: Record<string, unknown>;
  revision?: number;
}
