// The type generator's pre-pass, and the generated types themselves: these expectTypeOf checks are verified by
// `npm run typecheck`, so a regeneration that widens an item to `unknown` or loses a code fails the check.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { prepareForTypegen } from '../../../scripts/typegen-prepass.js';
import type { ExternalAnswers } from '../../../schemas/generated/external.types.js';
import type { OrganisationalAnswers } from '../../../schemas/generated/organisational.types.js';
import type { PopulationAnswers } from '../../../schemas/generated/population.types.js';

describe('prepareForTypegen', () => {
  it('turns the number-or-special switch into anyOf', () => {
    const out = prepareForTypegen({
      type: 'object',
      properties: { x: { if: { type: 'string' }, then: { enum: ['dk', 'ref'] }, else: { type: 'number', minimum: 0 } } },
    });
    expect(out.properties).toEqual({ x: { anyOf: [{ enum: ['dk', 'ref'] }, { type: 'number', minimum: 0 }] } });
  });

  it('drops skip rules, annotations, derived variables and the fetchable $id', () => {
    const out = prepareForTypegen({
      $id: 'https://example.org/s', 'x-csi-sections': [], allOf: [{ if: {}, then: {} }],
      properties: { a: { enum: [1], 'x-csi-feeds': ['1.1.1'] } }, $defs: { derived: {}, scale: { enum: [1] } },
    });
    expect(out).toEqual({ properties: { a: { enum: [1] } }, $defs: { scale: { enum: [1] } } });
  });
});

describe('generated types', () => {
  it('type population items by their codes, specials included where allowed', () => {
    expectTypeOf<PopulationAnswers['ps_member_religious']>().toEqualTypeOf<'active' | 'inactive' | 'not_member' | 'dk' | 'ref'>();
    expectTypeOf<PopulationAnswers['ps_region']>().toEqualTypeOf<
      'akmola' | 'aktobe' | 'almaty_oblast' | 'atyrau' | 'east_kazakhstan' | 'zhambyl' | 'karaganda' | 'kostanay' | 'kyzylorda' |
      'mangystau' | 'north_kazakhstan' | 'pavlodar' | 'south_kazakhstan' | 'west_kazakhstan' | 'almaty_city' | 'astana_city'>();
    expectTypeOf<PopulationAnswers['ps_justify_accept_bribe']>().toEqualTypeOf<1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 'dk' | 'ref'>();
    expectTypeOf<PopulationAnswers['ps_age_years']>().toEqualTypeOf<number>();
    expectTypeOf<PopulationAnswers['ps_ethnicity_other']>().toEqualTypeOf<string | undefined>();
  });

  it('type organisational numbers that take special answers as number or special', () => {
    expectTypeOf<OrganisationalAnswers['os_income_last_fy']>().toEqualTypeOf<'dk' | 'ref' | number>();
    expectTypeOf<OrganisationalAnswers['os_has_board']>().toEqualTypeOf<true | false | 'dk' | 'ref'>();
    expectTypeOf<OrganisationalAnswers['os_staff_union_pct']>().toEqualTypeOf<'dk' | 'ref' | number | undefined>();
  });

  it('have no index signature: unknown items do not type-check', () => {
    expectTypeOf<keyof ExternalAnswers>().toEqualTypeOf<
      'es_expert_id' | 'es_sector' | 'es_region' | 'es_impact_concern_1' | 'es_impact_concern_2' | 'es_cs_field_1' |
      'es_cs_impact_field_1' | 'es_cs_field_2' | 'es_cs_impact_field_2' | 'es_cs_general_social_impact' | 'es_policy_issue_1' |
      'es_policy_outcome_1' | 'es_policy_issue_2' | 'es_policy_outcome_2' | 'es_policy_issue_3' | 'es_policy_outcome_3' |
      'es_cs_general_policy_impact'>();
  });
});
