/**
 * A flat, resolved description of every item of a questionnaire, read off the schema: what kind of answer it
 * takes, its codes, range, grid, section and the indicators it feeds. The form, the codebook and the synthetic
 * generator all read items through this one place rather than walking the schema themselves.
 */
import { NUMBER_SPECIAL_CODES, SPECIAL_ANSWERS } from './keywords.js';
import { questionnaireVersion, type QuestionnaireSchema, type SchemaObject, type SurveyId } from './surveys.js';
import { requireQuestionnaire, unionItemIds, versionsOf } from './versions.js';

export type ItemKind = 'choice' | 'integer' | 'number' | 'text' | 'date';
export type Code = string | number | boolean;

export interface Item {
  id: string;
  survey: SurveyId;
  kind: ItemKind;
  /** Substantive answer codes of a choice item, in questionnaire order (special answers excluded). */
  codes: Code[];
  /** Whether don't-know and refused are accepted. */
  special: boolean;
  /** Label set the codes are labelled from: a `$defs` name shared across items, or the item id. */
  optionSet: string;
  /** Numeric export codes of each answer code (choice items), or of don't know and refused (number items). */
  numericCodes: Record<string, number>;
  /** Measurement level for analysis files: ordered codes are ordinal, other choices nominal, numbers scale. */
  measure: 'nominal' | 'ordinal' | 'scale';
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  grid?: string;
  system: boolean;
  /** Asked of everyone (no skip rule can remove it) and required. */
  alwaysRequired: boolean;
  section?: string;
  feeds: string[];
  messages: Record<string, string>;
}

function resolveRef(schema: QuestionnaireSchema, node: SchemaObject): { node: SchemaObject; defName?: string } {
  if (!node.$ref) return { node };
  const match = /^#\/\$defs\/([\w-]+)$/.exec(node.$ref);
  const target = match?.[1] !== undefined ? schema.$defs[match[1]] : undefined;
  if (!match?.[1] || !target) throw new Error(`${schema.$id}: unresolvable $ref ${node.$ref}`);
  return { node: { ...target, ...node, $ref: undefined }, defName: match[1] };
}

/** A number item that also takes the special answers is written as `if string then enum else number`. */
function numericBranch(node: SchemaObject): SchemaObject | null {
  if (typeof node.if === 'object' && node.if.type === 'string' && typeof node.else === 'object') return node.else;
  return null;
}

function kindOf(node: SchemaObject): ItemKind {
  if (node.enum) return 'choice';
  if (node.type === 'integer') return 'integer';
  if (node.type === 'number') return 'number';
  if (node.format === 'date') return 'date';
  return 'text';
}

function describe(schema: QuestionnaireSchema, id: string, raw: SchemaObject, sectionOf: Map<string, string>): Item {
  const { node, defName } = resolveRef(schema, raw);
  const numeric = numericBranch(node);
  const value = numeric ?? node;
  const kind = kindOf(value);
  const codes = (value.enum ?? []).filter((c) => !(SPECIAL_ANSWERS as readonly unknown[]).includes(c)) as Code[];
  const special = numeric !== null || (value.enum ?? []).some((c) => (SPECIAL_ANSWERS as readonly unknown[]).includes(c));
  return {
    id,
    survey: schema['x-csi-survey'],
    kind,
    codes,
    special,
    optionSet: defName ?? id,
    numericCodes: value['x-csi-codes'] ?? (numeric !== null ? { ...NUMBER_SPECIAL_CODES } : {}),
    measure: kind === 'choice' ? (value['x-csi-measure'] === 'ordinal' ? 'ordinal' : 'nominal') : kind === 'text' || kind === 'date' ? 'nominal' : 'scale',
    minimum: value.minimum,
    maximum: value.maximum,
    maxLength: value.maxLength,
    grid: node['x-csi-grid'],
    system: node['x-csi-system'] === true,
    alwaysRequired: schema.required.includes(id),
    section: sectionOf.get(id),
    feeds: node['x-csi-feeds'] ?? [],
    messages: node['x-csi-messages'] ?? {},
  };
}

const cache = new Map<string, Item[]>();

/** Every item of a survey's version (the current one unless named), in schema order (which is questionnaire order). */
export function itemsOf(survey: SurveyId, version: string = questionnaireVersion(survey)): Item[] {
  const key = `${survey}@${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const schema = requireQuestionnaire(survey, version);
  const sectionOf = new Map<string, string>();
  for (const section of schema['x-csi-sections']) for (const id of section.items) sectionOf.set(id, section.id);
  const items = Object.entries(schema.properties).map(([id, node]) => describe(schema, id, node, sectionOf));
  cache.set(key, items);
  return items;
}

/**
 * Every item any version of a survey asks (the columns of an export across versions), each described as the newest
 * version that asks it describes it.
 */
export function unionItemsOf(survey: SurveyId): Item[] {
  const newestFirst = [...versionsOf(survey)].reverse().map((v) => itemsOf(survey, v.version));
  return unionItemIds(survey).map((id) => newestFirst.flatMap((items) => items.filter((i) => i.id === id))[0] as Item);
}

export function itemById(survey: SurveyId, id: string, version?: string): Item | undefined {
  return itemsOf(survey, version).find((i) => i.id === id);
}
