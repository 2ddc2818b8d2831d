import { describe, expect, it } from 'vitest';
import { ageBand, deriveVariables } from '../../../schemas/derived.js';
import { itemsOf } from '../../../schemas/items.js';
import {
  derivedVariables, interviewDateItem, interviewerItems, isKnownVariable, ITEM_ROLES, regionItem, regionOf, respondentKey, surveyDefinition, variableCodes,
} from '../../../schemas/survey-definition.js';
import { questionnaires, SURVEY_IDS } from '../../../schemas/surveys.js';
import { generateResponses } from '../../../schemas/synthetic.js';

describe('survey definition: item roles read from x-csi-role', () => {
  it.each([
    ['population', 'ps_region', ['ps_interviewer_id'], 'ps_respondent_id', 'ps_interview_date'],
    ['organisational', 'os_region', [], 'os_org_id', null],
    ['external', 'es_region', [], 'es_expert_id', null],
  ] as const)('%s: region %s, interviewers %j, respondent key %s, interview date %s', (survey, region, interviewers, key, date) => {
    expect(regionItem(survey)).toBe(region);
    expect(interviewerItems(survey)).toEqual(interviewers);
    expect(respondentKey(survey)).toBe(key);
    expect(interviewDateItem(survey)).toBe(date);
  });

  it('uses only known roles, and each survey\'s region is a choice item with the regions as codes', () => {
    for (const survey of SURVEY_IDS) {
      for (const [id, node] of Object.entries(questionnaires[survey].properties)) {
        if (node['x-csi-role'] !== undefined) expect(ITEM_ROLES, `${survey}.${id}`).toContain(node['x-csi-role']);
      }
      expect(variableCodes(survey, regionItem(survey))).toContain('akmola');
    }
  });

  it('places answers in their survey\'s region only', () => {
    expect(regionOf('population', { ps_region: 'akmola' })).toBe('akmola');
    expect(regionOf('organisational', { os_region: 'astana_city' })).toBe('astana_city');
    // Another survey's region item is just an unknown answer here.
    expect(regionOf('external', { ps_region: 'akmola' })).toBeNull();
    expect(regionOf('population', {})).toBeNull();
  });
});

describe('survey definition: derived variables', () => {
  it('declares the population survey\'s derived variables with their codes and export codes', () => {
    const derived = derivedVariables('population');
    expect(derived.map((d) => d.id)).toEqual(['ps_age_band', 'ps_ses_group']);
    expect(derived[0]).toMatchObject({ codes: ['18_25', '26_35', '36_45', '46_55', '56_60', '61_plus'], measure: 'ordinal' });
    expect(derived[1]?.numericCodes).toEqual({ low: 1, middle: 2, high: 3 });
    expect(derivedVariables('organisational')).toEqual([]);
    expect(surveyDefinition('external').derived).toEqual([]);
  });

  it('declares exactly the codes schemas/derived.ts computes: every age band is reached, nothing else is produced', () => {
    const bands = new Set(Array.from({ length: 93 }, (_, i) => ageBand(18 + i)));
    expect([...bands].sort()).toEqual([...(variableCodes('population', 'ps_age_band') ?? [])].sort());
    for (const survey of SURVEY_IDS) {
      const declared = new Map(derivedVariables(survey).map((d) => [d.id, d.codes]));
      for (const answers of generateResponses(survey, 300, { seed: 5 })) {
        for (const [id, value] of Object.entries(deriveVariables(survey, answers))) {
          expect(declared.get(id), `${survey}: ${id}`).toContain(value);
        }
      }
    }
  });

  it('knows items and derived variables as quota and margin variables, and their codes', () => {
    expect(isKnownVariable('population', 'ps_age_band')).toBe(true);
    expect(isKnownVariable('population', 'ps_gender')).toBe(true);
    expect(isKnownVariable('organisational', 'ps_age_band')).toBe(false);
    expect(variableCodes('population', 'ps_gender')).toEqual(['male', 'female']);
    expect(variableCodes('population', 'ps_age_years')).toBeNull();
    expect(variableCodes('population', 'nothing')).toBeNull();
    // Every choice item's codes, as the item describes them.
    for (const item of itemsOf('population').filter((i) => i.kind === 'choice')) expect(variableCodes('population', item.id)).toEqual(item.codes.map(String));
  });
});
