/**
 * Variable labels of the export columns that are not questionnaire items (meta, paradata, weight), in the three
 * languages. Items and derived variables are labelled from the questionnaire bundles.
 */
import type { Language } from '../../../schemas/labels.js';

export const META_LABELS: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  id: { en: 'Response id', ru: 'Идентификатор ответа', kk: 'Жауап идентификаторы' },
  status: { en: 'Review status', ru: 'Статус проверки', kk: 'Тексеру мәртебесі' },
  questionnaire_version: { en: 'Questionnaire version', ru: 'Версия анкеты', kk: 'Сауалнама нұсқасы' },
  interviewer: { en: 'Interviewer (user who submitted)', ru: 'Интервьюер (отправивший пользователь)', kk: 'Интервьюер (жіберген пайдаланушы)' },
  received_at: { en: 'Received at (UTC)', ru: 'Получено (UTC)', kk: 'Қабылданған уақыты (UTC)' },
  updated_at: { en: 'Last updated at (UTC)', ru: 'Последнее изменение (UTC)', kk: 'Соңғы өзгеріс (UTC)' },
  revision: { en: 'Revision number', ru: 'Номер редакции', kk: 'Редакция нөмірі' },
  meta_form_version: { en: 'Paradata: form version', ru: 'Параданные: версия формы', kk: 'Парадеректер: форма нұсқасы' },
  meta_app_version: { en: 'Paradata: app version', ru: 'Параданные: версия приложения', kk: 'Парадеректер: қолданба нұсқасы' },
  meta_language: { en: 'Paradata: interface language', ru: 'Параданные: язык интерфейса', kk: 'Парадеректер: интерфейс тілі' },
  meta_device: { en: 'Paradata: device', ru: 'Параданные: устройство', kk: 'Парадеректер: құрылғы' },
  meta_source: { en: 'Paradata: how the response arrived', ru: 'Параданные: способ поступления', kk: 'Парадеректер: жауаптың келу жолы' },
  meta_started_at: { en: 'Paradata: interview started (UTC)', ru: 'Параданные: начало интервью (UTC)', kk: 'Парадеректер: сұхбаттың басталуы (UTC)' },
  meta_completed_at: { en: 'Paradata: interview completed (UTC)', ru: 'Параданные: окончание интервью (UTC)', kk: 'Парадеректер: сұхбаттың аяқталуы (UTC)' },
  meta_duration_seconds: { en: 'Paradata: interview duration (seconds)', ru: 'Параданные: длительность интервью (секунды)', kk: 'Парадеректер: сұхбат ұзақтығы (секунд)' },
  weight: { en: 'Weight raked to the population margins', ru: 'Вес, откалиброванный по структуре населения', kk: 'Халық құрылымына теңестірілген салмақ' },
};
