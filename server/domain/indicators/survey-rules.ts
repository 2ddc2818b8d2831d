/**
 * Survey-based rules (share, count, depth, mean of shares, member/non-member difference, diversity, threshold,
 * comparison) evaluated on one survey's responses. Each rule first becomes a per-respondent 0/1/NaN variable
 * (NaN: not in the base) and then a (weighted) share by the estimator of the tallies (weighting/estimator.ts) on the
 * survey's cell design, with influence values for composites (means of shares, member/non-member differences), so
 * every value comes with its unweighted n and base and a linearised standard error; diversity, a ratio of shares
 * capped at 1, has none. A domain (breakdown cell, members) is estimated by leaving its complement out of the base.
 * An empty base is `missing` with the reason (or the rule's declared emptyBase value, flagged), never zero.
 */
import type {
  CountSpec, DifferenceRule, DiversityRule, Measure, MeanOfSharesRule, Rule, SecondaryRule, SharePart, ShareRule,
} from '../../../schemas/csi/indicators.js';
import type { Code } from '../../../schemas/items.js';
import type { CellDesign } from '../weighting/design.js';
import { combine, shareOf, standardError, type Binary, type ShareEstimate } from '../weighting/estimator.js';
import { isAnswer, isBlank, isNumber, type Table } from './records.js';
import { partsText, reasonText } from './reasons.js';

export type SurveyRule = Exclude<Rule, SecondaryRule>;

export interface Component {
  label: string;
  /** 0-100 (for a difference: percentage points before the floor). */
  value: number | null;
  n: number | null;
  base: number | null;
  reason: string | null;
}

export interface Evaluation {
  /** 0-100, full precision; null when missing. */
  value: number | null;
  reason: string | null;
  /** Unweighted respondents counted favourable (simple shares only). */
  n: number | null;
  /** Unweighted respondents in the base (composites: in the base of any part). */
  base: number | null;
  weightedBase: number | null;
  /** Standard error in points of the 0-100 scale. */
  se: number | null;
  flags: string[];
  components: Component[];
  /**
   * Share rules: respondents left out of the base for their answer to the item (dk, ref, blank, ignored codes),
   * among those meeting the base condition, so the other don't-know convention can be computed (dictionary §1.1).
   */
  excluded?: Record<string, number>;
}

export interface SurveyContext {
  table: Table;
  /** The survey's design (raked, or unweighted: one cell of weight 1), its respondents in the table's order. */
  design: CellDesign;
  /** Each respondent's weight in the design. */
  weights: Float64Array;
  /** Restrict every base to these respondents (a breakdown cell). */
  domain?: Uint8Array;
  /** The rule of another indicator, for `measure: {indicator}`. */
  ruleOf(indicatorId: string): Rule | undefined;
}

/** A share-like estimate on the 0..1 scale, or why there is none. */
type Estimate = { p: number; se: number | null; influence: Float64Array; masks: Uint8Array[]; n: number | null; base: number; weightedBase: number | null; components: Component[] };
type Outcome = Estimate | { reason: string };

const inCodes = (value: unknown, codes: readonly Code[]): boolean => isAnswer(value) && codes.includes(value);

export function missing(reason: string, components: Component[] = []): Evaluation {
  return { value: null, reason, n: null, base: null, weightedBase: null, se: null, flags: [], components };
}

function emptyReason(ctx: SurveyContext, what: string): string {
  if (ctx.table.size === 0) return reasonText('noResponses');
  return reasonText(ctx.domain ? 'emptyBaseInGroup' : 'emptyBase', { what });
}

function fromShare(s: ShareEstimate): Estimate {
  return { p: s.p, se: s.se, influence: s.influence, masks: [s.inBase], n: s.n, base: s.base, weightedBase: s.weightedBase, components: [] };
}

// --- per-respondent variables -------------------------------------------------------------------------------

function shareBinary(rule: ShareRule, table: Table): Binary {
  return table.memo(rule, 'share', () => computeShareBinary(rule, table));
}

function computeShareBinary(rule: ShareRule | (SharePart & { base?: undefined; ignore?: undefined; blankAs?: undefined }), table: Table): Binary {
  const y = new Float64Array(table.size);
  const values = table.column(rule.item);
  const filter = rule.base ? table.column(rule.base.variable) : undefined;
  for (let i = 0; i < table.size; i += 1) {
    if (filter && rule.base && !inCodes(filter[i], rule.base.in)) {
      y[i] = NaN;
      continue;
    }
    const v = values[i];
    if (isAnswer(v, rule.ignore)) y[i] = rule.favourable.includes(v) ? 1 : 0;
    else y[i] = isBlank(v) && rule.blankAs === 'unfavourable' ? 0 : NaN;
  }
  return y;
}

/** Per respondent: how many items are favourable, or -1 when none has a substantive answer. */
function counts(items: readonly string[], favourable: readonly Code[], table: Table, ignore?: readonly Code[]): Int32Array {
  const hits = new Int32Array(table.size);
  const answered = new Int32Array(table.size);
  for (const item of items) {
    const values = table.column(item);
    for (let i = 0; i < table.size; i += 1) {
      const v = values[i];
      if (!isAnswer(v, ignore)) continue;
      answered[i] = (answered[i] as number) + 1;
      if (favourable.includes(v)) hits[i] = (hits[i] as number) + 1;
    }
  }
  for (let i = 0; i < table.size; i += 1) if (answered[i] === 0) hits[i] = -1;
  return hits;
}

function countBinary(spec: CountSpec & { ignore?: Code[] }, table: Table, amongAtLeast = 0): Binary {
  return table.memo(spec, `count ${amongAtLeast}`, () => {
    const c = counts(spec.items, spec.favourable, table, spec.ignore);
    const y = new Float64Array(c.length);
    for (let i = 0; i < c.length; i += 1) {
      const k = c[i] as number;
      y[i] = k < 0 || k < amongAtLeast ? NaN : k >= spec.atLeast ? 1 : 0;
    }
    return y;
  });
}

function thresholdBinary(numerator: string[], denominator: string[], atMost: number, table: Table): Binary {
  const num = numerator.map((item) => table.column(item));
  const den = denominator.map((item) => table.column(item));
  const sum = (columns: Array<readonly unknown[]>, i: number): number | null => {
    let total = 0;
    for (const c of columns) {
      const v = c[i];
      if (!isNumber(v)) return null;
      total += v;
    }
    return total;
  };
  return Float64Array.from({ length: table.size }, (_, i) => {
    const a = sum(num, i);
    const b = sum(den, i);
    return a === null || b === null || b <= 0 ? NaN : a / b <= atMost ? 1 : 0;
  });
}

function comparisonBinary(left: string, right: string, table: Table): Binary {
  const l = table.column(left);
  const r = table.column(right);
  return Float64Array.from({ length: table.size }, (_, i) => {
    const a = l[i];
    const b = r[i];
    return isNumber(a) && isNumber(b) ? (a >= b ? 1 : 0) : NaN;
  });
}

// --- estimates -----------------------------------------------------------------------------------------------

function binaryEstimate(y: Binary, ctx: SurveyContext, what: string, domain = ctx.domain): Outcome {
  const s = shareOf(y, ctx.design, domain);
  return s ? fromShare(s) : { reason: emptyReason({ ...ctx, domain }, what) };
}

function meanOfShares(rule: MeanOfSharesRule, ctx: SurveyContext, domain = ctx.domain): Outcome {
  const parts: ShareEstimate[] = [];
  const components: Component[] = [];
  for (const part of rule.parts) {
    const s = shareOf(ctx.table.memo(part, 'share', () => computeShareBinary(part, ctx.table)), ctx.design, domain);
    components.push(s
      ? { label: part.item, value: 100 * s.p, n: s.n, base: s.base, reason: null }
      : { label: part.item, value: null, n: null, base: null, reason: emptyReason({ ...ctx, domain }, `an answer to ${part.item}`) });
    if (s) parts.push(s);
  }
  if (parts.length < rule.parts.length) return { reason: reasonText('partMissing', { parts: partsText(components.filter((c) => c.reason)) }) };
  const k = parts.length;
  const masks = parts.map((s) => s.inBase);
  const influence = combine(parts.map((s) => s.influence), parts.map(() => 1 / k));
  return {
    p: parts.reduce((a, s) => a + s.p, 0) / k, se: standardError(ctx.design, influence), influence,
    masks, n: null, base: unionCount(masks), weightedBase: null, components,
  };
}

function measureRule(measure: Measure, ctx: SurveyContext): ShareRule | MeanOfSharesRule {
  if (!('indicator' in measure)) return measure;
  const rule = ctx.ruleOf(measure.indicator);
  if (rule?.kind !== 'share' && rule?.kind !== 'meanOfShares') throw new Error(`measure ${measure.indicator} is not a share or mean of shares`);
  return rule;
}

function measureEstimate(rule: ShareRule | MeanOfSharesRule, ctx: SurveyContext, domain: Uint8Array): Outcome {
  if (rule.kind === 'meanOfShares') return meanOfShares(rule, ctx, domain);
  return binaryEstimate(shareBinary(rule, ctx.table), ctx, `an answer to ${rule.item}`, domain);
}

function difference(rule: DifferenceRule, ctx: SurveyContext): Evaluation {
  const status = countBinary(rule.members, ctx.table);
  const members = new Uint8Array(status.length);
  const others = new Uint8Array(status.length);
  for (let i = 0; i < status.length; i += 1) {
    if (ctx.domain && ctx.domain[i] !== 1) continue;
    if (status[i] === 1) members[i] = 1;
    else if (status[i] === 0) others[i] = 1;
  }
  const measure = measureRule(rule.measure, ctx);
  const a = measureEstimate(measure, ctx, members);
  const b = measureEstimate(measure, ctx, others);
  const component = (label: string, o: Outcome): Component => ('reason' in o
    ? { label, value: null, n: null, base: null, reason: o.reason }
    : { label, value: 100 * o.p, n: o.n, base: o.base, reason: null });
  const components = [component('members', a), component('non-members', b)];
  if ('reason' in a) return missing(reasonText('membersMissing', { reason: a.reason }), components);
  if ('reason' in b) return missing(reasonText('nonMembersMissing', { reason: b.reason }), components);
  const raw = 100 * (a.p - b.p);
  components.push({ label: 'difference before the floor', value: raw, n: null, base: null, reason: null });
  const se = standardError(ctx.design, combine([a.influence, b.influence], [1, -1]));
  const flags = raw < rule.floor ? [reasonText('belowFloor', { raw: raw.toFixed(2), floor: rule.floor })] : [];
  return {
    value: Math.max(rule.floor, raw), reason: null, n: null, base: unionCount([...a.masks, ...b.masks]), weightedBase: null,
    se: se === null ? null : 100 * se, flags, components,
  };
}

/** Respondents in at least one of the bases. */
function unionCount(masks: Uint8Array[]): number {
  const size = masks[0]?.length ?? 0;
  let count = 0;
  for (let i = 0; i < size; i += 1) if (masks.some((m) => m[i] === 1)) count += 1;
  return count;
}

function weightedMean(y: Binary, weights: Float64Array, keep: (i: number) => boolean): number | null {
  let total = 0;
  let w = 0;
  for (let i = 0; i < y.length; i += 1) {
    if (Number.isNaN(y[i] as number) || !keep(i)) continue;
    total += (weights[i] as number) * (y[i] as number);
    w += weights[i] as number;
  }
  return w > 0 ? total / w : null;
}

function diversity(rule: DiversityRule, ctx: SurveyContext): Evaluation {
  const engaged = countBinary(rule.engaged, ctx.table);
  const inDomain = (i: number): boolean => !Number.isNaN(engaged[i] as number) && (!ctx.domain || ctx.domain[i] === 1);
  const engagedCount = engaged.reduce((a, e, i) => a + (e === 1 && inDomain(i) ? 1 : 0), 0);
  const base = engaged.reduce((a, _e, i) => a + (inDomain(i) ? 1 : 0), 0);
  if (base === 0) return missing(emptyReason(ctx, `an answer to ${rule.engaged.items.join(', ')}`));
  if (engagedCount === 0) return missing(reasonText('nobodyEngaged'));
  const components: Component[] = rule.groups.map((g) => {
    const member = ctx.table.memo(g, 'group', () => {
      const column = ctx.table.column(g.variable);
      const y = new Float64Array(column.length);
      for (let i = 0; i < column.length; i += 1) {
        const v = column[i];
        y[i] = isAnswer(v) ? (g.in.includes(v) ? 1 : 0) : NaN;
      }
      return y;
    });
    const all = weightedMean(member, ctx.weights, inDomain);
    const amongEngaged = weightedMean(member, ctx.weights, (i) => inDomain(i) && engaged[i] === 1);
    if (all === null || amongEngaged === null) return { label: g.label, value: null, n: null, base: null, reason: reasonText('groupNotAnswered', { variable: g.variable }) };
    if (all === 0) return { label: g.label, value: null, n: null, base: null, reason: reasonText('groupAbsent') };
    const score = rule.method === 'representationRatio' ? Math.min(1, amongEngaged / all) : 1 - Math.abs(amongEngaged - all);
    return { label: g.label, value: 100 * score, n: null, base: null, reason: null };
  });
  const present = components.filter((c) => c.value !== null);
  if (present.length === 0) return missing(reasonText('noGroup'), components);
  const flags = present.length < components.length
    ? [reasonText('leftOutOfMean', { parts: partsText(components.filter((c) => c.value === null)) })] : [];
  return {
    value: present.reduce((a, c) => a + (c.value as number), 0) / present.length, reason: null, n: engagedCount, base,
    weightedBase: null, se: null, flags, components,
  };
}

function toEvaluation(o: Outcome, ctx: SurveyContext, fallback?: ShareRule['emptyBase']): Evaluation {
  if ('reason' in o) {
    if (!fallback) return missing(o.reason);
    return { value: fallback.value, reason: null, n: 0, base: 0, weightedBase: 0, se: null, flags: [fallback.reason], components: [] };
  }
  return {
    value: 100 * o.p, reason: null, n: o.n, base: o.base, weightedBase: o.weightedBase,
    se: o.se === null ? null : 100 * o.se, flags: [], components: o.components,
  };
}

function excludedCounts(rule: ShareRule, ctx: SurveyContext): Record<string, number> {
  const values = ctx.table.column(rule.item);
  const filter = rule.base ? ctx.table.column(rule.base.variable) : undefined;
  const out: Record<string, number> = {};
  for (let i = 0; i < ctx.table.size; i += 1) {
    if (ctx.domain && ctx.domain[i] !== 1) continue;
    if (filter && rule.base && !inCodes(filter[i], rule.base.in)) continue;
    const v = values[i];
    if (isAnswer(v, rule.ignore) || (isBlank(v) && rule.blankAs === 'unfavourable')) continue;
    const key = isBlank(v) ? 'blank' : String(v);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The emptyBase value stands for "asked, and nobody qualified": it needs answers to the base condition. */
function baseAnswered(rule: ShareRule, ctx: SurveyContext): boolean {
  if (!rule.base) return false;
  const column = ctx.table.column(rule.base.variable);
  return column.some((v, i) => isAnswer(v) && (!ctx.domain || ctx.domain[i] === 1));
}

/** One rule on a survey of at least one response (compute.ts answers `no responses` without a context). */
export function evaluateSurveyRule(rule: SurveyRule, ctx: SurveyContext): Evaluation {
  switch (rule.kind) {
    case 'share': {
      const what = `an answer to ${rule.item}${rule.base ? ` and ${rule.base.variable} in {${rule.base.in.join(', ')}}` : ''}`;
      const evaluation = toEvaluation(binaryEstimate(shareBinary(rule, ctx.table), ctx, what), ctx, baseAnswered(rule, ctx) ? rule.emptyBase : undefined);
      return { ...evaluation, excluded: excludedCounts(rule, ctx) };
    }
    case 'count':
      return toEvaluation(binaryEstimate(countBinary(rule, ctx.table), ctx, `an answer to any of ${rule.items.join(', ')}`), ctx);
    case 'depth':
      return toEvaluation(binaryEstimate(countBinary(rule, ctx.table, rule.amongAtLeast), ctx, `at least ${rule.amongAtLeast} of ${rule.items.join(', ')} in {${rule.favourable.join(', ')}}`), ctx);
    case 'meanOfShares':
      return toEvaluation(meanOfShares(rule, ctx), ctx);
    case 'difference':
      return difference(rule, ctx);
    case 'diversity':
      return diversity(rule, ctx);
    case 'threshold':
      return toEvaluation(binaryEstimate(thresholdBinary(rule.numerator, rule.denominator, rule.atMost, ctx.table), ctx, `numbers for ${[...new Set([...rule.numerator, ...rule.denominator])].join(', ')} and a total above 0`), ctx);
    case 'comparison':
      return toEvaluation(binaryEstimate(comparisonBinary(rule.left, rule.right, ctx.table), ctx, `numbers for both ${rule.left} and ${rule.right}`), ctx);
  }
}
