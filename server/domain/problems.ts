/**
 * The catalogue of expected, user-facing problems (ODK Central's problem.js is the model): each has a stable code,
 * an HTTP status and a message. Routes throw them; the error handler sends `{code, message, details}`.
 */
export interface ProblemDefinition {
  code: string;
  status: number;
  message: string;
}

const define = (code: string, message: string): ProblemDefinition => ({ code, status: Number(code.split('.')[0]), message });

export const PROBLEMS = {
  malformedJson: define('400.1', 'The request body is not valid JSON.'),
  schemaInvalid: define('400.2', 'The request does not match the schema: see details.errors.'),
  invalidQuery: define('400.3', 'A query parameter is invalid: see details.errors.'),
  invalidEncoding: define('400.4', 'The request body is not valid UTF-8.'),
  badRequest: define('400.5', 'The request could not be read (its encoding, compression or URL is malformed).'),
  invalidToken: define('401.1', 'The token is invalid, expired or revoked: log in again.'),
  authenticationRequired: define('401.2', 'Log in first: send Authorization: Bearer <token>.'),
  invalidCredentials: define('401.3', 'Unknown user or wrong password.'),
  forbidden: define('403.1', 'Your role does not allow this.'),
  unknownSurvey: define('404.1', 'There is no such survey.'),
  responseNotFound: define('404.2', 'There is no such response.'),
  routeNotFound: define('404.3', 'There is no such route.'),
  userNotFound: define('404.4', 'There is no such user.'),
  tokenNotFound: define('404.5', 'There is no such token.'),
  conflictingResubmission: define('409.1', 'A different response was already submitted with this id.'),
  resubmissionOfClosed: define('409.2', 'This response was rejected or withdrawn and cannot be submitted again.'),
  revisionConflict: define('409.3', 'The response changed since the revision you reviewed.'),
  usernameTaken: define('409.4', 'That username is taken.'),
  weightingFailed: define('409.5', 'The responses cannot be weighted to these margins: see details.'),
  trimmingImpossible: define('422.1', 'The weights cannot be kept within these bounds while meeting the margins: see details (the range the margins need).'),
  notWeighted: define('404.6', 'Only the population survey is weighted.'),
  invalidQuotaPlan: define('400.6', 'The quota plan is not valid: see details.errors.'),
  screeningIncomplete: define('400.7', 'The screening answers do not place the respondent in every quota: see details.missing.'),
  unknownVersion: define('400.8', 'The questionnaire version is not one this server accepts: see details.errors (the versions accepted are its allowedValues).'),
  quotaPlanNotFound: define('404.7', 'This survey has no quota plan.'),
  reservationNotFound: define('404.8', 'There is no such quota reservation.'),
  outOfScope: define('404.9', 'There is no such thing within your regions.'),
  quotaFull: define('409.6', 'A quota cell of this respondent is full: see details.cells.'),
  reservationExpired: define('409.7', 'The quota reservation lapsed: screen the respondent again.'),
  planChanged: define('412.1', 'The quota plan changed since the version you edited (If-Match): see details.current; load it again and redo your change.'),
  settingChanged: define('412.2', 'The setting changed since the version you edited (If-Match): see details.current; load it again and redo your change.'),
  payloadTooLarge: define('413.1', 'The request body is too large.'),
  unsupportedMediaType: define('415.1', 'Send the body as application/json.'),
  tooManyRequests: define('429.1', 'Too many requests: slow down and retry later.'),
  accountLocked: define('429.2', 'Too many failed logins: this account is locked for a while.'),
  tooManyReservations: define('429.3', 'You hold too many live quota reservations in a cell: submit or cancel some first (see details.cells).'),
  storeUnavailable: define('503.1', 'The data store is unavailable.'),
  internal: define('500.1', 'Something went wrong on our side. The request id identifies it in the logs.'),
} as const satisfies Record<string, ProblemDefinition>;

export type ProblemName = keyof typeof PROBLEMS;

export class Problem extends Error {
  readonly code: string;
  readonly status: number;
  constructor(readonly definition: ProblemDefinition, readonly details: Record<string, unknown> = {}) {
    super(definition.message);
    this.name = 'Problem';
    this.code = definition.code;
    this.status = definition.status;
  }
}

export function problem(name: ProblemName, details: Record<string, unknown> = {}): Problem {
  return new Problem(PROBLEMS[name], details);
}

export function isProblem(value: unknown): value is Problem {
  return value instanceof Problem;
}
