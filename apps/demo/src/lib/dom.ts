/**
 * An `on*` listener. A method type, so TypeScript checks the parameter bivariantly: a handler of
 * `MouseEvent`, `KeyboardEvent`... fits where the key does not say which event it gets.
 */
export type Listener = { bivariant(e: Event): void }['bivariant'];
/** Attributes and properties accepted by `h`: strings become attributes, functions `on*` listeners. */
export type Attrs = Record<string, string | number | boolean | null | undefined | Listener>;
/** A child: a node, text, or nothing. */
export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element: `h('button', { class: 'primary', onclick: go }, 'Train')`. `on*` keys add
 * event listeners; `true` adds an empty attribute; `false`, null and undefined are skipped.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** Creates an SVG element with attributes. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/** Appends children (arrays flattened, empty ones skipped). */
export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

let uid = 0;
/** A fresh element id with a readable prefix (for label/for pairs). */
export function uniqueId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Formats a number compactly for display (3 significant digits, no trailing noise). */
export function fmtNum(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

/** A canvas sized for the device pixel ratio: CSS size w x h, backing store scaled. */
export function hiDpiCanvas(w: number, h_: number, attrs: Attrs = {}): HTMLCanvasElement {
  const c = h('canvas', attrs);
  sizeCanvas(c, w, h_);
  return c;
}

/** Resizes a canvas to CSS size w x h at the device pixel ratio and sets the context's scale. */
export function sizeCanvas(c: HTMLCanvasElement, w: number, h_: number): CanvasRenderingContext2D {
  const dpr = Math.min(globalThis.devicePixelRatio || 1, 2);
  c.width = Math.round(w * dpr);
  c.height = Math.round(h_ * dpr);
  c.style.width = `${w}px`;
  c.style.height = `${h_}px`;
  const ctx = c.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
