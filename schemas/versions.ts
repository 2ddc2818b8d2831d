/**
 * Questionnaire versions, the small API services and the form call (issue 20): which versions a survey has, which
 * is current, which the server accepts, and how an answer given in one version reads in the current one.
 *
 * Responses keep the version they were collected with and are validated and corrected against it. Readers that
 * compare responses across versions (tallies, indicators, quotas, weighting, exports) read each through
 * `mapToCurrent`: by item id, with removed codes recoded by the declared mappings. An item a version did not ask is
 * missing by design for its responses (`absentItems`), never a zero.
 */
import { questionnaireVersions, type QuestionnaireSchema, type QuestionnaireVersion, type SurveyId, type VersionMapping } from './surveys.js';

export type { QuestionnaireVersion, VersionMapping, VersionStatus } from './surveys.js';

/** Every version of a survey, oldest first. */
export function versionsOf(survey: SurveyId): readonly QuestionnaireVersion[] {
  return questionnaireVersions[survey].versions;
}

/** The version new interviews use, as shipped (a server may hold a newer one back: see `versionPolicy`). */
export function currentVersion(survey: SurveyId): string {
  return questionnaireVersions[survey].current;
}

/** The versions the server accepts new responses in, oldest first. */
export function activeVersions(survey: SurveyId): string[] {
  return versionsOf(survey).filter((v) => v.status === 'active').map((v) => v.version);
}

/** The published versions (not drafts): those whose files may never change. */
export function publishedVersions(survey: SurveyId): string[] {
  return versionsOf(survey).filter((v) => v.status !== 'draft').map((v) => v.version);
}

/** One version's questionnaire, or null for a version the survey never had. */
export function questionnaireFor(survey: SurveyId, version: string = currentVersion(survey)): QuestionnaireSchema | null {
  return versionsOf(survey).find((v) => v.version === version)?.schema ?? null;
}

/** Like questionnaireFor, for callers holding a version that must exist (stored responses, the form's own drafts). */
export function requireQuestionnaire(survey: SurveyId, version: string = currentVersion(survey)): QuestionnaireSchema {
  const schema = questionnaireFor(survey, version);
  if (!schema) throw new Error(`${survey} has no questionnaire version ${version}`);
  return schema;
}

/**
 * What a server offers and accepts: the current version and the active ones. A deployment may pin an older current
 * version (`CSI_PIN_VERSIONS=population@1.0.0`: a new version is shipped but not yet in use, say until the
 * interviewers are trained); versions after the pin are then neither current nor accepted.
 */
export interface VersionPolicy {
  current: string;
  active: string[];
}

export function versionPolicy(survey: SurveyId, pinned?: string): VersionPolicy {
  if (pinned === undefined) return { current: currentVersion(survey), active: activeVersions(survey) };
  const all = versionsOf(survey);
  const at = all.findIndex((v) => v.version === pinned);
  if (at < 0 || all[at]?.status !== 'active') throw new Error(`${survey} has no active version ${pinned} to pin (active: ${activeVersions(survey).join(', ')})`);
  return { current: pinned, active: all.slice(0, at + 1).filter((v) => v.status === 'active').map((v) => v.version) };
}

/** Item ids of a version, in questionnaire order. */
export function itemIdsOf(survey: SurveyId, version: string): string[] {
  return Object.keys(requireQuestionnaire(survey, version).properties);
}

/**
 * Every item id any version asked, in the current version's order, then the items only older versions had (newest
 * removal first): the columns of an export across versions.
 */
export function unionItemIds(survey: SurveyId): string[] {
  const ids = itemIdsOf(survey, currentVersion(survey));
  const seen = new Set(ids);
  for (const v of [...versionsOf(survey)].reverse()) {
    for (const id of Object.keys(v.schema.properties)) if (!seen.has(id)) { seen.add(id); ids.push(id); }
  }
  return ids;
}

const absent = new Map<string, ReadonlySet<string>>();
const NONE: ReadonlySet<string> = new Set();

/**
 * Items of the current version that `version` did not ask: missing by design for its responses. Called once per
 * response by the readers, so computed once per version. A version this code does not know (a store written by a
 * newer release) lacks nothing that can be told.
 */
export function absentItems(survey: SurveyId, version: string): ReadonlySet<string> {
  const key = `${survey}@${version}`;
  let hit = absent.get(key);
  if (!hit) {
    const schema = questionnaireFor(survey, version);
    hit = schema ? new Set(itemIdsOf(survey, currentVersion(survey)).filter((id) => !(id in schema.properties))) : NONE;
    absent.set(key, hit);
  }
  return hit;
}

/**
 * Answers given in `version`, read in the current version: each later version's mapping applied in turn. A mapped
 * code replaces the answer (null drops it: no equivalent); an item removed keeps its answer under its own id (exports
 * still show it; a current-version reader never asks for it). Answers already in the current version come back as
 * they are (the same object).
 */
export function mapToCurrent(survey: SurveyId, version: string, answers: Record<string, unknown>): Record<string, unknown> {
  const all = versionsOf(survey);
  const from = all.findIndex((v) => v.version === version);
  // A version this code does not know (written by a newer release) has no mapping to apply: read as it is.
  if (from < 0) return answers;
  const to = all.findIndex((v) => v.version === currentVersion(survey));
  return applyMappings(all.slice(from + 1, to + 1).map((v) => v.mapping?.items ?? {}), answers);
}

/** The mappings of successive versions applied in turn (see mapToCurrent); the same object when none applies. */
export function applyMappings(steps: ReadonlyArray<VersionMapping['items']>, answers: Record<string, unknown>): Record<string, unknown> {
  let out = answers;
  for (const items of steps) {
    for (const [id, codes] of Object.entries(items)) {
      if (codes === null || !(id in out)) continue;
      const key = String(out[id]);
      if (!(key in codes)) continue;
      if (out === answers) out = { ...answers };
      const mapped = codes[key];
      if (mapped === null || mapped === undefined) delete out[id];
      else out[id] = mapped;
    }
  }
  return out;
}
