import { noGrad } from '@tessera/autograd';
import { checkOptions, type DType, Tensor, zeros } from '@tessera/tensor';
import type { AnyModule } from './module.js';

/** One module call seen by `summary`. */
export interface SummaryRow {
  /** Dotted name in the model ('conv1', 'features.0', ...). */
  name: string;
  /** Class name ('Conv2d', ...). */
  type: string;
  /** Nesting depth (1 for the model's children). */
  depth: number;
  /** Shape of the output (a list of shapes for multiple outputs; nested for nested outputs). */
  outputShape: unknown;
  /** Parameters of this module, its descendants included. */
  params: number;
}

/** What `summary` returns: the rows, the totals and the printable table (`toString()`). */
export interface ModelSummary {
  rows: SummaryRow[];
  /** All parameters (each counted once). */
  totalParams: number;
  /** Parameters that require grad. */
  trainableParams: number;
  /** Parameters that do not (frozen). */
  nonTrainableParams: number;
  /** Elements in buffers (running statistics): state that is not trained by gradients. */
  bufferElements: number;
  /** The table, Keras' model.summary() style. */
  toString(): string;
}

/** The shape(s) of a module's output. */
function shapeOf(out: unknown): unknown {
  if (out instanceof Tensor) return [...out.shape];
  if (Array.isArray(out)) return out.map(shapeOf);
  if (out !== null && typeof out === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(out)) o[k] = shapeOf(v);
    return o;
  }
  return out === null || out === undefined ? '-' : typeof out;
}

function fmtShape(s: unknown): string {
  if (typeof s === 'string') return s;
  if (Array.isArray(s)) {
    if (s.every((d) => typeof d === 'number')) return `[${s.join(', ')}]`;
    return `[${s.map(fmtShape).join(', ')}]`;
  }
  if (s !== null && typeof s === 'object') {
    return `{${Object.entries(s)
      .map(([k, v]) => `${k}: ${fmtShape(v)}`)
      .join(', ')}}`;
  }
  return String(s);
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Runs `model` once on an input of `input` (a shape, batch dim included, filled with zeros, or a
 * tensor; several for models with several inputs) without recording gradients and in eval mode
 * (restored afterwards), recording each submodule's output shape through forward hooks, and
 * returns a Keras-style summary: one row per submodule call (in call order, indented by depth)
 * with its output shape and parameter count, then total, trainable and non-trainable parameters.
 */
export function summary(
  model: AnyModule,
  input: readonly number[] | Tensor | readonly (readonly number[] | Tensor)[],
  opts: { dtype?: DType } = {},
): ModelSummary {
  checkOptions('summary', opts, { dtype: 'string' });
  const names = new Map<AnyModule, string>();
  for (const [name, m] of model.namedModules()) if (!names.has(m)) names.set(m, name);
  const rows: SummaryRow[] = [];
  const pending: SummaryRow[] = [];
  const handles: { remove(): void }[] = [];
  for (const [m, name] of names) {
    if (m === model) continue;
    const depth = name.split('.').length;
    handles.push(
      m.registerForwardPreHook((mod) => {
        const row: SummaryRow = {
          name: names.get(mod) ?? name,
          type: mod.constructor.name,
          depth,
          outputShape: '-',
          params: mod.parameters().reduce((a, p) => a + p.numel(), 0),
        };
        rows.push(row);
        pending.push(row);
      }),
      m.registerForwardHook((_mod, _inputs, out) => {
        const row = pending.pop();
        if (row !== undefined) row.outputShape = shapeOf(out);
      }),
    );
  }
  const dtype = opts.dtype ?? model.parameters()[0]?.dtype ?? 'float32';
  const device = model.parameters()[0]?.device;
  const isShape = (v: unknown) => Array.isArray(v) && v.every((d) => typeof d === 'number');
  const list = isShape(input)
    ? [input as readonly number[]]
    : input instanceof Tensor
      ? [input]
      : (input as (readonly number[] | Tensor)[]);
  const inputs = list.map((x) => (x instanceof Tensor ? x : zeros(x, { dtype, device })));
  const modes = [...model.modules()].map((m) => [m, m.training] as const);
  let out: unknown;
  try {
    model.eval();
    out = noGrad(() => model.call(...inputs));
  } finally {
    for (const h of handles) h.remove();
    for (const [m, t] of modes) m.training = t;
  }
  const params = model.parameters();
  const totalParams = params.reduce((a, p) => a + p.numel(), 0);
  const trainableParams = params.filter((p) => p.requiresGrad).reduce((a, p) => a + p.numel(), 0);
  const bufferElements = model.buffers().reduce((a, b) => a + b.numel(), 0);
  const table = render(model, rows, shapeOf(out), {
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    bufferElements,
  });
  return {
    rows,
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    bufferElements,
    toString: () => table,
  };
}

function render(
  model: AnyModule,
  rows: SummaryRow[],
  outShape: unknown,
  t: { totalParams: number; trainableParams: number; nonTrainableParams: number; bufferElements: number },
): string {
  const cells = rows.map((r) => [
    `${'  '.repeat(r.depth - 1)}${r.name} (${r.type})`,
    fmtShape(r.outputShape),
    count(r.params),
  ]);
  const head = ['Layer (type)', 'Output Shape', 'Param #'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padEnd(widths[1]!)}  ${c[2]!.padStart(widths[2]!)}`;
  const width = widths[0]! + widths[1]! + widths[2]! + 4;
  const out = [
    `Model: ${model.constructor.name}`,
    '='.repeat(width),
    line(head),
    '='.repeat(width),
    ...cells.map(line),
    '='.repeat(width),
    `Output shape: ${fmtShape(outShape)}`,
    `Total params: ${count(t.totalParams)}`,
    `Trainable params: ${count(t.trainableParams)}`,
    `Non-trainable params: ${count(t.nonTrainableParams)}`,
  ];
  if (t.bufferElements > 0) out.push(`Buffers (non-trainable state): ${count(t.bufferElements)}`);
  out.push('='.repeat(width));
  return out.join('\n');
}
