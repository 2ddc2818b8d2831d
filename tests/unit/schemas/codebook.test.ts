import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { codebookRows, renderCodebookCsv, renderCodebookMarkdown, skipConditionOf } from '../../../scripts/codebook.js';
import { itemsOf } from '../../../schemas/items.js';
import { SURVEY_IDS } from '../../../schemas/surveys.js';

describe('codebook', () => {
  const rows = codebookRows();

  it('has one row per item, with questions in the three languages', () => {
    expect(rows.map((r) => r.item)).toEqual(SURVEY_IDS.flatMap((s) => itemsOf(s).map((i) => i.id)));
    for (const r of rows) for (const q of [r.question_en, r.question_ru, r.question_kk]) expect(q, r.item).not.toBe('');
  });

  it('describes skip conditions in words', () => {
    expect(skipConditionOf('organisational', 'os_violent_forces_description')).toBe('asked only if os_violent_forces_exist = true');
    expect(skipConditionOf('external', 'es_policy_outcome_2')).toBe('asked only if es_policy_issue_2 answered');
    expect(skipConditionOf('population', 'ps_problem_second')).toBe('must differ from ps_problem_first');
    expect(skipConditionOf('population', 'ps_region')).toBe('');
  });

  it('lists codes with their export numbers and labels, and the indicators fed', () => {
    const row = rows.find((r) => r.item === 'os_decision_maker');
    expect(row?.codes).toContain('elected_board (2) = Elected board');
    expect(row?.codes).toContain('ref (99) = Refused');
    expect(row?.feeds).toBe('3.1.1');
  });

  it('renders CSV that reads back to the same rows, formula-escaped', () => {
    const back = parse(renderCodebookCsv(rows), { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(back).toHaveLength(rows.length);
    expect(back[0]?.item).toBe(rows[0]?.item);
    expect(renderCodebookMarkdown(rows)).toContain('| `ps_member_religious` |');
  });
});
