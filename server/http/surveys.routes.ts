/** The questionnaires as the API publishes them: a list, and each schema with its labels when asked. */
import { Router } from 'express';
import { bundles, isLanguage } from '../../schemas/labels.js';
import { questionnaires, SURVEY_IDS } from '../../schemas/surveys.js';
import { problem } from '../domain/problems.js';
import { guardedRoutes, noQuery, type Limits } from './auth.js';
import { requireSurvey } from '../services/responses.service.js';

export function surveysRoutes(limits: Limits): Router {
  const router = Router();
  const route = guardedRoutes(router, '/api/v1', limits);

  route('GET', '/surveys', noQuery, (_req, res) => {
    res.json({
      items: SURVEY_IDS.map((id) => ({
        id,
        version: questionnaires[id]['x-csi-version'],
        schemaId: questionnaires[id].$id,
        title: bundles.en.surveys[id].title,
      })),
    });
  });

  route('GET', '/surveys/:survey/schema', (req, res) => {
    const survey = requireSurvey(req.params.survey as string);
    const { lang, ...unknown } = req.query;
    if (Object.keys(unknown).length > 0) {
      throw problem('invalidQuery', { errors: Object.keys(unknown).map((k) => ({ path: `/${k}`, item: null, keyword: 'additionalProperties', message: 'unknown parameter' })) });
    }
    if (lang === undefined) {
      res.json(questionnaires[survey]);
      return;
    }
    if (!isLanguage(lang)) {
      throw problem('invalidQuery', { errors: [{ path: '/lang', item: null, keyword: 'enum', message: 'must be one of en, ru, kk' }] });
    }
    res.json({ schema: questionnaires[survey], labels: { language: lang, common: bundles[lang].common, survey: bundles[lang].surveys[survey] } });
  });

  return router;
}
