import { collapse, forEachRow } from './iterate.js';

/**
 * Calls `line(offsets)` once for every 1-D line along `axis` of an iteration space of `shape`,
 * with `offsets[k]` the position of the line's first element in operand k (whose strides are
 * `strides[k]`, starting at `bases[k]`). The other dims are collapsed first, so the walk costs one
 * callback per line and no allocation per line. Used by scans, softmax, sort and argmax/argmin.
 */
export function forEachLine(
  shape: readonly number[],
  axis: number,
  strides: readonly (readonly number[])[],
  bases: readonly number[],
  line: (offsets: number[]) => void,
): void {
  const rest = shape.filter((_, d) => d !== axis);
  const c = collapse(
    rest,
    strides.map((s) => s.filter((_, d) => d !== axis)),
  );
  const last = c.shape.length - 1;
  const inner = c.strides.map((s) => s[last]!);
  const nops = strides.length;
  const cur = new Array<number>(nops).fill(0);
  forEachRow(c.shape, c.strides, bases, (off, n) => {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < nops; k++) cur[k] = off[k]! + i * inner[k]!;
      line(cur);
    }
  });
}
