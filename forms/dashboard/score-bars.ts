/**
 * Sub-dimension scores as horizontal bars on the 0-100 scale, one block per dimension, as an SVG string; and the
 * half-up rounding the report prints (the server's aggregation.ts rule: cut to 12 significant digits, then round
 * half away from zero), which the dashboard cannot import from server/. A missing score is drawn as no bar and
 * "–", never as 0. DOM-free, so it is tested in Node; every bar carries data-id and data-value.
 */
import { wrapWords } from '../../schemas/text.js';
import { escapeXml } from './tally-chart.js';

export interface ScoreBar {
  id: string;
  label: string;
  value: number | null;
}

export interface ScoreGroup {
  label: string;
  bars: ScoreBar[];
}

const WIDTH = 760;
const LABEL = 300;
const PLOT = 400;
const BAR = 14;
const GAP = 5;
const GROUP_GAP = 12;
const TOP = 6;
/** Characters of a label line at 11 px that fit the label column (Cyrillic, the widest of the three languages). */
const LABEL_CHARS = 42;
const LINE_HEIGHT = 13;

export function roundHalfUp(value: number, decimals = 1): number {
  const factor = 10 ** decimals;
  const scaled = Number((Math.abs(value) * factor).toPrecision(12));
  return (Math.sign(value) * Math.floor(scaled + 0.5)) / factor;
}

/** A score as the report prints it ("46.9"), or "–" when missing. */
export function score(value: number | null): string {
  return value === null ? '–' : roundHalfUp(value).toFixed(1);
}

export function scoreBarsSvg(groups: ScoreGroup[], title: string): string {
  const parts: string[] = [];
  let y = TOP;
  for (const g of groups) {
    parts.push(`<text class="group-label" x="0" y="${y + 12}" font-size="12" font-weight="700">${escapeXml(g.label)}</text>`);
    y += 18;
    for (const b of g.bars) {
      const width = b.value === null ? 0 : (Math.max(0, Math.min(100, b.value)) / 100) * PLOT;
      // Long names wrap onto more lines (the row grows), never cut: Russian and Kazakh names run long.
      const lines = wrapWords(`${b.id} ${b.label}`, LABEL_CHARS);
      const spans = lines.map((line, k) => `<tspan x="${LABEL - 8}" dy="${k === 0 ? 0 : LINE_HEIGHT}">${escapeXml(line)}</tspan>`).join('');
      parts.push(`<text x="${LABEL - 8}" y="${y + BAR - 3}" text-anchor="end" font-size="11">${spans}</text>`);
      parts.push(`<rect class="bar${b.value === null ? ' missing' : ''}" data-id="${escapeXml(b.id)}" data-value="${b.value ?? ''}" x="${LABEL}" y="${y}" width="${width.toFixed(2)}" height="${BAR}" fill="#0072B2"><title>${escapeXml(`${b.id} ${b.label}: ${score(b.value)}`)}</title></rect>`);
      parts.push(`<text class="value" x="${(LABEL + width + 6).toFixed(2)}" y="${y + BAR - 3}" font-size="11">${score(b.value)}</text>`);
      y += BAR + (lines.length - 1) * LINE_HEIGHT + GAP;
    }
    y += GROUP_GAP;
  }
  const x = (t: number) => LABEL + (t / 100) * PLOT;
  const axis = [0, 25, 50, 75, 100].map((t) => `<line x1="${x(t)}" y1="${TOP}" x2="${x(t)}" y2="${y}" stroke="#d8dde6"/><text x="${x(t)}" y="${y + 14}" text-anchor="middle" font-size="11" fill="#555">${t}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="score-bars" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${WIDTH} ${y + 24}" width="100%" style="max-width:${WIDTH}px" font-family="system-ui, sans-serif">` +
    `<title>${escapeXml(title)}</title>${axis.join('')}${parts.join('')}</svg>`;
}
