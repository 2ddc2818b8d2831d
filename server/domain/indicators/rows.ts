/**
 * The computed matrix as flat rows in the order of the report's Appendix 1 (each dimension, then each of its
 * sub-dimensions followed by its indicators), with display values: the one shape a CSV export, a CLI table or a
 * dashboard table reads, so they cannot disagree on order, rounding or how a missing value and a default show.
 */
import type { Language } from '../../../schemas/labels.js';
import { formatScore } from './aggregation.js';
import type { MatrixResult } from './compute.js';

export interface MatrixRow {
  level: 'dimension' | 'subDimension' | 'indicator';
  id: string;
  name: string;
  /** Half-up to one decimal; empty when missing. */
  display: string;
  /** Full precision; null when missing. */
  value: number | null;
  status: 'ok' | 'missing';
  reason: string;
  /** Indicators: source survey; sub-dimensions and dimensions: empty. */
  source: string;
  confidence: string;
  /** The value rests on a defaulted (U) rule. */
  default: boolean;
  n: number | null;
  base: number | null;
  se: number | null;
  rule: string;
  flags: string;
  published: number;
}

export function matrixRows(result: MatrixResult, language: Language = 'en'): MatrixRow[] {
  const rows: MatrixRow[] = [];
  for (const d of result.dimensions) {
    const score = (s: typeof d): MatrixRow => ({
      level: s.level, id: s.id, name: s.name[language] ?? s.name.en, display: formatScore(s.value) ?? '', value: s.value,
      status: s.status, reason: s.reason ?? '', source: '', confidence: '', default: s.defaults.length > 0,
      n: null, base: null, se: null, rule: s.level === 'dimension' ? 'mean of its sub-dimensions' : 'mean of its indicators',
      flags: s.excluded.length > 0 ? `excluded as missing: ${s.excluded.join(', ')}` : '', published: s.published,
    });
    rows.push(score(d));
    for (const s of result.subDimensions.filter((x) => d.members.includes(x.id))) {
      rows.push(score(s));
      for (const i of result.indicators.filter((x) => x.subDimension === s.id)) {
        rows.push({
          level: 'indicator', id: i.id, name: i.name[language] ?? i.name.en, display: formatScore(i.value) ?? '', value: i.value,
          status: i.status, reason: i.reason ?? '', source: i.source, confidence: i.confidence, default: i.default,
          n: i.n, base: i.base, se: i.se, rule: i.rule, flags: i.flags.join('; '), published: i.published,
        });
      }
    }
  }
  return rows;
}
