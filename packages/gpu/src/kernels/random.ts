import type { RandomDist, RandomParams, View } from '@tessera/tensor';
import { entry1d, grid1d, numel } from '../codegen/strided.js';
import { storageType } from '../codegen/types.js';
import type { GpuBuffer } from '../memory.js';
import { floats, ints, PARAMS_WGSL, pack } from '../params.js';
import type { Runtime } from '../runtime.js';

/**
 * Philox4x32-10 in WGSL, reproducing @tessera/tensor's random.ts stream layout exactly: element i
 * of a draw at counter offset `o` takes word i % 4 of philox(key = seed, counter = o + floor(i/4)),
 * so a seeded draw gives the same numbers as the CPU backend. One thread per counter (4 elements).
 *
 * - uniform: low + u·(high − low) with u = (w >>> 8)·2^-24. The CPU evaluates this in doubles
 *   and rounds to float32; here the same double operations are emulated exactly with integer
 *   arithmetic (F64_WGSL), so the float32 results are bit-identical.
 * - randint: low + w mod (high − low), exact.
 * - normal: Box-Muller on word pairs (0,1), (2,3) — cos for even, sin for odd elements — in
 *   float32 with accurate log/sin/cos, so values match the CPU to float32 tolerance (not bits).
 */

const PHILOX_WGSL = /* wgsl */ `
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let aL = a & 0xffffu; let aH = a >> 16u; let bL = b & 0xffffu; let bH = b >> 16u;
  let ll = aL * bL; let lh = aL * bH; let hl = aH * bL; let hh = aH * bH;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2<u32>(hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), a * b);
}
fn philox(k0in: u32, k1in: u32, c0: u32, c1: u32) -> vec4<u32> {
  var x = vec4<u32>(c0, c1, 0u, 0u);
  var k0 = k0in; var k1 = k1in;
  for (var r = 0; r < 10; r++) {
    let p0 = mulhilo(0xd2511f53u, x.x);
    let p1 = mulhilo(0xcd9e8d57u, x.z);
    x = vec4<u32>(p1.x ^ x.y ^ k0, p1.y, p0.x ^ x.w ^ k1, p0.y);
    k0 = k0 + 0x9e3779b9u; k1 = k1 + 0xbb67ae85u;
  }
  return x;
}
fn toUniform(w: u32) -> f32 { return f32(w >> 8u) * 5.960464477539063e-8; }
`;

/**
 * Exact IEEE double arithmetic in u32 words, for `low + u * range` exactly as JS computes it
 * (round to double after the product and after the sum, then to float32). Integer-only, so no
 * GPU float behaviour (FMA contraction, flush-to-zero) can change a bit. A double is
 * (neg, e, m): m · 2^e with m a 53-bit integer in vec2(lo, hi), bit 52 set (or m = 0).
 */
const F64_WGSL = /* wgsl */ `
struct F64 { neg: bool, e: i32, m: vec2<u32> }
fn clz64(a: vec2<u32>) -> u32 { return select(32u + countLeadingZeros(a.x), countLeadingZeros(a.y), a.y != 0u); }
fn shl64(a: vec2<u32>, s: u32) -> vec2<u32> {
  if (s == 0u) { return a; }
  if (s >= 32u) { return vec2<u32>(0u, a.x << (s - 32u)); }
  return vec2<u32>(a.x << s, (a.y << s) | (a.x >> (32u - s)));
}
// a >> s, OR-ing every shifted-out bit into the lowest bit (sticky).
fn shrSticky(a: vec2<u32>, s: u32) -> vec2<u32> {
  if (s == 0u) { return a; }
  if (s >= 64u) { return vec2<u32>(select(0u, 1u, a.x != 0u || a.y != 0u), 0u); }
  var r: vec2<u32>;
  var lost: bool;
  if (s >= 32u) {
    let t = s - 32u;
    r = vec2<u32>(select(a.y >> t, a.y, t == 0u), 0u);
    lost = a.x != 0u || (t > 0u && (a.y << (32u - t)) != 0u);
  } else {
    r = vec2<u32>((a.x >> s) | (a.y << (32u - s)), a.y >> s);
    lost = (a.x << (32u - s)) != 0u;
  }
  if (lost) { r.x = r.x | 1u; }
  return r;
}
// Rounds v · 2^e (v up to 64 bits) to 53 bits, nearest even.
fn round53(v: vec2<u32>, e: i32, neg: bool) -> F64 {
  if (v.x == 0u && v.y == 0u) { return F64(false, 0, vec2<u32>(0u, 0u)); }
  let lz = clz64(v);
  let n = shl64(v, lz);
  var q = vec2<u32>((n.x >> 11u) | (n.y << 21u), n.y >> 11u);
  let rem = n.x & 0x7ffu;
  var ex = e - i32(lz) + 11;
  if (rem > 0x400u || (rem == 0x400u && (q.x & 1u) == 1u)) {
    q.x = q.x + 1u;
    if (q.x == 0u) { q.y = q.y + 1u; }
    if (q.y == 0x200000u) { q = vec2<u32>(0u, 0x100000u); ex = ex + 1; }
  }
  return F64(neg, ex, q);
}
fn decode64(lo: u32, hi: u32) -> F64 {
  let ex = (hi >> 20u) & 0x7ffu;
  var m = vec2<u32>(lo, hi & 0xfffffu);
  if (ex != 0u) { m.y = m.y | 0x100000u; }
  return round53(m, select(1, i32(ex), ex != 0u) - 1075, (hi >> 31u) == 1u);
}
// RN64(a + b).
fn add64(a0: F64, b0: F64) -> F64 {
  if (a0.m.x == 0u && a0.m.y == 0u) { return b0; }
  if (b0.m.x == 0u && b0.m.y == 0u) { return a0; }
  var a = a0; var b = b0;
  if (b.e > a.e || (b.e == a.e && (b.m.y > a.m.y || (b.m.y == a.m.y && b.m.x > a.m.x)))) { a = b0; b = a0; }
  let x = shl64(a.m, 10u);
  let y = shrSticky(shl64(b.m, 10u), u32(a.e - b.e));
  var s: vec2<u32>;
  if (a.neg == b.neg) {
    s.x = x.x + y.x;
    s.y = x.y + y.y + select(0u, 1u, s.x < x.x);
  } else {
    s.x = x.x - y.x;
    s.y = x.y - y.y - select(0u, 1u, x.x < y.x);
  }
  return round53(s, a.e - 10, a.neg);
}
// RN64(k · r · 2^-24) for a 24-bit integer k.
fn mulK(k: u32, r: F64) -> F64 {
  if (k == 0u || (r.m.x == 0u && r.m.y == 0u)) { return F64(false, 0, vec2<u32>(0u, 0u)); }
  let p0 = mulhilo(k, r.m.x);
  let p1 = mulhilo(k, r.m.y);
  let w0 = p0.y;
  let w1 = p0.x + p1.y;
  let w2 = p1.x + select(0u, 1u, w1 < p0.x);
  if (w2 == 0u) { return round53(vec2<u32>(w0, w1), r.e - 24, r.neg); }
  let sh = 32u - countLeadingZeros(w2);
  var v = vec2<u32>((w0 >> sh) | (w1 << (32u - sh)), (w1 >> sh) | (w2 << (32u - sh)));
  if ((w0 << (32u - sh)) != 0u) { v.x = v.x | 1u; }
  return round53(v, r.e - 24 + i32(sh), r.neg);
}
// RN32 of a double.
fn toF32(x: F64) -> f32 {
  if (x.m.x == 0u && x.m.y == 0u) { return 0.0; }
  var q = (x.m.y << 3u) | (x.m.x >> 29u);
  let rem = x.m.x & 0x1fffffffu;
  var ex = x.e + 29;
  if (rem > 0x10000000u || (rem == 0x10000000u && (q & 1u) == 1u)) {
    q = q + 1u;
    if (q == 0x1000000u) { q = 0x800000u; ex = ex + 1; }
  }
  let biased = ex + 23 + 127;
  let sgn = select(0u, 0x80000000u, x.neg);
  if (biased >= 255) { return bitcast<f32>(sgn | 0x7f800000u); }
  if (biased <= 0) { return select(1.0, -1.0, x.neg) * f32(q) * exp2(f32(ex)); }
  return bitcast<f32>(sgn | (u32(biased) << 23u) | (q & 0x7fffffu));
}
`;

/** The two 32-bit words (lo, hi) of a double's IEEE bits. */
function doubleWords(v: number): [number, number] {
  const f = new Float64Array([v]);
  const w = new Uint32Array(f.buffer);
  return [w[0]!, w[1]!];
}

/** Fills a contiguous `out` from the Philox stream. */
export function random(rt: Runtime, out: View, dist: RandomDist, p: RandomParams): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const T = storageType(out.dtype);
  const seed = BigInt.asUintN(64, p.seed);
  const off = BigInt.asUintN(64, p.offset);
  const range = p.high - p.low;
  const fields = [
    ints('k', [Number(seed & 0xffffffffn), Number(seed >> 32n)]),
    ints('c', [Number(off & 0xffffffffn), Number(off >> 32n)]),
    ints('n', [n, out.offset]),
    ints('d', [...doubleWords(p.low), ...doubleWords(range)]),
    floats('f', [p.mean, p.std]),
    ints('ri', [p.low | 0, range >= 4294967296 ? 0 : range >>> 0]),
  ];
  const e = entry1d();
  const value = (w: string, j: string): string => {
    if (dist === 'uniform') return 'uniformAt(' + w + ')';
    if (dist === 'randint') return `randintAt(${w})`;
    return `normalAt(words, ${j})`;
  };
  const store = (v: string) => {
    if (dist === 'randint') return T === 'i32' ? v : T === 'f32' ? `f32(${v})` : `u32(${v} != 0)`;
    return T === 'f32' ? v : T === 'i32' ? `f2i(${v})` : `select(0u, 1u, ${v} != 0.0)`;
  };
  rt.run({
    op: 'random',
    key: `random|${dist}|${T}`,
    params: pack(fields),
    bindings: [{ buf: out.buffer as GpuBuffer, write: true }],
    grid: grid1d(Math.ceil(n / 4)),
    describe: () => `random ${dist} [${out.shape.join(',')}] ${out.dtype}`,
    code: (at) => `${PARAMS_WGSL}
${PHILOX_WGSL}
${dist === 'uniform' ? F64_WGSL : ''}
@group(0) @binding(1) var<storage, read_write> O: array<${T}>;
${
  dist === 'uniform'
    ? `fn uniformAt(w: u32) -> f32 {
  let d = ${at.d}u;
  let t = mulK(w >> 8u, decode64(P[d + 2u], P[d + 3u]));
  return toF32(add64(decode64(P[d], P[d + 1u]), t));
}`
    : dist === 'randint'
      ? `fn randintAt(w: u32) -> i32 {
  let r = P[${at.ri! + 1}];
  let m = select(w % r, w, r == 0u);
  return pi(${at.ri}u) + bitcast<i32>(m);
}`
      : `fn normalAt(words: vec4<u32>, j: u32) -> f32 {
  let pair = j & 2u;
  let u1 = 1.0 - toUniform(words[pair]);
  let u2 = toUniform(words[pair + 1u]);
  let r = sqrt(-2.0 * logc(u1));
  // 2*pi*u2 reduced to [-pi, pi): cos(2 pi u) = -cos(2 pi (u - 1/2)), same for sin.
  let a = 6.283185307179586 * (u2 - 0.5);
  let z = select(-r * sin_(a), -r * cos_(a), (j & 1u) == 0u);
  return pf(${at.f}u) + pf(${at.f! + 1}u) * z;
}`
}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let blk = ${e.index};
  let n = P[${at.n}];
  if (blk * 4u >= n) { return; }
  let c0 = P[${at.c}] + blk;
  let c1 = P[${at.c! + 1}] + select(0u, 1u, c0 < blk);
  let words = philox(P[${at.k}], P[${at.k! + 1}], c0, c1);
  let base = u32(pi(${at.n! + 1}u)) + blk * 4u;
  for (var j = 0u; j < 4u; j++) {
    if (blk * 4u + j >= n) { break; }
    O[base + j] = ${store(value('words[j]', 'j'))};
  }
}`,
  });
}
