/** The questionnaires as the API publishes them: a list, and each schema with its labels when asked. */
import { Router } from 'express';
import { bundles, isLanguage } from '../../schemas/labels.js';
import { questionnaires, SURVEY_IDS } from '../../schemas/surveys.js';
import { problem } from '../domain/problems.js';
import { requireSurvey } from '../services/responses.service.js';

export function surveysRoutes(): Router {
  const router = Router();

  router.get('/surveys', (_req, res) => {
    res.json({
      items: SURVEY_IDS.map((id) => ({
        id,
        version: questionnaires[id]['x-csi-version'],
        schemaId: questionnaires[id].$id,
        title: bundles.en.surveys[id].title,
      })),
    });
  });

  router.get('/surveys/:survey/schema', (req, res) => {
    const survey = requireSurvey(req.params.survey);
    const lang = req.query.lang;
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
