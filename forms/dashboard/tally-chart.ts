/**
 * Bars with confidence intervals for one item's tallies, as an SVG string: one block per group (everyone first,
 * then each breakdown group), one bar per answer category in a colour-blind-safe palette, whiskers for the 95%
 * interval, the value at the end of the bar. Small groups are drawn faded and starred. DOM-free so it is tested
 * in Node; every mark carries data-* attributes with its numbers.
 */

export interface ChartBar {
  category: string;
  label: string;
  estimate: number;
  low: number;
  high: number;
}

export interface ChartGroup {
  label: string;
  small: boolean;
  bars: ChartBar[];
}

export interface ChartOptions {
  /** Shares (0-1, drawn as percentages on a 0-100% axis) or means (an axis from 0 to the largest upper bound). */
  share: boolean;
  /** The accessible name of the chart (the page shows the question as a heading above it). */
  title: string;
}

/** Okabe-Ito, then greys: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#999999', '#666666'];

const WIDTH = 760;
const LABEL = 190;
const PLOT = 470;
const BAR = 14;
const GAP = 4;
const GROUP_GAP = 14;
const TOP = 10;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** A round axis maximum: 1, 2 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value) as number) * power;
}

function format(value: number, share: boolean): string {
  if (!Number.isFinite(value)) return '–';
  return share ? `${(value * 100).toFixed(1)}%` : value.toFixed(2);
}

export function tallyChartSvg(groups: ChartGroup[], options: ChartOptions): string {
  const { share } = options;
  const max = share ? 1 : niceMax(Math.max(0, ...groups.flatMap((g) => g.bars.map((b) => (Number.isFinite(b.high) ? b.high : b.estimate)))));
  const x = (v: number) => LABEL + (Math.max(0, Math.min(max, Number.isFinite(v) ? v : 0)) / max) * PLOT;
  const categories = [...new Map(groups.flatMap((g) => g.bars.map((b) => [b.category, b.label] as const))).entries()];
  const colour = (category: string) => PALETTE[categories.findIndex(([c]) => c === category) % PALETTE.length] as string;
  const parts: string[] = [];
  let y = TOP;
  if (categories.length > 1) {
    // Legend items flow in rows across the plot, each as wide as its label (Cyrillic at 11 px runs to about 7 px a
    // character), so long answer labels never run into each other.
    let lx = LABEL;
    for (const [category, label] of categories) {
      const width = 16 + label.length * 7 + 16;
      if (lx > LABEL && lx + width > WIDTH) {
        lx = LABEL;
        y += 18;
      }
      parts.push(`<g class="legend" data-category="${escapeXml(category)}"><rect x="${lx}" y="${y}" width="12" height="12" fill="${colour(category)}"/><text x="${lx + 16}" y="${y + 10}" font-size="11">${escapeXml(label)}</text></g>`);
      lx += width;
    }
    y += 22;
  }
  const plotTop = y;
  for (const group of groups) {
    const height = group.bars.length * (BAR + GAP);
    parts.push(`<g class="group${group.small ? ' small' : ''}" data-group="${escapeXml(group.label)}"${group.small ? ' opacity="0.45"' : ''}>`);
    parts.push(`<text x="${LABEL - 8}" y="${y + height / 2 + 4}" text-anchor="end" font-size="12" font-weight="600">${escapeXml(group.label)}${group.small ? ' *' : ''}</text>`);
    for (const bar of group.bars) {
      const data = `data-category="${escapeXml(bar.category)}" data-estimate="${bar.estimate}" data-low="${bar.low}" data-high="${bar.high}"`;
      parts.push(`<rect class="bar" ${data} x="${LABEL}" y="${y}" width="${(x(bar.estimate) - LABEL).toFixed(2)}" height="${BAR}" fill="${colour(bar.category)}"><title>${escapeXml(`${bar.label}: ${format(bar.estimate, share)} (${format(bar.low, share)} – ${format(bar.high, share)})`)}</title></rect>`);
      if (Number.isFinite(bar.low) && Number.isFinite(bar.high)) {
        const mid = y + BAR / 2;
        parts.push(`<path class="ci" d="M${x(bar.low).toFixed(2)} ${mid}H${x(bar.high).toFixed(2)}M${x(bar.low).toFixed(2)} ${mid - 4}V${mid + 4}M${x(bar.high).toFixed(2)} ${mid - 4}V${mid + 4}" stroke="#222" stroke-width="1.2" fill="none"/>`);
      }
      parts.push(`<text x="${Math.max(x(bar.estimate), Number.isFinite(bar.high) ? x(bar.high) : 0) + 6}" y="${y + BAR - 3}" font-size="11">${format(bar.estimate, share)}</text>`);
      y += BAR + GAP;
    }
    parts.push('</g>');
    y += GROUP_GAP;
  }
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => t * max);
  const axis = ticks.map((t) => `<line x1="${x(t)}" y1="${plotTop - 4}" x2="${x(t)}" y2="${y}" stroke="#d8dde6"/><text x="${x(t)}" y="${y + 14}" text-anchor="middle" font-size="11" fill="#555">${format(t, share).replace('.0%', '%')}</text>`);
  const total = y + 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="tally-chart" role="img" aria-label="${escapeXml(options.title)}" viewBox="0 0 ${WIDTH} ${total}" width="100%" style="max-width:${WIDTH}px" font-family="system-ui, sans-serif">` +
    `<title>${escapeXml(options.title)}</title>${axis.join('')}${parts.join('')}</svg>`;
}
