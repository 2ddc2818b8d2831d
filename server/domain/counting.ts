/**
 * Which responses count, decided once for every reader: quota progress and status, the fieldwork heat table,
 * tallies, indicators and the weights of exports all ask `counts(status)`, never a status list of their own.
 *
 * A response counts while it stands as an interview of the study: submitted (not reviewed yet), approved, and
 * `has_issues`. A query raised in review is a question to the interviewer, not a verdict: the interview happened
 * and usually survives the query (a typo corrected), so it keeps its quota slot and stays in the estimates until
 * somebody rejects it. Dropping it at the query and taking it back at the answer would reopen a cell that will
 * almost certainly be full again (screening somebody who then cannot be used) and make published shares swing with
 * the review queue. Rejected and withdrawn responses are closed: they never count, and a resubmission never
 * reopens them (domain/response.ts).
 *
 * Fieldwork monitoring is about the interviewers' work, not the sample: it also shows rejected interviews (they
 * were done, and the rejection rate is measured on them) and leaves out only what the interviewer withdrew.
 */
import type { ResponseStatus } from '../../schemas/api.js';

/** The statuses that count, in review order. */
export const COUNTED_STATUSES: readonly ResponseStatus[] = ['submitted', 'approved', 'has_issues'];

const COUNTED: ReadonlySet<ResponseStatus> = new Set(COUNTED_STATUSES);

/** Whether a response in this status counts towards quotas, estimates, indicators and export weights. */
export function counts(status: ResponseStatus): boolean {
  return COUNTED.has(status);
}

/** Whether a response is interviewer work fieldwork monitoring shows: everything but what was withdrawn. */
export function isFieldworkWork(status: ResponseStatus): boolean {
  return status !== 'withdrawn';
}
