import { dyn, dynInts, type Field, ints } from '../params.js';
import { collapse, numel } from './strided.js';

/**
 * Kernels that work along one axis (scan, softmax, sort) see their operands as lines: the other
 * dims are collapsed into an outer iteration space, and each line is walked with one stride per
 * operand. `lineFields` packs that geometry (outer shape and strides as dynamic fields, so one
 * shader serves every rank); `lineBases` emits the WGSL that finds the start of
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
  const fields = [ints('lcount', [l.count, l.length, rank]), dynInts('lshape', l.outer)];
  l.outerStrides.forEach((s, k) => {
    fields.push(ints(`l${k}`, [l.offsets[k]!, l.inner[k]!]), dynInts(`l${k}s`, s));
  });
  return fields;
}

/**
 * WGSL declaring `base{k}: i32` (start of line `g` in operand k) and `step{k}: i32` (stride along
 * the line) for `n` operands; `lineCount` and `lineLen` too. The outer dims are walked by a
 * runtime loop (their count is a parameter), so one shader serves every rank.
 */
export function lineBases(at: Readonly<Record<string, number>>, n: number, g: string): string {
  const out = [`let lineCount = P[${at.lcount}];`, `let lineLen = P[${at.lcount! + 1}];`];
  for (let k = 0; k < n; k++) {
    const f = at[`l${k}`]!;
    out.push(`var base${k} = pi(${f}u);`, `let step${k} = pi(${f + 1}u);`);
  }
  const adds = Array.from(
    { length: n },
    (_, k) => `base${k} += lc * pi(${dyn(at, `l${k}s`)} + d - 1u);`,
  ).join(' ');
  out.push(
    `{ let ls = ${dyn(at, 'lshape')}; var lr = ${g}; for (var d = P[${at.lcount! + 2}]; d > 0u; d--) { let sz = P[ls + d - 1u]; let lc = i32(lr % sz); lr = lr / sz; ${adds} } }`,
  );
  return out.join('\n  ');
}
