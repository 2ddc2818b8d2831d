/**
 * The CSI Diamond (the report's Figure 1) as an SVG string: four axes from a common centre for dimensions 1-4
 * (civic engagement up, level of organisation right, practice of values down, perception of impact left), each
 * dimension's score a point on its axis (0 at the centre, 100 at the tip), the four points joined into the diamond;
 * the external environment (dimension 5) is a circle around the centre whose radius is its score on the same scale.
 * Labels carry the dimension's name in en/ru/kk and its score rounded half-up as everywhere else. A missing
 * dimension is drawn at the centre, labelled "no data", never as 0.
 *
 * Pure and DOM-free so it is tested in Node: every mark carries data-* attributes (dimension, value, radius), and
 * the route, the dashboard and the browser test all use this one drawing.
 */
import type { Language } from '../../../schemas/labels.js';
import { wrapWords } from '../../../schemas/text.js';
import { formatScore, type ScoreResult } from './aggregation.js';

export interface DiamondOptions {
  lang?: Language;
  /** Pixels from the centre to 100 on an axis (and the circle's radius at 100). */
  radius?: number;
}

/** Axis directions (unit vectors, SVG y downwards) of dimensions 1-4, as in the report's Figure 1. */
export const AXES: ReadonlyArray<{ dimension: string; dx: number; dy: number }> = [
  { dimension: '1', dx: 0, dy: -1 },
  { dimension: '2', dx: 1, dy: 0 },
  { dimension: '3', dx: 0, dy: 1 },
  { dimension: '4', dx: -1, dy: 0 },
];
export const ENVIRONMENT = '5';

const TITLES: Record<Language, string> = {
  en: 'CSI Diamond',
  ru: 'Ромб Индекса гражданского общества',
  kk: 'Азаматтық қоғам индексінің ромбы',
};
const NO_DATA: Record<Language, string> = { en: 'no data', ru: 'нет данных', kk: 'дерек жоқ' };
const TICKS = [25, 50, 75, 100];
/** Room around the drawing for the labels: a line of LINE bold characters of Cyrillic, which run wider than Latin. */
const MARGIN_X = 215;
const MARGIN_Y = 84;
/** Longer names wrap at word boundaries to lines of about this many characters (Russian and Kazakh run long). */
const LINE = 22;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const fixed = (x: number) => String(Math.round(x * 100) / 100);

export function wrapLines(textToWrap: string, width = LINE): string[] {
  return wrapWords(textToWrap, width);
}

/** A label: the name on one or more lines, then the score; `lift` lines are moved up so a top label ends at y. */
function labelText(dimension: string, x: number, y: number, anchor: string, name: string, score: string, fill: string, lift: boolean): string {
  const lines = wrapLines(`${dimension}. ${name}`);
  const top = lift ? y - 15 * (lines.length - 1) : y;
  const names = lines.map((line, k) => `<tspan class="name" font-weight="600" x="${fixed(x)}" dy="${k === 0 ? 0 : 15}">${escapeXml(line)}</tspan>`).join('');
  return `<text class="label" data-dimension="${dimension}" x="${fixed(x)}" y="${fixed(top)}" text-anchor="${anchor}" fill="${fill}">${names}<tspan class="value" x="${fixed(x)}" dy="16">${escapeXml(score)}</tspan></text>`;
}

function label(d: ScoreResult | undefined, lang: Language): { name: string; score: string } {
  const name = d ? (d.name[lang] ?? d.name.en) : '';
  return { name, score: d?.value === null || d?.value === undefined ? NO_DATA[lang] : (formatScore(d.value) as string) };
}

export function diamondSvg(dimensions: readonly ScoreResult[], options: DiamondOptions = {}): string {
  const lang = options.lang ?? 'en';
  const r = options.radius ?? 160;
  const width = 2 * (r + MARGIN_X);
  const height = 2 * (r + MARGIN_Y);
  const cx = width / 2;
  const cy = height / 2;
  const byId = new Map(dimensions.map((d) => [d.id, d]));
  const at = (value: number | null, dx: number, dy: number) => {
    const len = ((value ?? 0) / 100) * r;
    return { x: cx + dx * len, y: cy + dy * len };
  };
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="csi-diamond" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="diamond-title" font-family="system-ui, sans-serif" font-size="13">`);
  parts.push(`<title id="diamond-title">${escapeXml(TITLES[lang])}</title>`);
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  // Scale: a diamond outline at each tick, the tick value on the first axis.
  for (const t of TICKS) {
    const pts = AXES.map((a) => at(t, a.dx, a.dy)).map((p) => `${fixed(p.x)},${fixed(p.y)}`).join(' ');
    parts.push(`<polygon class="grid" data-tick="${t}" points="${pts}" fill="none" stroke="#d5dae3" stroke-dasharray="3 3"/>`);
  }
  // External environment: a circle whose radius is its score.
  const env = byId.get(ENVIRONMENT);
  const envRadius = env?.value === null || env?.value === undefined ? 0 : (env.value / 100) * r;
  parts.push(`<circle class="environment" data-dimension="${ENVIRONMENT}" data-value="${env?.value ?? ''}" data-radius="${envRadius}" cx="${fixed(cx)}" cy="${fixed(cy)}" r="${fixed(envRadius)}" fill="#56B4E9" fill-opacity="0.25" stroke="#0072B2" stroke-width="1.5"/>`);
  for (const a of AXES) {
    const tip = at(100, a.dx, a.dy);
    parts.push(`<line class="axis" data-dimension="${a.dimension}" x1="${fixed(cx)}" y1="${fixed(cy)}" x2="${fixed(tip.x)}" y2="${fixed(tip.y)}" stroke="#1d2330" stroke-width="1"/>`);
  }
  for (const t of TICKS) {
    const p = at(t, AXES[0]?.dx ?? 0, AXES[0]?.dy ?? -1);
    parts.push(`<text class="tick" x="${fixed(p.x + 4)}" y="${fixed(p.y + 4)}" fill="#5b6475" font-size="10">${t}</text>`);
  }
  // The diamond: the four dimension scores joined.
  const points = AXES.map((a) => ({ a, d: byId.get(a.dimension), p: at(byId.get(a.dimension)?.value ?? null, a.dx, a.dy) }));
  parts.push(`<polygon class="diamond" points="${points.map(({ p }) => `${fixed(p.x)},${fixed(p.y)}`).join(' ')}" fill="#E69F00" fill-opacity="0.35" stroke="#D55E00" stroke-width="2"/>`);
  for (const { a, d, p } of points) {
    const missing = d?.value === null || d?.value === undefined;
    parts.push(`<circle class="point${missing ? ' missing' : ''}" data-dimension="${a.dimension}" data-value="${d?.value ?? ''}" cx="${fixed(p.x)}" cy="${fixed(p.y)}" r="4" fill="#D55E00"/>`);
  }
  // Labels beyond each tip: name, then score.
  for (const a of AXES) {
    const { name, score } = label(byId.get(a.dimension), lang);
    const tip = at(100, a.dx, a.dy);
    const x = tip.x + a.dx * 12;
    const y = tip.y + a.dy * 16 + (a.dy < 0 ? -18 : a.dy > 0 ? 14 : -4);
    const anchor = a.dx > 0 ? 'start' : a.dx < 0 ? 'end' : 'middle';
    parts.push(labelText(a.dimension, x, y, anchor, name, score, '#1d2330', a.dy < 0));
  }
  const e = label(env, lang);
  parts.push(labelText(ENVIRONMENT, width - 8, height - 24, 'end', e.name, e.score, '#0072B2', true));
  parts.push('</svg>');
  return parts.join('\n');
}
