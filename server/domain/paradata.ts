/**
 * Paradata as rows: one per response and section, with the seconds the form recorded on that section (the form
 * adds up the time each page was open, `meta.sectionDurations`), its share of the timed total, and the response's
 * interview length (the same definition fieldwork monitoring uses for speeders), language and device. Sections
 * come in questionnaire order; a section id the questionnaire does not know (an older form) follows, unnumbered.
 * A response the form did not time (imported, keyed in) still gets one row, with the section columns empty, so
 * every response is listed.
 */
import type { SubmissionMeta } from '../../schemas/api.js';
import { bundles, type Language } from '../../schemas/labels.js';
import { questionnaires, type SurveyId } from '../../schemas/surveys.js';
import { interviewSeconds } from './quotas/quality.js';

export const PARADATA_COLUMNS = [
  'id', 'status', 'region', 'interviewer', 'questionnaire_version', 'form_version', 'app_version', 'source', 'language', 'device',
  'started_at', 'completed_at', 'received_at', 'interview_seconds', 'section_number', 'section', 'section_title', 'section_seconds', 'section_share',
] as const;

export interface ParadataResponse {
  id: string;
  survey: SurveyId;
  status: string;
  region: string | null;
  interviewer: string | null;
  questionnaireVersion: string;
  receivedAt: string;
  meta: SubmissionMeta;
}

interface SectionTime {
  number: number | null;
  id: string;
  seconds: number;
}

function sectionTimes(survey: SurveyId, durations: Record<string, number>): SectionTime[] {
  const order = questionnaires[survey]['x-csi-sections'].map((s) => s.id);
  const known = order.flatMap((id, k) => (durations[id] === undefined ? [] : [{ number: k + 1, id, seconds: durations[id] }]));
  const unknown = Object.keys(durations).filter((id) => !order.includes(id)).map((id) => ({ number: null, id, seconds: durations[id] as number }));
  return [...known, ...unknown];
}

/** The rows of one response, cells in PARADATA_COLUMNS order; blanks are null. */
export function paradataRows(r: ParadataResponse, lang: Language): unknown[][] {
  const m = r.meta;
  const head = [
    r.id, r.status, r.region, r.interviewer, r.questionnaireVersion, m.formVersion, m.appVersion ?? null, m.source ?? null, m.language, m.device ?? null,
    m.startedAt, m.completedAt, r.receivedAt, interviewSeconds(m),
  ];
  const sections = sectionTimes(r.survey, m.sectionDurations ?? {});
  if (sections.length === 0) return [[...head, null, null, null, null, null]];
  const total = sections.reduce((sum, s) => sum + s.seconds, 0);
  const titles = bundles[lang].surveys[r.survey].sections;
  return sections.map((s) => [...head, s.number, s.id, titles[s.id] ?? null, s.seconds, total > 0 ? s.seconds / total : null]);
}
