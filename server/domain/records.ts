/**
 * A response as the analytic engines read it, and the one way a variable's value is read from it: its answer,
 * else its derived variable (age band, SES group: computed at write and stored with the response). Tallies'
 * coded columns (weighting/columns.ts) and the indicators' tables (indicators/records.ts) both read through
 * `variableValue`, so an item and a derived variable mean the same thing to both.
 */
export interface ResponseRecord {
  answers: Record<string, unknown>;
  derived?: Record<string, unknown>;
  /** Items the response's questionnaire version did not have: missing by design, counted apart from blanks. */
  notAsked?: ReadonlySet<string>;
}

export function variableValue(record: ResponseRecord, variable: string): unknown {
  const answer = record.answers[variable];
  return answer !== undefined ? answer : record.derived?.[variable];
}
