/**
 * The questionnaires as the API publishes them: a list (with each survey's versions, the current one and those
 * accepted for new responses: what a tablet checks when online), and each version's schema with its labels.
 */
import { Router } from 'express';
import { bundles, isLanguage, surveyBundle } from '../../schemas/labels.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import { questionnaireFor, versionsOf, type VersionPolicy } from '../../schemas/versions.js';
import { problem } from '../domain/problems.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { requireSurvey } from '../services/responses.service.js';

export function surveysRoutes(limits: Limits, policy: Readonly<Record<SurveyId, VersionPolicy>>): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);

  route('GET', '/surveys', noQuery, (_req, res) => {
    res.json({
      items: SURVEY_IDS.map((id) => {
        const { current, active } = policy[id];
        return {
          id,
          version: current,
          schemaId: questionnaireFor(id, current)?.$id,
          title: bundles.en.surveys[id].title,
          active,
          versions: versionsOf(id).filter((v) => v.status !== 'draft').map((v) => ({ version: v.version, status: v.status, accepted: active.includes(v.version) })),
        };
      }),
    });
  });

  route('GET', '/surveys/:survey/schema', (req, res) => {
    const survey = requireSurvey(req.params.survey as string);
    const { lang, version: asked, ...unknown } = req.query;
    if (Object.keys(unknown).length > 0) {
      throw problem('invalidQuery', { errors: Object.keys(unknown).map((k) => ({ path: `/${k}`, item: null, keyword: 'additionalProperties', message: 'unknown parameter' })) });
    }
    const published = versionsOf(survey).filter((v) => v.status !== 'draft').map((v) => v.version);
    const version = asked === undefined ? policy[survey].current : asked;
    if (typeof version !== 'string' || !published.includes(version)) {
      throw problem('invalidQuery', { errors: [{ path: '/version', item: null, keyword: 'enum', message: `must be a published version of ${survey}: ${published.join(', ')}`, allowedValues: published }] });
    }
    const schema = questionnaireFor(survey, version);
    if (lang === undefined) {
      res.json(schema);
      return;
    }
    if (!isLanguage(lang)) {
      throw problem('invalidQuery', { errors: [{ path: '/lang', item: null, keyword: 'enum', message: 'must be one of en, ru, kk' }] });
    }
    res.json({ schema, labels: { language: lang, common: bundles[lang].common, survey: surveyBundle(lang, survey, version) } });
  });

  return router;
}
