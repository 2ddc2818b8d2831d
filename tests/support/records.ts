/** Stored-response records for store-level tests, built the way the ingestion service builds them. */
import { deriveVariables } from '../../schemas/derived.js';
import { regionOf } from '../../schemas/survey-definition.js';
import { questionnaireVersion, type SurveyId } from '../../schemas/surveys.js';
import { SyntheticGenerator } from '../../schemas/synthetic.js';
import { contentHash } from '../../server/domain/canonical.js';
import type { StoredResponse } from '../../server/domain/response.js';

export function makeRecords(survey: SurveyId, count: number, options: { seed?: number; start?: Date; stepMs?: number; interviewers?: string[] } = {}): StoredResponse[] {
  const generator = new SyntheticGenerator(survey, { seed: options.seed ?? 1 });
  const start = (options.start ?? new Date('2009-07-01T00:00:00Z')).getTime();
  const interviewers = options.interviewers ?? ['ainur', 'boris'];
  return Array.from({ length: count }, (_, i) => {
    const s = generator.nextSubmission('api');
    const at = new Date(start + i * (options.stepMs ?? 1000)).toISOString();
    return {
      id: s.id,
      survey,
      questionnaireVersion: questionnaireVersion(survey),
      status: 'submitted',
      answers: s.answers,
      derived: deriveVariables(survey, s.answers),
      meta: s.meta,
      region: regionOf(survey, s.answers),
      interviewer: interviewers[i % interviewers.length] ?? null,
      receivedAt: at,
      updatedAt: at,
      submissionHash: contentHash({ survey, answers: s.answers, meta: s.meta }),
      revision: 1,
      revisions: [{ revision: 1, at, actor: null, action: 'created', status: 'submitted' }],
    };
  });
}
