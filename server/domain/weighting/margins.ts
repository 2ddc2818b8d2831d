/**
 * Population margins as the API stores them, and the Kazakhstan 2009 figures shipped as the default (data
 * dictionary §4), each labelled with its status: region counts are unverified recalled values, the Korean share a
 * placeholder, sex and settlement shares are for all ages (adult shares were not found). No age margin is shipped:
 * the adult age structure was not found.
 */
import { regionItem } from '../../../schemas/survey-definition.js';
import type { Margin } from './raking.js';

export interface MarginVariable {
  variable: string;
  shares: Record<string, number>;
  collapse?: Record<string, string>;
  source: string;
  year?: number;
  status: 'sourced' | 'derived' | 'unverified' | 'placeholder';
}

export interface Margins {
  variables: MarginVariable[];
}

export const KAZAKHSTAN_2009_MARGINS: Margins = {
  variables: [
    {
      variable: 'ps_region',
      shares: {
        akmola: 4.61, aktobe: 4.73, almaty_oblast: 11.29, atyrau: 3.19, east_kazakhstan: 8.72, zhambyl: 6.38, karaganda: 8.38,
        kostanay: 5.53, kyzylorda: 4.24, mangystau: 3.03, north_kazakhstan: 3.73, pavlodar: 4.64, south_kazakhstan: 15.42,
        west_kazakhstan: 3.74, almaty_city: 8.53, astana_city: 3.83,
      },
      source: 'Census 2009, 2009 boundaries (data dictionary 4.3): recalled values whose sum matches the sourced national total; check before use',
      year: 2009,
      status: 'unverified',
    },
    {
      variable: 'ps_ethnicity',
      shares: { kazakh: 63.1, russian: 23.7, ukrainian: 2.1, uighur: 1.4, german: 1.1, korean: 0.65, other: 7.95 },
      collapse: { uzbek: 'other', tatar: 'other' },
      source: 'Census 2009, all ages (data dictionary 4.2); Korean 0.65 is a placeholder (2009 figure not found), other is the residual',
      year: 2009,
      status: 'placeholder',
    },
    {
      variable: 'ps_gender',
      shares: { male: 48.2, female: 51.8 },
      source: 'Census 2009, all ages (data dictionary 4.1); adult shares not found',
      year: 2009,
      status: 'sourced',
    },
    {
      variable: 'ps_settlement_type',
      shares: { urban: 54.1, rural: 45.9 },
      source: 'Census 2009, all ages (data dictionary 4.1)',
      year: 2009,
      status: 'sourced',
    },
  ],
};

/** A respondent's category on a margin variable, after collapsing. */
export function marginCategory(variable: MarginVariable, value: unknown): string {
  const code = String(value);
  return variable.collapse?.[code] ?? code;
}

/** The raking margins, restricted to the categories in scope (a region-scoped coordinator weights their regions). */
export function rakingMargins(margins: Margins, regions: string[]): Margin[] {
  return margins.variables.map((v) => {
    const shares = v.variable === regionItem('population') && regions.length > 0
      ? Object.fromEntries(Object.entries(v.shares).filter(([c]) => regions.includes(c)))
      : v.shares;
    return { variable: v.variable, targets: shares };
  });
}
