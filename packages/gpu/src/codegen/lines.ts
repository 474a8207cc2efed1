import { type Field, ints } from '../params.js';
import { collapse, numel } from './strided.js';

/**
 * Kernels that work along one axis (scan, softmax, sort) see their operands as lines: the other
 * dims are collapsed into an outer iteration space, and each line is walked with one stride per
 * operand. `lineFields` packs that geometry; `lineBases` emits the WGSL that finds the start of
 * line `g` in every operand.
 */
export interface Lines {
  /** Number of lines. */
  count: number;
  /** Length of each line. */
  length: number;
  /** Collapsed outer shape and, per operand, its outer strides. */
  outer: number[];
  outerStrides: number[][];
  /** Per operand: stride along the axis and offset. */
  inner: number[];
  offsets: number[];
}

/** Splits a shape into lines along `axis` for operands with the given strides and offsets. */
export function lines(
  shape: readonly number[],
  axis: number,
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
): Lines {
  const c = collapse(
    shape.filter((_, d) => d !== axis),
    strides.map((s) => s.filter((_, d) => d !== axis)),
  );
  return {
    count: numel(shape.filter((_, d) => d !== axis)),
    length: shape[axis] ?? 1,
    outer: c.shape,
    outerStrides: c.strides,
    inner: strides.map((s) => s[axis] ?? 0),
    offsets: [...offsets],
  };
}

/** Parameter fields of a line geometry (names prefixed `l`). */
export function lineFields(l: Lines): Field[] {
  const rank = l.outer.length;
  const fields = [ints('lcount', [l.count, l.length]), ints('lshape', rank > 0 ? l.outer : [1])];
  l.outerStrides.forEach((s, k) => {
    fields.push(ints(`l${k}`, [l.offsets[k]!, l.inner[k]!, ...(rank > 0 ? s : [0])]));
  });
  return fields;
}

/**
 * WGSL declaring `base{k}: i32` (start of line `g` in operand k) and `step{k}: i32` (stride along
 * the line) for `n` operands; `lineCount` and `lineLen` too.
 */
export function lineBases(at: Readonly<Record<string, number>>, rank: number, n: number, g: string): string {
  const out = [`let lineCount = P[${at.lcount}];`, `let lineLen = P[${at.lcount! + 1}];`];
  for (let k = 0; k < n; k++) {
    const f = at[`l${k}`]!;
    out.push(`var base${k} = pi(${f}u);`, `let step${k} = pi(${f + 1}u);`);
  }
  if (rank > 0) {
    out.push(`var lr = ${g};`);
    for (let d = rank - 1; d >= 0; d--) {
      const sz = `P[${at.lshape! + d}]`;
      const adds = Array.from({ length: n }, (_, k) => `base${k} += i32(lc) * pi(${at[`l${k}`]! + 2 + d}u);`).join(' ');
      out.push(`{ let lc = lr % ${sz}; lr = lr / ${sz}; ${adds} }`);
    }
  }
  return out.join('\n  ');
}
