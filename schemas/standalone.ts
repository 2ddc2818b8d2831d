/**
 * The standalone validators (generated, no ajv runtime): what the browser form validates with. The server may use
 * them too; tests hold them to the same results as the ajv-compiled ones. `standaloneValidators` is each survey's
 * current version; `standaloneVersionValidators` every version.
 */
import external, { validators as externalVersions } from './generated/external.validate.js';
import organisational, { validators as organisationalVersions } from './generated/organisational.validate.js';
import population, { validators as populationVersions } from './generated/population.validate.js';
import type { SurveyId } from './surveys.js';
import { toValidator, type RawValidate, type Validator } from './validation.js';

export const standaloneValidators: Readonly<Record<SurveyId, Validator>> = {
  population: toValidator('population', population),
  organisational: toValidator('organisational', organisational),
  external: toValidator('external', external),
};

const byVersion = (survey: SurveyId, raw: Readonly<Record<string, RawValidate>>): Record<string, Validator> =>
  Object.fromEntries(Object.entries(raw).map(([version, validate]) => [version, toValidator(survey, validate)]));

export const standaloneVersionValidators: Readonly<Record<SurveyId, Record<string, Validator>>> = {
  population: byVersion('population', populationVersions),
  organisational: byVersion('organisational', organisationalVersions),
  external: byVersion('external', externalVersions),
};
