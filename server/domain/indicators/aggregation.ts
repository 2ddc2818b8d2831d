/**
 * From indicator values to sub-dimension and dimension scores, and the rounding for display. Verified on the
 * Kazakhstan matrix (data dictionary §1.2): a sub-dimension is the unweighted mean of its indicators, a dimension
 * the unweighted mean of its sub-dimensions, all at full precision; only display rounds, half-up to one decimal
 * (4.5 rebuilds to the published 53.3 only from an unrounded 4.5.1).
 *
 * Missing values. An indicator declared `whenMissing: "exclude"` is left out of its sub-dimension's mean when it
 * is missing (listed as excluded); any other missing indicator makes its sub-dimension missing, with the reason,
 * because a mean over fewer indicators is a different score from the report's. The shipped matrix declares no
 * exclusions (the report gives no rule for them), so a missing indicator always shows up the chain. A missing
 * sub-dimension always makes its dimension missing: the report never averages over fewer sub-dimensions.
 * A sub-dimension or dimension that rests on a defaulted (U) rule says so (`defaults`).
 */
import type { ScoreResult } from '../../../schemas/generated/api.types.js';
import type { IndicatorMatrix } from '../../../schemas/csi/indicators.js';
import { reasonText } from './reasons.js';

/** A sub-dimension's or dimension's score as the indicators answer gives it (`schemas/api/indicators-report.schema.json`). */
export type { ScoreResult };

export interface IndicatorValue {
  value: number | null;
  default?: boolean;
}

function meanOf(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function aggregateScores(
  matrix: IndicatorMatrix, values: ReadonlyMap<string, IndicatorValue>,
): { subDimensions: ScoreResult[]; dimensions: ScoreResult[] } {
  const subDimensions: ScoreResult[] = [];
  const dimensions: ScoreResult[] = [];
  for (const d of matrix.dimensions) {
    const subs = d.subDimensions.map((s): ScoreResult => {
      const present: number[] = [];
      const excluded: string[] = [];
      const blocking: string[] = [];
      const defaults: string[] = [];
      for (const i of s.indicators) {
        const v = values.get(i.id);
        if (v?.value !== null && v?.value !== undefined) {
          present.push(v.value);
          if (v.default ?? i.default) defaults.push(i.id);
        } else if (i.whenMissing === 'exclude') excluded.push(i.id);
        else blocking.push(i.id);
      }
      const members = s.indicators.map((i) => i.id).filter((id) => !excluded.includes(id));
      const base = { id: s.id, level: 'subDimension' as const, name: s.name, members, excluded, defaults, published: s.published };
      if (blocking.length > 0) return { ...base, status: 'missing', value: null, reason: reasonText('indicatorsMissing', { ids: blocking.join(', ') }) };
      if (present.length === 0) return { ...base, status: 'missing', value: null, reason: reasonText('noIndicator') };
      return { ...base, status: 'ok', value: meanOf(present), reason: null };
    });
    subDimensions.push(...subs);
    const blocking = subs.filter((s) => s.value === null).map((s) => s.id);
    const base = {
      id: d.id, level: 'dimension' as const, name: d.name, members: subs.map((s) => s.id), excluded: [],
      defaults: subs.flatMap((s) => s.defaults), published: d.published,
    };
    dimensions.push(blocking.length > 0
      ? { ...base, status: 'missing', value: null, reason: reasonText('subDimensionsMissing', { ids: blocking.join(', ') }) }
      : { ...base, status: 'ok', value: meanOf(subs.map((s) => s.value as number)), reason: null });
  }
  return { subDimensions, dimensions };
}

/**
 * Half-up rounding (half away from zero) for display. The value is first cut to 12 significant digits, so a mean
 * such as 52.65 that binary arithmetic holds as 52.649999... still rounds up, as it does on paper.
 */
export function roundHalfUp(value: number, decimals = 1): number {
  const factor = 10 ** decimals;
  const scaled = Number((Math.abs(value) * factor).toPrecision(12));
  return (Math.sign(value) * Math.floor(scaled + 0.5)) / factor;
}

/** A score as the report prints it ("46.9", "0.0"), or null for a missing one. */
export function formatScore(value: number | null, decimals = 1): string | null {
  return value === null ? null : roundHalfUp(value, decimals).toFixed(decimals);
}
