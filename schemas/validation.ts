/**
 * A validator of one questionnaire's answers, whichever engine compiled it (ajv at boot on the server, or the
 * standalone modules in schemas/generated for the browser): same input, same `{valid, errors}`.
 */
import type { Language } from './labels.js';
import type { SurveyId } from './surveys.js';
import { toValidationErrors, type RawError, type ValidationError } from './validation-errors.js';

export type RawValidate = ((data: unknown) => boolean) & { errors?: RawError[] | null };

export interface ValidationResult {
  valid: boolean;
  errors: ValidationError[];
}

export type Validator = (answers: unknown, lang?: Language) => ValidationResult;

const VALID: ValidationResult = Object.freeze({ valid: true, errors: [] }) as ValidationResult;

export function toValidator(survey: SurveyId, raw: RawValidate): Validator {
  return (answers, lang = 'en') => {
    if (raw(answers)) return VALID;
    return { valid: false, errors: toValidationErrors(raw.errors, survey, lang) };
  };
}
