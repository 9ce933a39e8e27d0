// Building the console's DOM without innerHTML: every value from the API becomes a text node, never markup.
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | null>;

/** h('button', { type: 'button' }, 'Save'): an element with attributes (false/null/undefined left out) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map((c) => (typeof c === 'number' ? String(c) : c)));
  return element;
}

export const $ = <T extends Element = HTMLElement>(selector: string, root: ParentNode = document) => root.querySelector<T>(selector);

/** A labelled input: the label wraps it, so a click or a screen reader finds it by its name. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement): HTMLLabelElement {
  return h('label', {}, label, input);
}

/**
 * A table; on a phone each row becomes a card whose cells are labelled by their column (data-label, see
 * styles.css). The wrapper is a focusable region, so a keyboard can scroll a wide table on a mid-size screen.
 */
export function table(caption: string, head: (string | [string, 'num'])[], rows: HTMLTableRowElement[]): HTMLElement {
  const names = head.map((c) => (typeof c === 'string' ? c : c[0]));
  for (const row of rows) {
    [...row.cells].forEach((cell, i) => {
      cell.dataset.label = names[i] ?? '';
      cell.replaceChildren(h('span', {}, ...cell.childNodes));
    });
  }
  const headRow = h('tr', {}, ...head.map((c) => (typeof c === 'string' ? h('th', { scope: 'col' }, c) : h('th', { scope: 'col', class: 'num' }, c[0]))));
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 },
    h('table', {}, h('caption', { class: 'visually-hidden' }, caption), h('thead', {}, headRow), h('tbody', {}, ...rows)),
  );
}

export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 10 ** minorDigits(currency),
  );
}

export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function when(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** Form values by input name. */
export function values(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));
}
