// The CSI Diamond SVG, checked structurally on the report's published dimension scores: four axes for dimensions
// 1-4 from one centre, each score a point at its share of the axis, the diamond joining them, dimension 5 as a
// circle whose radius is its score, labels and half-up rounded values in en/ru/kk, missing dimensions shown as
// such, and text escaped.
import { describe, expect, it } from 'vitest';
import { indicatorMatrix } from '../../../schemas/csi/indicators.js';
import { aggregateScores, type ScoreResult } from '../../../server/domain/indicators/aggregation.js';
import { AXES, diamondSvg, wrapLines } from '../../../server/domain/indicators/diamond.js';

/** The published dimension scores (46.9, 48.4, 47.6, 40.0, 46.5) as score results. */
const published: ScoreResult[] = indicatorMatrix.dimensions.map((d) => ({
  id: d.id, level: 'dimension', name: d.name, status: 'ok', value: d.published, reason: null, members: [], excluded: [], defaults: [], published: d.published,
}));

interface Mark { tag: string; attrs: Record<string, string> }
function marks(svg: string, cls: string): Mark[] {
  return [...svg.matchAll(/<(\w+) ([^>]*?)\/?>/g)]
    .map((m) => ({ tag: m[1] as string, attrs: Object.fromEntries([...(m[2] as string).matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])) as Record<string, string> }))
    .filter((m) => (m.attrs.class ?? '').split(' ').includes(cls));
}

describe('diamondSvg', () => {
  const radius = 160;
  const svg = diamondSvg(published, { radius });
  const [width, height] = (/viewBox="0 0 (\d+) (\d+)"/.exec(svg) ?? []).slice(1).map(Number) as [number, number];
  const cx = width / 2;
  const cy = height / 2;

  it('draws four axes from the centre, up, right, down and left, each 100 points long', () => {
    const axes = marks(svg, 'axis');
    expect(axes.map((a) => a.attrs['data-dimension'])).toEqual(['1', '2', '3', '4']);
    for (const [k, a] of axes.entries()) {
      const dir = AXES[k] as { dx: number; dy: number };
      expect(Number(a.attrs.x1)).toBe(cx);
      expect(Number(a.attrs.y1)).toBe(cy);
      expect(Number(a.attrs.x2)).toBeCloseTo(cx + dir.dx * radius, 6);
      expect(Number(a.attrs.y2)).toBeCloseTo(cy + dir.dy * radius, 6);
    }
  });

  it('places each of dimensions 1-4 at its score along its axis, and joins them into the diamond', () => {
    const points = marks(svg, 'point');
    expect(points.map((p) => [p.attrs['data-dimension'], Number(p.attrs['data-value'])])).toEqual([['1', 46.9], ['2', 48.4], ['3', 47.6], ['4', 40]]);
    const distance = (p: Mark) => Math.hypot(Number(p.attrs.cx) - cx, Number(p.attrs.cy) - cy);
    points.forEach((p) => expect(distance(p)).toBeCloseTo((Number(p.attrs['data-value']) / 100) * radius, 1));
    expect(Number(points[0]?.attrs.cy)).toBeLessThan(cy);
    expect(Number(points[1]?.attrs.cx)).toBeGreaterThan(cx);
    expect(Number(points[2]?.attrs.cy)).toBeGreaterThan(cy);
    expect(Number(points[3]?.attrs.cx)).toBeLessThan(cx);
    const diamond = marks(svg, 'diamond')[0]?.attrs.points?.split(' ') ?? [];
    expect(diamond).toEqual(points.map((p) => `${p.attrs.cx},${p.attrs.cy}`));
  });

  it('draws the external environment as a circle around the centre whose radius is its score', () => {
    const [circle] = marks(svg, 'environment');
    expect(circle?.tag).toBe('circle');
    expect(circle?.attrs['data-dimension']).toBe('5');
    expect(Number(circle?.attrs.cx)).toBe(cx);
    expect(Number(circle?.attrs.cy)).toBe(cy);
    expect(Number(circle?.attrs.r)).toBeCloseTo(0.465 * radius, 2);
    expect(Number(circle?.attrs['data-radius'])).toBeCloseTo(0.465 * radius, 10);
  });

  it('labels every dimension with its name and its score rounded half-up to one decimal', () => {
    const labels = [...svg.matchAll(/<text class="label" data-dimension="(\d)"[^>]*>(.*?)<\/text>/g)].map((m) => [
      m[1], [...(m[2] as string).matchAll(/<tspan class="name"[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]).join(' '), /<tspan class="value"[^>]*>([^<]*)</.exec(m[2] as string)?.[1],
    ]);
    expect(labels).toEqual([
      ['1', '1. Civic Engagement', '46.9'], ['2', '2. Level of Organisation', '48.4'], ['3', '3. Practice of Values', '47.6'],
      ['4', '4. Perception of Impact', '40.0'], ['5', '5. External Environment', '46.5'],
    ]);
    expect(svg).toMatch(/<title id="diamond-title">CSI Diamond<\/title>/);
  });

  it('speaks Russian and Kazakh', () => {
    // Names wrapped over several lines read as one.
    const plain = (svg: string) => svg.replace(/<\/tspan><tspan class="name"[^>]*>/g, ' ');
    expect(plain(diamondSvg(published, { lang: 'ru' }))).toContain('1. Гражданская активность');
    expect(plain(diamondSvg(published, { lang: 'ru' }))).toContain('5. Внешняя среда');
    expect(plain(diamondSvg(published, { lang: 'kk' }))).toContain('2. Ұйымдасу деңгейі');
  });

  it('rounds computed scores half-up, as the matrix does', () => {
    const scores = aggregateScores(indicatorMatrix, new Map()).dimensions.map((d, k) => ({ ...d, status: 'ok' as const, value: [52.65, 10, 20, 30, 40][k] as number }));
    expect(diamondSvg(scores)).toMatch(/<tspan class="value"[^>]*>52\.7<\/tspan>/);
  });

  it('shows a missing dimension as "no data" at the centre, never as a score of 0, and an empty circle for a missing environment', () => {
    const some = published.map((d) => (d.id === '2' || d.id === '5' ? { ...d, status: 'missing' as const, value: null, reason: 'x' } : d));
    const out = diamondSvg(some, { radius });
    const two = marks(out, 'point').find((p) => p.attrs['data-dimension'] === '2');
    expect(two?.attrs.class).toBe('point missing');
    expect(two?.attrs['data-value']).toBe('');
    expect(out).toMatch(/<text class="label" data-dimension="2"[^>]*>.*?<tspan class="value"[^>]*>no data</);
    expect(marks(out, 'environment')[0]?.attrs.r).toBe('0');
    expect(diamondSvg(some, { lang: 'kk' })).toContain('дерек жоқ');
  });

  it('wraps long names at word boundaries', () => {
    expect(wrapLines('4. Восприятие влияния на общество и государство')).toEqual(['4. Восприятие влияния', 'на общество и', 'государство']);
    const ru = diamondSvg(published, { lang: 'ru' });
    expect(ru).toMatch(/<tspan class="name"[^>]*>2. Уровень<\/tspan><tspan class="name"[^>]*>организованности<\/tspan>/);
  });

  it('escapes names', () => {
    const odd = published.map((d) => (d.id === '1' ? { ...d, name: { en: 'A & <B>' } } : d));
    expect(diamondSvg(odd)).toContain('1. A &amp; &lt;B&gt;');
  });
});
