// The tallies chart as data: one bar per category per group with its numbers, whiskers at the interval, bars
// scaled to the axis, small groups faded and starred, text escaped.
import { describe, expect, it } from 'vitest';
import { niceMax, tallyChartSvg, type ChartGroup } from '../../../forms/dashboard/tally-chart.js';

const groups: ChartGroup[] = [
  { label: 'All', small: false, bars: [{ category: 'yes', label: 'Yes', estimate: 0.25, low: 0.2, high: 0.3 }, { category: 'no', label: 'No <never>', estimate: 0.75, low: 0.7, high: 0.8 }] },
  { label: 'Region & co', small: true, bars: [{ category: 'yes', label: 'Yes', estimate: 0.5, low: NaN, high: NaN }, { category: 'no', label: 'No <never>', estimate: 0.5, low: 0.1, high: 0.9 }] },
];

const attr = (svg: string, name: string) => [...svg.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('tally chart', () => {
  const svg = tallyChartSvg(groups, { share: true, title: 'Trust & "care"' });

  it('draws a bar per category and group, carrying its numbers, scaled to a 0-100% axis', () => {
    expect(attr(svg, 'data-estimate')).toEqual(['0.25', '0.75', '0.5', '0.5']);
    const bars = [...svg.matchAll(/<rect class="bar"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(bars).toEqual([117.5, 352.5, 235, 235]);
    expect(svg).toContain('>100%</text>');
  });

  it('draws whiskers only where the interval is known', () => {
    expect((svg.match(/class="ci"/g) ?? []).length).toBe(3);
  });

  it('fades and stars small groups, and escapes text', () => {
    expect(svg).toMatch(/<g class="group small" data-group="Region &amp; co" opacity="0.45">/);
    expect(svg).toContain('Region &amp; co *</text>');
    expect(svg).toContain('No &lt;never&gt;');
    expect(svg).toContain('<title>Trust &amp; &quot;care&quot;</title>');
    expect(svg).not.toContain('<never>');
  });

  it('puts means on a round axis up to the largest upper bound', () => {
    expect(niceMax(37.2)).toBe(50);
    expect(niceMax(8)).toBe(10);
    expect(niceMax(0)).toBe(1);
    const means = tallyChartSvg([{ label: 'All', small: false, bars: [{ category: 'mean', label: 'Mean', estimate: 36.6, low: 35, high: 38.2 }] }], { share: false, title: 'Age' });
    expect(means).toContain('>50.00</text>');
    expect(means).not.toContain('class="legend"');
  });
});
