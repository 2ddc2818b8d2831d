/**
 * The rule of an indicator in words, generated from its declarative form so the text shown next to a value can
 * never drift from what was computed. Item ids and codes are quoted as stored (the codebook labels them).
 */
import type { CountSpec, Measure, Rule, SharePart } from '../../../schemas/csi/indicators.js';
import type { Code } from '../../../schemas/items.js';
import { SECONDARY_LABELS } from './secondary.js';

const codes = (list: readonly Code[]): string => `{${list.map(String).join(', ')}}`;
const BASE_NOTE = 'don\'t know, refused and blank left out of the base';

function part(p: SharePart): string {
  return `% ${p.item} in ${codes(p.favourable)}`;
}

function countSpec(spec: CountSpec): string {
  const many = spec.atLeast === spec.items.length && spec.items.length > 1 ? 'all' : `at least ${spec.atLeast}`;
  return `${many} of ${spec.items.join(', ')} in ${codes(spec.favourable)}`;
}

function measure(m: Measure): string {
  return 'indicator' in m ? `indicator ${m.indicator}` : ruleText(m);
}

export function ruleText(rule: Rule): string {
  switch (rule.kind) {
    case 'share': {
      const base = rule.base ? `respondents with ${rule.base.variable} in ${codes(rule.base.in)}` : 'respondents answering';
      const blanks = rule.blankAs === 'unfavourable' ? '; a blank (skipped) answer counts as not favourable' : '';
      const ignored = rule.ignore ? `; ${codes(rule.ignore)} also left out` : '';
      const empty = rule.emptyBase ? `; empty base: ${rule.emptyBase.value}` : '';
      return `% of ${base} whose ${rule.item} is in ${codes(rule.favourable)} (${BASE_NOTE}${ignored}${blanks}${empty})`;
    }
    case 'count':
      return `% of respondents with ${countSpec(rule)}; base: a substantive answer to any of them${rule.ignore ? ` (${codes(rule.ignore)} not valid)` : ''}`;
    case 'depth':
      return `% with at least ${rule.atLeast} of ${rule.items.join(', ')} in ${codes(rule.favourable)}, among those with at least ${rule.amongAtLeast}`;
    case 'meanOfShares':
      return `mean of: ${rule.parts.map(part).join('; ')} (each among respondents answering it)`;
    case 'difference':
      return `${measure(rule.measure)} among members minus among non-members, in points, floored at ${rule.floor}; member: ${countSpec(rule.members)}`;
    case 'diversity': {
      const groups = rule.groups.map((g) => `${g.label} (${g.variable} in ${codes(g.in)})`).join(', ');
      const formula = rule.method === 'representationRatio'
        ? '100 x mean over groups of min(1, share among the engaged / share among all)'
        : '100 x (1 - mean over groups of |share among the engaged - share among all|)';
      return `${formula}; engaged: ${countSpec(rule.engaged)}; groups: ${groups}`;
    }
    case 'threshold':
      return `% of respondents with (${rule.numerator.join(' + ')}) / (${rule.denominator.join(' + ')}) <= ${rule.atMost}, among those with a total above 0`;
    case 'comparison':
      return `% of respondents with ${rule.left} ${rule.op} ${rule.right}, among those answering both`;
    case 'secondary': {
      const names = rule.inputs.map((k) => `${k} (${SECONDARY_LABELS[k]})`);
      const [a = '', b = ''] = rule.inputs;
      const sum = rule.inputs.length > 1 ? `(${rule.inputs.join(' + ')})` : a;
      const formula = {
        identity: `${sum}, as is`,
        rescale: `${sum} x 100 / ${rule.max}`,
        complement: `100 - ${sum}`,
        ratio: `100 x ${a} / ${b}`,
        cappedRatioComplement: `100 - min(100, 100 x ${a} / ${b})`,
      }[rule.transform];
      return `${formula}; inputs: ${names.join('; ')}`;
    }
  }
}
