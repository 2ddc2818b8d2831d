/** A tiny element builder: the renderer's only DOM primitive (no framework, no innerHTML, nothing to escape). */
export type Child = Node | string | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Replaces the content of `root`, keeping focus on the element with the same id if it is still there. */
export function replaceContent(root: HTMLElement, ...nodes: Node[]): void {
  const active = document.activeElement;
  const focusId = active instanceof HTMLElement && root.contains(active) ? active.id : '';
  const caret = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement ? active.selectionStart : null;
  root.replaceChildren(...nodes);
  if (!focusId) return;
  const again = document.getElementById(focusId);
  if (!again) return;
  again.focus({ preventScroll: true });
  if (caret !== null && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
    try {
      again.setSelectionRange(caret, caret);
    } catch {
      // inputs of some types have no selection
    }
  }
}
