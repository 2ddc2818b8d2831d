/** The interviewer app's entry point (bundled per survey by server/http/pages.routes.ts). */
import type { RawValidate } from '../../schemas/validation.js';
import type { SurveyId } from '../../schemas/surveys.js';

export function startFormApp(survey: SurveyId, _validate: RawValidate): void {
  const root = document.getElementById('app');
  if (root) root.textContent = survey;
}
