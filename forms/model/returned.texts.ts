/**
 * What the interviewer's home says about interviews a coordinator sent back, in the three languages (kept apart
 * from the label bundles so that this change merges cleanly). Working translations, not yet reviewed by a native
 * speaker.
 */
import { fill, type Language } from '../../schemas/labels.js';

const EN = {
  returned_title: 'Returned to you for fixing',
  returned_entry: 'Interview of {time}',
  returned_comment: 'Coordinator: {comment}',
  returned_no_comment: 'The coordinator left no comment.',
  returned_fix: 'Fix and send again',
  returned_fixing: 'Fixing a returned interview: change what the coordinator asked, then send it again from the review page.',
  rejected_title: 'Rejected',
  rejected_reason: 'Reason: {reason}',
  rejected_read_only: 'Rejected interviews cannot be changed or sent again.',
};

export type ReturnedTextKey = keyof typeof EN;

const RU: Record<ReturnedTextKey, string> = {
  returned_title: 'Возвращены вам на исправление',
  returned_entry: 'Интервью от {time}',
  returned_comment: 'Координатор: {comment}',
  returned_no_comment: 'Координатор не оставил комментария.',
  returned_fix: 'Исправить и отправить снова',
  returned_fixing: 'Исправление возвращённого интервью: измените то, что просил координатор, и отправьте снова со страницы проверки.',
  rejected_title: 'Отклонены',
  rejected_reason: 'Причина: {reason}',
  rejected_read_only: 'Отклонённые интервью нельзя изменить или отправить снова.',
};

const KK: Record<ReturnedTextKey, string> = {
  returned_title: 'Түзету үшін сізге қайтарылғандар',
  returned_entry: '{time} сұхбаты',
  returned_comment: 'Үйлестіруші: {comment}',
  returned_no_comment: 'Үйлестіруші түсініктеме қалдырмады.',
  returned_fix: 'Түзетіп, қайта жіберу',
  returned_fixing: 'Қайтарылған сұхбатты түзету: үйлестіруші сұрағанды өзгертіп, тексеру бетінен қайта жіберіңіз.',
  rejected_title: 'Қабылданбағандар',
  rejected_reason: 'Себебі: {reason}',
  rejected_read_only: 'Қабылданбаған сұхбаттарды өзгертуге немесе қайта жіберуге болмайды.',
};

export const RETURNED_TEXTS: Record<Language, Record<ReturnedTextKey, string>> = { en: EN, ru: RU, kk: KK };

export function returnedText(lang: Language, key: ReturnedTextKey, params: Record<string, string | number> = {}): string {
  return fill(RETURNED_TEXTS[lang][key], params);
}
