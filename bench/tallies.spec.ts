/** What the tallies benchmark computes, shared by the TypeScript worker and the R script's data. */
export const POOL = 5_000;
export const BREAKDOWNS = ['ps_region', 'ps_age_band', 'ps_ethnicity', 'ps_gender', 'ps_settlement_type'];
/** Twenty closed population items of different widths (2 to 10 categories). */
export const TALLY_ITEMS = [
  'ps_member_religious', 'ps_member_political_party', 'ps_volunteer_religious', 'ps_volunteer_humanitarian_charitable',
  'ps_social_time_sports_voluntary', 'ps_action_petition', 'ps_action_boycott', 'ps_action_demonstration', 'ps_trust_people',
  'ps_neighbour_different_race', 'ps_neighbour_immigrants_foreign_workers', 'ps_neighbour_different_religion',
  'ps_justify_cheat_taxes', 'ps_justify_accept_bribe', 'ps_confidence_government', 'ps_confidence_parliament',
  'ps_confidence_courts', 'ps_confidence_press', 'ps_education', 'ps_income_step',
];
