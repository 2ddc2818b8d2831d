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
import socialConcerns from './api/social-concerns.schema.json' with { type: 'json' };
import { secondaryDataSchema } from './csi/secondary.js';
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
 * What the main GET routes answer. They feed the OpenAPI document and, through `npm run generate`, the TypeScript
 * types the pages read the API with (schemas/generated/api.types.ts): nobody types an API answer by hand.
 */
export const apiResponseSchemas = {
  quotaStatus: quotaStatus as unknown as ApiSchema,
  quotaProgress: quotaProgress as unknown as ApiSchema,
  fieldworkReport: fieldworkReport as unknown as ApiSchema,
  talliesReport: talliesReport as unknown as ApiSchema,
} as const;

export const ROLES = ['interviewer', 'coordinator', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type ApiSchemaName = keyof typeof apiSchemas;

export const RESPONSE_STATUSES = ['submitted', 'approved', 'rejected', 'has_issues', 'withdrawn'] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

export interface SubmissionMeta {
  formVersion: string;
  appVersion?: string;
  language: 'en' | 'ru' | 'kk';
  device?: string;
  source?: 'form' | 'import' | 'seed' | 'api';
  startedAt: string;
  completedAt: string;
  sectionDurations?: Record<string, number>;
}

export interface Submission {
  id: string;
  answers: Record<string, unknown>;
  meta: SubmissionMeta;
}

export interface Review {
  status?: 'approved' | 'rejected' | 'has_issues' | 'submitted';
  comment?: string;
  corrections?: Record<string, unknown>;
  revision?: number;
}
