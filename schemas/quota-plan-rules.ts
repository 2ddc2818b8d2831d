/**
 * The rules a quota plan is checked against, JSON or CSV: every error of a refused plan names the one it broke as
 * its `keyword`, with the values it is about as `params`. The server's `message` is English for whoever reads the
 * API; pages word the rule in the reader's language from the keyword and params (forms/dashboard/settings.texts.ts).
 *
 * Params by rule (all strings or numbers): `column` (a CSV header), `value` (a target as written), `categories` and
 * `variables` (counts), `line` (an earlier CSV line), `quota` (a quota id), `status`, `variable`, `category`, `code`
 * (an answer code), `extra` (variables, comma-separated).
 */
export const QUOTA_PLAN_RULES = [
  // The CSV file
  'csvUnreadable',
  'csvEmpty',
  'csvNoCells',
  'csvMissingColumn',
  'csvUnknownColumn',
  'csvNoVariable',
  'csvCategoryCount',
  'csvTarget',
  'csvQuotaVariables',
  'csvDuplicateCell',
  // The plan
  'policy',
  'version',
  'unknownStatus',
  'statusNeverCounts',
  'countingPolicy',
  'quotaIdTwice',
  'noVariables',
  'variableTwice',
  'unknownVariable',
  'collapseNotVariable',
  'collapseNoCodes',
  'collapseUnknownCode',
  'collapseEmpty',
  'target',
  'extraCategories',
  'noCategory',
  'unknownCategory',
  'noCells',
  'duplicateCell',
] as const;

export type QuotaPlanRule = (typeof QUOTA_PLAN_RULES)[number];

export type RuleParams = Record<string, string | number>;

export function isQuotaPlanRule(keyword: string): keyword is QuotaPlanRule {
  return (QUOTA_PLAN_RULES as readonly string[]).includes(keyword);
}
