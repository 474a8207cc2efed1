// Small helpers for writing WebAssembly text: the kernels are WAT assembled by generator functions
// (so that register tiles can be unrolled and one source gives the SIMD and the scalar variants).

import { FIELD } from './layout.mjs';

/** `(i32.const n)`. */
export const c = (n) => `(i32.const ${n})`;
/** `(local.get $x)`. */
export const g = (x) => `(local.get $${x})`;
/** `(local.set $x e)`. */
export const s = (x, e) => `(local.set $${x} ${e})`;
/** i32 arithmetic on WAT expressions. */
export const add = (a, b) => `(i32.add ${a} ${b})`;
export const sub = (a, b) => `(i32.sub ${a} ${b})`;
export const mul = (a, b) => `(i32.mul ${a} ${b})`;
export const shl = (a, n) => `(i32.shl ${a} ${c(n)})`;
/** Signed minimum / maximum of two side-effect-free i32 expressions. */
export const min = (a, b) => `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;
export const max = (a, b) => `(select ${a} ${b} (i32.gt_s ${a} ${b}))`;
/** Byte offset of `n` float32 elements. */
export const f4 = (n) => shl(n, 2);
/** Loads field `name` of the job descriptor addressed by local $job. */
export const fld = (name) => {
  if (!(name in FIELD)) throw new Error(`unknown job field ${name}`);
  return `(i32.load offset=${FIELD[name] * 4} (local.get $job))`;
};

let labels = 0;

/** `for (v = from; v < to; v += step) body` with signed comparison; `to` is re-evaluated each pass. */
export function forRange(v, from, to, step, body) {
  const l = `L${labels++}`;
  return `${s(v, from)}
(block $${l}_end (loop $${l}
  (br_if $${l}_end (i32.ge_s ${g(v)} ${to}))
  ${body}
  ${s(v, add(g(v), step))}
  (br $${l})))`;
}

/** `while (cond) body`. */
export function whileLoop(cond, body) {
  const l = `W${labels++}`;
  return `(block $${l}_end (loop $${l}
  (br_if $${l}_end (i32.eqz ${cond}))
  ${body}
  (br $${l})))`;
}

/** Local declarations: `locals('i32', 'a', 'b')`. */
export const locals = (type, ...names) => names.map((n) => `(local $${n} ${type})`).join(' ');
/** Parameter declarations: `params('i32', 'a', 'b')`. */
export const params = (type, ...names) => names.map((n) => `(param $${n} ${type})`).join(' ');

/** Accumulator names c{i}{j} of a rows x cols register tile. */
export function tileNames(rows, cols) {
  const names = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) names.push(`c${i}${j}`);
  return names;
}

/** Scalar c{i}{j} += a{i} * b{j} over a rows x cols tile of locals. */
export function scalarMadds(rows, cols) {
  let body = '';
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      body += s(`c${i}${j}`, `(f32.add ${g(`c${i}${j}`)} (f32.mul ${g(`a${i}`)} ${g(`b${j}`)}))`);
    }
  }
  return body;
}

/** f32x4 cc + a * b on locals: fused (relaxed_madd) when `fma`, else a multiply then an add. */
export const vmadd = (fma) => (a, b, cc) =>
  fma ? `(f32x4.relaxed_madd ${g(a)} ${g(b)} ${g(cc)})` : `(f32x4.add ${g(cc)} (f32x4.mul ${g(a)} ${g(b)}))`;

/**
 * Stores the ragged part of a 4 x 8 register tile c{i}0, c{i}1 (v128 locals) straight from the
 * registers: rows i < mr at c + i*ldc, lanes 0-3 (the first `n0` valid) at +0 and lanes 4-7 (the
 * first `n1` valid) at +cstep, full vectors where all four lanes are valid. When `acc` (an i32
 * expression) is non-zero each value is added to what C holds. Replaces spilling the tile and
 * storing it element by element in a loop of branches, which cost more than a short tile's
 * arithmetic. Needs i32 locals $p and $q.
 */
export function vectorRaggedStore({ mr, ldc, n0, n1, cstep, acc = null }) {
  const part = (v, at, n) => {
    const lane = (k) => `(f32x4.extract_lane ${k} ${g(v)})`;
    const one = (k, plus) =>
      `(f32.store offset=${4 * k} ${at} ${plus ? `(f32.add (f32.load offset=${4 * k} ${at}) ${lane(k)})` : lane(k)})`;
    const body = (plus) => `
      (if (i32.eq ${n} ${c(4)})
        (then (v128.store ${at} ${plus ? `(f32x4.add (v128.load ${at}) ${g(v)})` : g(v)}))
        (else
          (if (i32.gt_s ${n} ${c(0)}) (then ${one(0, plus)}))
          (if (i32.gt_s ${n} ${c(1)}) (then ${one(1, plus)}))
          (if (i32.gt_s ${n} ${c(2)}) (then ${one(2, plus)}))))`;
    return acc === null ? body(false) : `(if ${acc} (then ${body(true)}) (else ${body(false)}))`;
  };
  let text = '';
  for (let i = 0; i < 4; i++) {
    text += `
  (if (i32.gt_s ${mr} ${c(i)})
    (then
      ${s('p', add(g('c'), mul(c(i), ldc)))}
      ${s('q', add(g('p'), cstep))}
      ${part(`c${i}0`, g('p'), n0)}
      ${part(`c${i}1`, g('q'), n1)}))`;
  }
  return text;
}
