/**
 * Questions as elements, for every answer type the schemas use: single choice (radios; scales in one row),
 * yes/no, integers and numbers, text, dates, and don't-know/refused as two distinct buttons wherever the item
 * accepts them. Grids render one row per item under the grid's shared question. Labels are bound to inputs,
 * errors are tied to their question with aria-describedby, and all of it works with the keyboard alone.
 */
import type { Item } from '../../schemas/items.js';
import { choiceCode, choiceValue, isSpecial, parseNumber, parseText, SPECIAL } from '../model/answer-input.js';
import type { Block } from '../model/pages.js';
import type { Texts } from '../model/texts.js';
import { h } from './dom.js';

export interface QuestionContext {
  texts: Texts;
  answers: Readonly<Record<string, unknown>>;
  /** Error message per item id, in the current language. */
  errors: ReadonlyMap<string, string>;
  required(item: Item): boolean;
  /** Called on every change, keystrokes included; the page is patched, never redrawn. */
  onAnswer(item: Item, value: unknown): void;
}

const errorId = (item: Item) => `e-${item.id}`;

function errorLine(item: Item, ctx: QuestionContext): HTMLElement | null {
  const message = ctx.errors.get(item.id);
  return message ? h('p', { class: 'error', id: errorId(item) }, message) : null;
}

function specialButtons(item: Item, ctx: QuestionContext): HTMLElement | null {
  if (!item.special) return null;
  const value = ctx.answers[item.id];
  return h('div', { class: 'special' }, SPECIAL.map((code) => h('button', {
    type: 'button', id: `q-${item.id}-${code}`, 'aria-pressed': value === code ? 'true' : 'false', 'data-special': code,
    onclick: () => ctx.onAnswer(item, ctx.answers[item.id] === code ? undefined : code),
  }, ctx.texts.option(item, code))));
}

function choiceOptions(item: Item, ctx: QuestionContext, labelledBy: string): HTMLElement {
  const value = ctx.answers[item.id];
  const scale = item.codes.every((c) => typeof c === 'number');
  const cls = `options${scale ? ' scale' : item.codes.length > 6 ? ' cols' : ''}`;
  const options = h('div', { class: cls, role: 'radiogroup', 'aria-labelledby': labelledBy }, item.codes.map((code, i) => {
    const id = `q-${item.id}-${i}`;
    const text = ctx.texts.option(item, code);
    return h('label', { class: 'option', for: id },
      h('input', {
        type: 'radio', id, name: item.id, value: choiceValue(item, code), checked: value === code,
        // A scale shows its numbers; the words of its end points are read out with them.
        'aria-label': scale ? text : null,
        'aria-describedby': ctx.errors.has(item.id) ? errorId(item) : null,
        onchange: (e: Event) => ctx.onAnswer(item, choiceCode(item, (e.target as HTMLInputElement).value)),
      }),
      h('span', {}, scale ? String(code) : text));
  }));
  return scale ? h('div', {}, options, scaleEnds(item, ctx)) : options;
}

/** Under a 1-10 scale: what its first and last points mean (the labels that say more than the number). */
function scaleEnds(item: Item, ctx: QuestionContext): HTMLElement | null {
  const ends = [item.codes[0], item.codes.at(-1)].map((code) => ctx.texts.option(item, code)).filter((text, i) => text !== String(i === 0 ? item.codes[0] : item.codes.at(-1)));
  return ends.length === 2 ? h('p', { class: 'scale-ends', 'aria-hidden': 'true' }, h('span', {}, ends[0]), h('span', {}, ends[1])) : null;
}

function fieldInput(item: Item, ctx: QuestionContext): HTMLElement {
  const value = ctx.answers[item.id];
  const shown = value === undefined || isSpecial(value) ? '' : String(value);
  const numeric = item.kind === 'integer' || item.kind === 'number';
  const common = {
    id: `q-${item.id}`, name: item.id,
    'aria-describedby': [ctx.errors.has(item.id) ? errorId(item) : '', ctx.texts.hint(item) ? `h-${item.id}` : ''].filter(Boolean).join(' ') || null,
    'aria-invalid': ctx.errors.has(item.id) ? 'true' : null, 'aria-required': ctx.required(item) ? 'true' : null,
  };
  const read = (e: Event) => {
    const text = (e.target as HTMLInputElement | HTMLTextAreaElement).value;
    return numeric ? parseNumber(text) : parseText(text);
  };
  const handlers = { oninput: (e: Event) => ctx.onAnswer(item, read(e)), onchange: (e: Event) => ctx.onAnswer(item, read(e)) };
  if (item.kind === 'text' && (item.maxLength ?? 0) > 200) return h('textarea', { ...common, ...handlers, maxlength: item.maxLength }, shown);
  if (item.kind === 'date') return h('input', { ...common, ...handlers, type: 'date', value: shown });
  return h('input', {
    ...common, ...handlers, type: 'text', value: shown, autocomplete: 'off',
    inputmode: item.kind === 'integer' ? 'numeric' : item.kind === 'number' ? 'decimal' : null, maxlength: item.maxLength,
  });
}

function hintLine(item: Item, ctx: QuestionContext): HTMLElement | null {
  const hint = ctx.texts.hint(item);
  return hint ? h('p', { class: 'hint', id: `h-${item.id}` }, hint) : null;
}

export function renderItem(item: Item, ctx: QuestionContext, inGrid = false): HTMLElement {
  const invalid = ctx.errors.has(item.id);
  const cls = `question${inGrid ? ' grid-row' : ''}${invalid ? ' invalid' : ''}`;
  if (item.kind === 'choice') {
    const legendId = `l-${item.id}`;
    return h('fieldset', { class: cls, id: `f-${item.id}`, 'data-item': item.id, 'aria-describedby': invalid ? errorId(item) : null },
      h('legend', { id: legendId }, ctx.texts.label(item)),
      hintLine(item, ctx), choiceOptions(item, ctx, legendId), specialButtons(item, ctx), errorLine(item, ctx));
  }
  return h('div', { class: cls, id: `f-${item.id}`, 'data-item': item.id },
    h('label', { class: 'field', for: `q-${item.id}` }, ctx.texts.label(item)),
    hintLine(item, ctx), fieldInput(item, ctx), specialButtons(item, ctx), errorLine(item, ctx));
}

/** What identifies a block on the page: its item, or its grid (one run per page; its rows are keyed by item). */
export function blockKey(block: Block): string {
  return block.kind === 'item' ? block.item.id : `grid:${block.grid}`;
}

function keyed(el: HTMLElement, key: string): HTMLElement {
  el.dataset.block = key;
  return el;
}

export function renderBlock(block: Block, ctx: QuestionContext): HTMLElement {
  if (block.kind === 'item') return keyed(renderItem(block.item, ctx), blockKey(block));
  return keyed(h('section', { class: 'grid', 'aria-labelledby': `g-${block.grid}` },
    h('p', { class: 'grid-intro', id: `g-${block.grid}` }, ctx.texts.grid(block.grid)),
    block.items.map((item) => keyed(renderItem(item, ctx, true), item.id))), blockKey(block));
}

/**
 * Makes the keyed children of `container` (those with data-block) exactly `wanted`, in order: missing ones are
 * rendered and inserted, unwanted ones removed, the rest left untouched (never moved: moving an element blurs it).
 * Children without a key (a grid's intro) stay where they are.
 */
function patchKeyed(container: HTMLElement, wanted: Array<{ key: string; render: () => HTMLElement }>): void {
  const keys = new Set(wanted.map((w) => w.key));
  const existing = new Map<string, HTMLElement>();
  for (const el of Array.from(container.children) as HTMLElement[]) {
    const key = el.dataset.block;
    if (key === undefined) continue;
    if (keys.has(key)) existing.set(key, el);
    else el.remove();
  }
  let previous: HTMLElement | null = null;
  for (const { key, render } of wanted) {
    let el = existing.get(key);
    if (!el) {
      el = render();
      if (previous) previous.after(el);
      else {
        const first = Array.from(container.children).find((c) => (c as HTMLElement).dataset.block !== undefined);
        if (first) first.before(el);
        else container.append(el);
      }
    }
    previous = el;
  }
}

/**
 * Brings the page's questions in line with `blocks` after an answer, touching only what changed: a follow-up that
 * appears is inserted (a grid row within its grid), one that no longer applies is removed, and every other element
 * stays where it is. Nothing is redrawn under the interviewer's finger (a redraw between touch and click loses the
 * tap) and focus stays put.
 */
export function patchBlocks(container: HTMLElement, blocks: Block[], ctx: QuestionContext): void {
  patchKeyed(container, blocks.map((b) => ({ key: blockKey(b), render: () => renderBlock(b, ctx) })));
  for (const block of blocks) {
    if (block.kind !== 'grid') continue;
    const grid = Array.from(container.children).find((c) => (c as HTMLElement).dataset.block === blockKey(block)) as HTMLElement | undefined;
    if (grid) patchKeyed(grid, block.items.map((item) => ({ key: item.id, render: () => keyed(renderItem(item, ctx, true), item.id) })));
  }
}

/**
 * Shows an item's current answer in its existing controls (after don't know/refused, or an answer set elsewhere):
 * radios, the special buttons, a field that is not being typed in; and drops its error once it is answered well.
 */
export function syncItem(root: HTMLElement, item: Item, ctx: QuestionContext): void {
  const box = root.querySelector<HTMLElement>(`#f-${CSS.escape(item.id)}`);
  if (!box) return;
  const value = ctx.answers[item.id];
  for (const radio of Array.from(box.querySelectorAll<HTMLInputElement>('input[type=radio]'))) radio.checked = value !== undefined && radio.value === choiceValue(item, value);
  for (const button of Array.from(box.querySelectorAll<HTMLElement>('[data-special]'))) button.setAttribute('aria-pressed', String(value === button.dataset.special));
  const field = box.querySelector<HTMLInputElement | HTMLTextAreaElement>(`#q-${CSS.escape(item.id)}`);
  if (field && field !== document.activeElement) field.value = value === undefined || isSpecial(value) ? '' : String(value);
  if (!ctx.errors.has(item.id)) {
    box.classList.remove('invalid');
    box.querySelector(`#${CSS.escape(errorId(item))}`)?.remove();
    field?.removeAttribute('aria-invalid');
  }
}
