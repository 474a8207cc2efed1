import type { Tensor } from '../tensor.js';
import { mul } from './elementwise.js';
import { matmul } from './linalg.js';
import { diagonal, permute, reshape } from './movement.js';
import { sum } from './reduce.js';
import { checkTensor } from './util.js';

// einsum as a composite: repeated subscripts within an operand become diagonals, subscripts seen
// by one operand only and not kept are summed, and each pair of operands is contracted (left to
// right) by permuting and reshaping both into a batched matmul [batch, M, K] @ [batch, K, N]
// (or a broadcast multiply when nothing is contracted). Every step is a recorded op.

/** Internal label ids: letters use their char code; ellipsis dims use ELLIPSIS + position. */
const ELLIPSIS = 1000;

interface Term {
  t: Tensor;
  labels: number[];
}

/**
 * Einstein summation, like `torch.einsum`: `einsum('ij,jk->ik', a, b)` is a matrix product,
 * `'ii->'` a trace, `'ii->i'` a diagonal, `'ij->ji'` a transpose, `'bij,bjk->bik'` a batched
 * product, `'...ij,...jk'` broadcasts leading dims. Without `->` the output holds the subscripts
 * that occur exactly once, in alphabetical order (after any ellipsis dims).
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (typeof equation !== 'string')
    throw new TypeError(`einsum: equation must be a string, got ${typeof equation}`);
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  if (arrow !== eq.lastIndexOf('->'))
    throw new SyntaxError(`einsum: equation '${equation}' has more than one '->'`);
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const terms = lhs.split(',');
  if (operands.length === 0)
    throw new RangeError(`einsum: equation '${equation}' needs at least one operand`);
  if (terms.length !== operands.length) {
    throw new RangeError(
      `einsum: equation '${equation}' has ${terms.length} operand(s) but ${operands.length} tensor(s) were given`,
    );
  }
  for (let i = 0; i < operands.length; i++) checkTensor('einsum', operands[i], `operand ${i}`);
  const parsed = terms.map((s) => parseTerm(equation, s));
  // Ellipsis ranks, right-aligned across operands so they broadcast like NumPy.
  const ranks = parsed.map((p, i) => {
    const nd = operands[i]!.ndim;
    if (!p.ellipsis) {
      if (p.letters.length !== nd) {
        throw new RangeError(
          `einsum: operand ${i} has ${nd} dim(s) (shape [${operands[i]!.shape.join(',')}]) but subscripts '${terms[i]}' name ${p.letters.length}`,
        );
      }
      return 0;
    }
    const r = nd - (p.letters.length - 1);
    if (r < 0) {
      throw new RangeError(
        `einsum: operand ${i} has ${nd} dim(s) (shape [${operands[i]!.shape.join(',')}]), fewer than subscripts '${terms[i]}' name`,
      );
    }
    return r;
  });
  const R = Math.max(0, ...ranks);
  const inputs: Term[] = parsed.map((p, i) => ({
    t: operands[i]!,
    labels: p.letters.flatMap((c) =>
      c === -1 ? range(ranks[i]!).map((e) => ELLIPSIS + R - ranks[i]! + e) : [c],
    ),
  }));
  checkSizes(equation, inputs);

  let output: number[];
  if (arrow >= 0) {
    const out = parseTerm(equation, eq.slice(arrow + 2));
    output = out.letters.flatMap((c) => (c === -1 ? range(R).map((e) => ELLIPSIS + e) : [c]));
    const seen = new Set<number>();
    for (const l of output) {
      if (seen.has(l))
        throw new SyntaxError(
          `einsum: output subscript '${labelName(l)}' appears more than once in '${equation}'`,
        );
      seen.add(l);
      if (l < ELLIPSIS && !inputs.some((x) => x.labels.includes(l))) {
        throw new SyntaxError(
          `einsum: output subscript '${labelName(l)}' does not appear in any input of '${equation}'`,
        );
      }
    }
  } else {
    const count = new Map<number, number>();
    for (const x of inputs) for (const l of x.labels) count.set(l, (count.get(l) ?? 0) + 1);
    const letters = [...count].filter(([l, c]) => l < ELLIPSIS && c === 1).map(([l]) => l);
    output = [...range(R).map((e) => ELLIPSIS + e), ...letters.sort((p, q) => p - q)];
  }

  // Contract left to right; labels needed later (by the output or a later operand) are kept.
  let cur = takeDiagonals(inputs[0]!);
  for (let i = 1; i < inputs.length; i++) {
    const keep = new Set(output);
    for (let j = i + 1; j < inputs.length; j++) for (const l of inputs[j]!.labels) keep.add(l);
    cur = contract(cur, takeDiagonals(inputs[i]!), keep);
  }
  cur = sumLabels(cur, (l) => !output.includes(l));
  const perm = output.map((l) => cur.labels.indexOf(l));
  return perm.every((p, i) => p === i) ? cur.t : permute(cur.t, perm);
}

/** Parses one subscript string into letter codes, with -1 marking '...'. */
function parseTerm(equation: string, s: string): { letters: number[]; ellipsis: boolean } {
  const letters: number[] = [];
  let ellipsis = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '.') {
      if (s.slice(i, i + 3) !== '...')
        throw new SyntaxError(`einsum: invalid '.' in '${equation}' (use '...')`);
      if (ellipsis)
        throw new SyntaxError(`einsum: more than one '...' in subscripts '${s}' of '${equation}'`);
      ellipsis = true;
      letters.push(-1);
      i += 2;
    } else if (/[a-zA-Z]/.test(c)) {
      letters.push(c.charCodeAt(0));
    } else {
      throw new SyntaxError(
        `einsum: invalid subscript '${c}' in '${equation}' (letters a-z, A-Z and '...' only)`,
      );
    }
  }
  return { letters, ellipsis };
}

/** Checks that every label has one size across operands (size 1 broadcasts). */
function checkSizes(equation: string, inputs: readonly Term[]): void {
  for (const x of inputs) {
    for (let d = 0; d < x.labels.length; d++) {
      const e = x.labels.indexOf(x.labels[d]!);
      if (e !== d && x.t.shape[e] !== x.t.shape[d]) {
        throw new RangeError(
          `einsum: repeated subscript '${labelName(x.labels[d]!)}' spans dims of different sizes (${x.t.shape[e]} and ${x.t.shape[d]}) in '${equation}'`,
        );
      }
    }
  }
  const size = new Map<number, number>();
  inputs.forEach((x, i) => {
    x.labels.forEach((l, d) => {
      const s = x.t.shape[d]!;
      const prev = size.get(l);
      if (prev === undefined || prev === 1) size.set(l, s);
      else if (s !== prev && s !== 1) {
        throw new RangeError(
          `einsum: subscript '${labelName(l)}' has size ${s} in operand ${i} (shape [${x.t.shape.join(',')}]) but size ${prev} elsewhere in '${equation}'`,
        );
      }
    });
  });
}

function labelName(l: number): string {
  return l >= ELLIPSIS ? '...' : String.fromCharCode(l);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Replaces each subscript repeated within one operand by its diagonal (moved last). */
function takeDiagonals(x: Term): Term {
  let { t, labels } = x;
  for (;;) {
    const d2 = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (d2 < 0) return { t, labels };
    const l = labels[d2]!;
    const d1 = labels.indexOf(l);
    t = diagonal(t, 0, d1, d2);
    labels = [...labels.filter((_, i) => i !== d1 && i !== d2), l];
  }
}

/** Sums away the dims whose label satisfies `drop`. */
function sumLabels(x: Term, drop: (l: number) => boolean): Term {
  const dims = x.labels.flatMap((l, d) => (drop(l) ? [d] : []));
  if (dims.length === 0) return x;
  return { t: sum(x.t, dims, false), labels: x.labels.filter((l) => !drop(l)) };
}

/** Contracts two operands over their shared labels not in `keep`. */
function contract(a: Term, b: Term, keep: ReadonlySet<number>): Term {
  a = sumLabels(a, (l) => !keep.has(l) && !b.labels.includes(l));
  b = sumLabels(b, (l) => !keep.has(l) && !a.labels.includes(l));
  // A contracted label of size 1 on one side only: sum it on the other side, drop it on this one.
  for (const l of a.labels.filter((x) => b.labels.includes(x) && !keep.has(x))) {
    const sa = a.t.shape[a.labels.indexOf(l)]!;
    const sb = b.t.shape[b.labels.indexOf(l)]!;
    if (sa === sb) continue;
    const [one, other] = sa === 1 ? [a, b] : [b, a];
    const reduced = sumLabels(other, (x) => x === l);
    const dropped = sumLabels(one, (x) => x === l);
    if (sa === 1) [a, b] = [dropped, reduced];
    else [a, b] = [reduced, dropped];
  }
  const shared = a.labels.filter((l) => b.labels.includes(l));
  const kLabels = shared.filter((l) => !keep.has(l));
  if (kLabels.length === 0) {
    // Nothing to sum over: a broadcast multiply in the union of both label lists.
    const labels = [...a.labels, ...b.labels.filter((l) => !a.labels.includes(l))];
    return { t: mul(align(a, labels), align(b, labels)), labels };
  }
  const batch = shared.filter((l) => keep.has(l));
  const mLabels = a.labels.filter((l) => !b.labels.includes(l));
  const nLabels = b.labels.filter((l) => !a.labels.includes(l));
  const sizeOf = (x: Term, ls: readonly number[]): number[] => ls.map((l) => x.t.shape[x.labels.indexOf(l)]!);
  const prod = (xs: readonly number[]): number => xs.reduce((p, q) => p * q, 1);
  const ms = sizeOf(a, mLabels);
  const ns = sizeOf(b, nLabels);
  const ks = sizeOf(a, kLabels);
  const ta = reshape(arrange(a, [...batch, ...mLabels, ...kLabels]), [
    ...sizeOf(a, batch),
    prod(ms),
    prod(ks),
  ]);
  const tb = reshape(arrange(b, [...batch, ...kLabels, ...nLabels]), [
    ...sizeOf(b, batch),
    prod(ks),
    prod(ns),
  ]);
  const r = matmul(ta, tb);
  const bs = r.shape.slice(0, batch.length);
  return { t: reshape(r, [...bs, ...ms, ...ns]), labels: [...batch, ...mLabels, ...nLabels] };
}

/** Permutes an operand's dims into the order of `labels` (which must be exactly its labels). */
function arrange(x: Term, labels: readonly number[]): Tensor {
  const perm = labels.map((l) => x.labels.indexOf(l));
  return perm.every((p, i) => p === i) ? x.t : permute(x.t, perm);
}

/** Permutes and reshapes an operand to `labels` (a superset of its own), inserting size-1 dims. */
function align(x: Term, labels: readonly number[]): Tensor {
  const own = labels.filter((l) => x.labels.includes(l));
  const t = arrange(x, own);
  const shape = labels.map((l) => (x.labels.includes(l) ? x.t.shape[x.labels.indexOf(l)]! : 1));
  return shape.length === t.ndim ? t : reshape(t, shape);
}
