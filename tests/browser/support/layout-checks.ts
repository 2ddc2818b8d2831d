/**
 * Layout checks any page test can run on whatever the page shows: text wider than its box (an element's scrollWidth
 * beyond its clientWidth, the test issue 17 asks for), SVG text drawn outside its drawing (clipped, like the Diamond's
 * "4." once was), boxes that scroll sideways, and the page itself scrolling sideways. Each returns what it found, so
 * a test can say which element in which language broke, and the caller decides what is allowed where.
 */
import type { Page } from 'playwright-core';

/** The two widths every page must fit: a laptop or desktop screen, and a small laptop or a tablet held upright. */
export const DESKTOP = { width: 1440, height: 900 };
export const NARROW = { width: 800, height: 1280 };

export interface Overflow {
  /** A CSS path to the element (tag, id, classes), enough to find it. */
  where: string;
  text: string;
  scrollWidth: number;
  clientWidth: number;
}

export interface LayoutReport {
  /** Block-level elements holding text of their own whose content is wider than their box. */
  clippedText: Overflow[];
  /** SVG text extending beyond its SVG's box (cut off: an SVG does not draw outside itself). */
  clippedSvgText: Overflow[];
  /** Elements that scroll sideways (overflow-x auto or scroll) with more content than width. */
  sidewaysScrollers: Overflow[];
  /** The document's own width against the viewport's. */
  page: { scrollWidth: number; clientWidth: number };
}

/** Measures everything visible on the page as it is now. */
export function layoutReport(page: Page): Promise<LayoutReport> {
  return page.evaluate(() => {
    const where = (el: Element): string => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
        parts.unshift(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${[...e.classList].slice(0, 2).map((c) => `.${c}`).join('')}`);
      }
      return parts.join(' > ');
    };
    const ownText = (el: Element) => [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('').trim();
    const visible = (el: Element) => el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true });
    const clippedText: Overflow[] = [];
    const sidewaysScrollers: Overflow[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (!(el instanceof HTMLElement) || !visible(el)) continue;
      const style = getComputedStyle(el);
      if (style.overflowX === 'auto' || style.overflowX === 'scroll') {
        if (el.scrollWidth > el.clientWidth + 1) sidewaysScrollers.push({ where: where(el), text: (el.textContent ?? '').trim().slice(0, 60), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth });
      }
      // Inline boxes have no clientWidth; their text is measured by the block that holds it.
      if (style.display === 'inline' || style.display === 'contents') continue;
      // Text for screen readers only is clipped to a pixel on purpose.
      if (el.closest('.visually-hidden')) continue;
      const text = ownText(el);
      if (text === '' || el.clientWidth === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1) clippedText.push({ where: where(el), text: text.slice(0, 80), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth });
    }
    const clippedSvgText: Overflow[] = [];
    for (const t of document.querySelectorAll('svg text')) {
      const svg = t.closest('svg');
      if (!svg || !visible(svg) || (t.textContent ?? '').trim() === '') continue;
      const box = svg.getBoundingClientRect();
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        clippedSvgText.push({ where: where(t), text: (t.textContent ?? '').trim().slice(0, 80), scrollWidth: Math.round(r.width), clientWidth: Math.round(box.width) });
      }
    }
    const root = document.documentElement;
    return { clippedText, clippedSvgText, sidewaysScrollers, page: { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth } };
  });
}
