/**
 * The three questionnaires, every version of each, and the shapes of their schema documents. The JSON files are the
 * source of truth (`questionnaires/<survey>/<version>.schema.json`, listed in `questionnaires/versions.json`); this
 * module only gives them a type and a name. `questionnaires` is each survey's current version, what every reader
 * that does not name a version gets; versions.ts is the API for the others.
 */
import population100 from './questionnaires/population/1.0.0.schema.json' with { type: 'json' };
import population110 from './questionnaires/population/1.1.0.schema.json' with { type: 'json' };
import population110Mapping from './questionnaires/population/1.1.0.mapping.json' with { type: 'json' };
import organisational100 from './questionnaires/organisational/1.0.0.schema.json' with { type: 'json' };
import external100 from './questionnaires/external/1.0.0.schema.json' with { type: 'json' };
import registry from './questionnaires/versions.json' with { type: 'json' };

export const SURVEY_IDS = ['population', 'organisational', 'external'] as const;
export type SurveyId = (typeof SURVEY_IDS)[number];

export type JsonSchema = boolean | SchemaObject;

export interface SchemaObject {
  $ref?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  not?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  'x-csi-feeds'?: string[];
  'x-csi-grid'?: string;
  'x-csi-system'?: boolean;
  'x-csi-messages'?: Record<string, string>;
  'x-csi-codes'?: Record<string, number>;
  'x-csi-measure'?: 'ordinal';
  'x-csi-role'?: string;
}

export interface Section {
  id: string;
  items: string[];
}

/** A conditional (skip) rule: when `if` matches the answers, `then` applies, otherwise `else`. */
export interface ConditionalRule {
  if: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
}

export interface QuestionnaireSchema extends SchemaObject {
  $schema: string;
  $id: string;
  title: string;
  'x-csi-survey': SurveyId;
  'x-csi-version': string;
  'x-csi-sections': Section[];
  properties: Record<string, SchemaObject>;
  required: string[];
  allOf: ConditionalRule[];
  $defs: Record<string, SchemaObject>;
}

export type VersionStatus = 'active' | 'retired' | 'draft';

/**
 * How answers given in the version before read in this one: per item, old value -> new value (null: no equivalent,
 * missing), or null for an item removed. Only items whose codes were removed or whose type changed appear.
 */
export interface VersionMapping {
  from: string;
  items: Record<string, Record<string, string | number | boolean | null> | null>;
}

export interface QuestionnaireVersion {
  version: string;
  status: VersionStatus;
  schema: QuestionnaireSchema;
  /** From the version before; absent on the first. */
  mapping?: VersionMapping;
}

/** The files of each version; versions.json says which exist, in which order, and in which state. */
const FILES: Record<SurveyId, Record<string, { schema: unknown; mapping?: unknown }>> = {
  population: { '1.0.0': { schema: population100 }, '1.1.0': { schema: population110, mapping: population110Mapping } },
  organisational: { '1.0.0': { schema: organisational100 } },
  external: { '1.0.0': { schema: external100 } },
};

interface Registry {
  current: string;
  versions: Array<{ version: string; status: VersionStatus }>;
}

/** The registry read and checked once: a mismatch between it and the files is a programming error, thrown at boot. */
function loadVersions(survey: SurveyId): { current: string; versions: QuestionnaireVersion[] } {
  const entry = (registry as unknown as Record<SurveyId, Registry>)[survey];
  const files = FILES[survey];
  const versions = entry.versions.map(({ version, status }, i): QuestionnaireVersion => {
    const file = files[version];
    if (!file) throw new Error(`questionnaires/versions.json lists ${survey} ${version}, which has no schema file`);
    const schema = file.schema as QuestionnaireSchema;
    // A form bundle replaces the other surveys' files by empty objects (server/http/browser-bundles.ts): never read.
    if (Object.keys(schema).length === 0) return { version, status, schema };
    if (schema['x-csi-version'] !== version || !schema.$id.endsWith(`/${survey}/${version}`)) {
      throw new Error(`${survey}/${version}.schema.json declares version ${schema['x-csi-version']} (${schema.$id})`);
    }
    const mapping = file.mapping as VersionMapping | undefined;
    const previous = entry.versions[i - 1]?.version;
    if (previous !== undefined && mapping?.from !== previous) {
      throw new Error(`${survey} ${version} needs ${version}.mapping.json from ${previous} (an empty one when nothing needs mapping)`);
    }
    return { version, status, schema, ...(mapping ? { mapping } : {}) };
  });
  if (Object.keys(files).length !== versions.length) throw new Error(`${survey}: a schema file is missing from questionnaires/versions.json`);
  if (versions.find((v) => v.version === entry.current)?.status !== 'active') throw new Error(`${survey}: current version ${entry.current} is not an active version`);
  return { current: entry.current, versions };
}

/** Every version of each survey, oldest first, with its current one. */
export const questionnaireVersions: Readonly<Record<SurveyId, { current: string; versions: readonly QuestionnaireVersion[] }>> = {
  population: loadVersions('population'),
  organisational: loadVersions('organisational'),
  external: loadVersions('external'),
};

const currentSchema = (survey: SurveyId): QuestionnaireSchema => {
  const { current, versions } = questionnaireVersions[survey];
  return (versions.find((v) => v.version === current) as QuestionnaireVersion).schema;
};

/** Each survey's current version. */
export const questionnaires: Readonly<Record<SurveyId, QuestionnaireSchema>> = {
  population: currentSchema('population'),
  organisational: currentSchema('organisational'),
  external: currentSchema('external'),
};

export function isSurveyId(value: unknown): value is SurveyId {
  return typeof value === 'string' && (SURVEY_IDS as readonly string[]).includes(value);
}

/** The current version of a questionnaire: what new interviews use. */
export function questionnaireVersion(survey: SurveyId): string {
  return questionnaireVersions[survey].current;
}
