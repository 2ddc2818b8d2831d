/**
 * Command-line options that take one of a few values. The values are those the API's query schema lists for the
 * same parameter (schemas/api/), so the CLI and the API accept the same formats, languages and statuses; the CLI
 * reads them from there rather than keeping its own lists, and hands services typed values, never a query string.
 */
import type { ApiSchema } from '../../schemas/api.js';

type Fail = (message: string) => never;

export function allowedValues(schema: ApiSchema, param: string): string[] {
  return (schema.properties?.[param] as { enum?: unknown[] } | undefined)?.enum?.map(String) ?? [];
}

/** The option's value if the schema's parameter allows it; otherwise the command fails naming the values allowed. */
export function choice<T extends string>(fail: Fail, option: string, value: string | undefined, schema: ApiSchema, param = option): T | undefined {
  if (value === undefined) return undefined;
  const allowed = allowedValues(schema, param);
  if (!allowed.includes(value)) fail(`--${option} must be one of ${allowed.join(', ')} (not "${value}")`);
  return value as T;
}
