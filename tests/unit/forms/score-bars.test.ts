// The dashboard's sub-dimension bars as data: one bar per sub-dimension scaled to 0-100, the score printed as the
// report prints it (half-up, one decimal, the server's rule), a missing score drawn as no bar and "–", text escaped.
import { describe, expect, it } from 'vitest';
import { roundHalfUp, score, scoreBarsSvg } from '../../../forms/dashboard/score-bars.js';
import { roundHalfUp as serverRoundHalfUp } from '../../../server/domain/indicators/aggregation.js';

describe('score bars', () => {
  const svg = scoreBarsSvg([
    { label: '1. Civic Engagement · 46.9', bars: [{ id: '1.1', label: 'Extent', value: 28 }, { id: '1.2', label: 'Depth <of> & more', value: 52.65 }] },
    { label: '5. External', bars: [{ id: '5.1', label: 'Socio-economic', value: null }] },
  ], 'Scores');

  it('draws one bar per sub-dimension, scaled to the 0-100 axis, with its value', () => {
    const bars = [...svg.matchAll(/<rect class="bar( missing)?" data-id="([^"]*)" data-value="([^"]*)"[^>]* width="([\d.]+)"/g)].map((m) => [m[2], m[3], Number(m[4])]);
    expect(bars).toEqual([['1.1', '28', 112], ['1.2', '52.65', 210.6], ['5.1', '', 0]]);
    expect(svg).toContain('>52.7</text>');
    expect(svg).toContain('>–</text>');
    expect(svg).toContain('1.2 Depth &lt;of&gt; &amp; more');
  });

  it('rounds as the server does', () => {
    for (const v of [0, 0.05, 46.85, 52.65, 33.35, 99.95, 100, 12.345]) expect(roundHalfUp(v)).toBe(serverRoundHalfUp(v));
    expect(score(null)).toBe('–');
    expect(score(40)).toBe('40.0');
  });
});
