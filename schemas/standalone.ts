/**
 * The standalone validators (generated, no ajv runtime): what the browser form validates with. The server may use
 * them too; tests hold them to the same results as the ajv-compiled ones.
 */
import external from './generated/external.validate.js';
import organisational from './generated/organisational.validate.js';
import population from './generated/population.validate.js';
import type { SurveyId } from './surveys.js';
import { toValidator, type Validator } from './validation.js';

export const standaloneValidators: Readonly<Record<SurveyId, Validator>> = {
  population: toValidator('population', population),
  organisational: toValidator('organisational', organisational),
  external: toValidator('external', external),
};
