import { type Attrs, h, uniqueId } from './dom.js';

/** One choice of a select: value and label. */
export interface Option<T extends string | number> {
  value: T;
  label: string;
}

/** A labelled `<select>`; `onChange` gets the chosen value (typed as the options' values). */
export function selectField<T extends string | number>(
  label: string,
  options: readonly Option<T>[],
  value: T,
  onChange: (v: T) => void,
  attrs: Attrs = {},
): { root: HTMLElement; input: HTMLSelectElement; set(v: T): void } {
  const id = uniqueId('sel');
  const input = h(
    'select',
    { id, ...attrs },
    options.map((o) => h('option', { value: String(o.value) }, o.label)),
  );
  const set = (v: T) => {
    input.value = String(v);
  };
  set(value);
  input.addEventListener('change', () => {
    const o = options.find((x) => String(x.value) === input.value);
    if (o) onChange(o.value);
  });
  const root = h('div', { class: 'field' }, h('label', { for: id }, label), input);
  return { root, input, set };
}

/**
 * A labelled range slider over a list of allowed values (so it can be logarithmic), showing the
 * current value; arrow keys step through the list.
 */
export function rangeField(
  label: string,
  values: readonly number[],
  value: number,
  onChange: (v: number) => void,
  format: (v: number) => string = String,
  attrs: Attrs = {},
): { root: HTMLElement; input: HTMLInputElement; set(v: number): void } {
  const id = uniqueId('rng');
  const out = h('output', { for: id });
  const input = h('input', { id, type: 'range', min: 0, max: values.length - 1, step: 1, ...attrs });
  const nearest = (v: number) => {
    let best = 0;
    values.forEach((x, i) => {
      if (Math.abs(x - v) < Math.abs(values[best]! - v)) best = i;
    });
    return best;
  };
  const set = (v: number) => {
    const i = nearest(v);
    input.value = String(i);
    out.textContent = format(values[i]!);
    input.setAttribute('aria-valuetext', format(values[i]!));
  };
  set(value);
  input.addEventListener('input', () => {
    const v = values[Number(input.value)]!;
    out.textContent = format(v);
    input.setAttribute('aria-valuetext', format(v));
    onChange(v);
  });
  const root = h('div', { class: 'field range' }, h('label', { for: id }, label, ' ', out), input);
  return { root, input, set };
}

/** A button with an accessible label (text, or `aria-label` for icon buttons). */
export function button(text: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  return h('button', { type: 'button', ...attrs, onclick: onClick }, text);
}

/** A labelled checkbox. */
export function checkField(
  label: string,
  checked: boolean,
  onChange: (v: boolean) => void,
  attrs: Attrs = {},
): { root: HTMLElement; input: HTMLInputElement } {
  const id = uniqueId('chk');
  const input = h('input', { id, type: 'checkbox', ...attrs });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  return { root: h('label', { class: 'check', for: id }, input, label), input };
}

/** A titled panel (a section with a heading). */
export function panel(title: string, ...children: (Node | string | null)[]): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}

/**
 * A statistic shown as a key over a value (`el`); write the value into `v`. `testId` is the
 * value's `data-testid` (the browser tests read it); the value starts as a dash.
 */
export function stat(key: string, testId?: string): { el: HTMLElement; v: HTMLElement } {
  const v = h('span', { class: 'v', 'data-testid': testId }, '–');
  return { el: h('div', { class: 'stat' }, h('span', { class: 'k' }, key), v), v };
}
