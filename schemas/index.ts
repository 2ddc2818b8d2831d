/**
 * The one import point for schemas, types and validators. Browser code imports the same names; only
 * `compileValidators` (ajv) is server-side, and bundlers drop it when unused.
 */
export { SURVEY_IDS, questionnaires, questionnaireVersion, isSurveyId } from './surveys.js';
export type { SurveyId, QuestionnaireSchema, Section, SchemaObject, JsonSchema } from './surveys.js';
export { itemsOf, itemById } from './items.js';
export type { Item, ItemKind, Code } from './items.js';
export { surveyDefinition, regionItem, interviewerItems, respondentKey, interviewDateItem, derivedVariables, derivedVariable, regionOf, variableCodes, isKnownVariable, ITEM_ROLES } from './survey-definition.js';
export type { SurveyDefinition, DerivedVariable, ItemRole } from './survey-definition.js';
export { LANGUAGES, bundles, isLanguage, optionLabel, fill } from './labels.js';
export type { Language, Bundles, SurveyBundle, CommonBundle } from './labels.js';
export { itemStates, matches, withoutIrrelevant } from './conditions.js';
export type { Answers, ItemState } from './conditions.js';
export { derivePopulation, deriveVariables, ageBand, sesGroup } from './derived.js';
export type { AgeBand, SesGroup, PopulationDerived } from './derived.js';
export { toValidationErrors } from './validation-errors.js';
export type { ValidationError, RawError } from './validation-errors.js';
export { toValidator } from './validation.js';
export type { Validator, ValidationResult } from './validation.js';
export { standaloneValidators } from './standalone.js';
export { compileValidators } from './ajv.js';
export { SPECIAL_ANSWERS, isSpecialAnswer } from './keywords.js';
export { normalizeText, nfc } from './text.js';
export { isText, isLongText } from './formats.js';
export { SyntheticGenerator, generateResponses, KAZAKHSTAN_SAMPLE_MIX } from './synthetic.js';
export type { SyntheticOptions } from './synthetic.js';
export type { PopulationAnswers } from './generated/population.types.js';
export type { OrganisationalAnswers } from './generated/organisational.types.js';
export type { ExternalAnswers } from './generated/external.types.js';
