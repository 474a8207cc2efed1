import { type Pool2dParams, poolGeometry, type View } from '@tessera/tensor';
import { ATOMIC_ADD_F32, INDEX_ERRORS } from '../codegen/atomics.js';
import { entry1d, grid1d, numel } from '../codegen/strided.js';
import { storageType } from '../codegen/types.js';
import type { GpuBuffer } from '../memory.js';
import { type Field, ints, PARAMS_WGSL, pack } from '../params.js';
import type { Binding, Runtime } from '../runtime.js';
import { describeViews } from './util.js';

/**
 * 2-D pooling on [N, C, H, W] views (a 3-D [C, H, W] view counts as N = 1), PyTorch semantics.
 * Forward kernels and avgPool2dBackward run one thread per output element and gather, so they are
 * deterministic. maxPool2dBackward only knows each gradient's target index (no window geometry),
 * so it scatters with an atomic float add (a compare-and-swap loop on the u32 bits): windows
 * that overlap and share a maximum add their gradients in an unspecified order.
 */

/** [N, C, H, W] shape and strides of a pooling operand (3-D views get N = 1). */
function as4d(v: View): { shape: number[]; strides: number[] } {
  if (v.shape.length === 4) return { shape: [...v.shape], strides: [...v.strides] };
  return { shape: [1, ...v.shape], strides: [0, ...v.strides] };
}

/** The pooling geometry as the windowed kernels read it (geoLets): `g` = [C, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw]. */
function geometryFields(x: { shape: number[] }, out: { shape: number[] }, p: Pool2dParams): Field {
  const g = poolGeometry(x.shape, out.shape, p);
  return ints('g', [g.C, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw]);
}

/**
 * Params of the windowed kernels: `n` threads, the geometry of input `img` and output `res`, and
 * the source read in place (`src`, with its 4-D strides `s4`).
 */
function windowFields(
  n: number,
  img: { shape: number[] },
  res: { shape: number[] },
  p: Pool2dParams,
  src: View,
  s4: readonly number[],
): Field[] {
  return [ints('n', n), geometryFields(img, res, p), ints('x', [src.offset, ...s4])];
}

/** avgPool2d's divisor rules, read by AVG_WINDOW. */
function divisorField(p: Pool2dParams): Field {
  return ints('div', [p.countIncludePad ? 1 : 0, p.divisorOverride ?? 0]);
}

/** WGSL: output coordinates (b, c, oh, ow) of flat index `i` (after geoLets). */
const OUT_COORDS =
  'let ow = i32(i % OW); let oh = i32((i / OW) % OH); let c = (i / (OW * OH)) % C; let b = i / (OW * OH * C);';

/** WGSL lets for the geometry at P[g..]. */
function geoLets(g: number): string {
  return `let C = P[${g}u]; let H = i32(P[${g + 1}u]); let W = i32(P[${g + 2}u]);
  let OH = P[${g + 3}u]; let OW = P[${g + 4}u]; let KH = i32(P[${g + 5}u]); let KW = i32(P[${g + 6}u]);
  let sh = i32(P[${g + 7}u]); let sw = i32(P[${g + 8}u]); let ph = i32(P[${g + 9}u]); let pw = i32(P[${g + 10}u]);
  let dh = i32(P[${g + 11}u]); let dw = i32(P[${g + 12}u]);`;
}

function xAddr(xAt: number, b: string, c: string, h: string, w: string): string {
  return `pi(${xAt}u) + i32(${b}) * pi(${xAt + 1}u) + i32(${c}) * pi(${xAt + 2}u) + (${h}) * pi(${xAt + 3}u) + (${w}) * pi(${xAt + 4}u)`;
}

/** Max pooling; `indices` (int32 or null) receive the flat h·W + w index of each maximum. */
export function maxPool2d(rt: Runtime, out: View, indices: View | null, x: View, p: Pool2dParams): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const x4 = as4d(x);
  const o4 = as4d(out);
  const T = storageType(x.dtype);
  const fields = [
    ...windowFields(n, x4, o4, p, x, x4.strides),
    ints('o', [out.offset, indices?.offset ?? 0]),
  ];
  const withIdx = indices !== null;
  const lowest = T === 'f32' ? '-inf_()' : T === 'i32' ? 'i32(-2147483648)' : '0u';
  const better = T === 'f32' ? 'v > best || isnan_(v)' : 'v > best';
  const bindings: Binding[] = [{ buf: out.buffer as GpuBuffer, write: true }];
  if (withIdx) bindings.push({ buf: indices.buffer as GpuBuffer, write: true });
  bindings.push({ buf: x.buffer as GpuBuffer });
  const e = entry1d();
  rt.run({
    op: 'maxPool2d',
    key: `maxPool2d|${T}|${withIdx}`,
    params: pack(fields),
    bindings,
    grid: grid1d(n),
    describe: () => `maxPool2d ${describeViews(x)} kernel [${p.kernel.join(',')}]`,
    code: (at) => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<${T}>;
${withIdx ? '@group(0) @binding(2) var<storage, read_write> I: array<i32>;' : ''}
@group(0) @binding(${withIdx ? 3 : 2}) var<storage, read> X: array<${T}>;
@compute @workgroup_size(256)
fn main(${e.params}) {
  let i = ${e.index};
  if (i >= P[${at.n}]) { return; }
  ${geoLets(at.g!)}
  ${OUT_COORDS}
  let ih0 = oh * sh - ph; let iw0 = ow * sw - pw;
  var fh = ih0; while (fh < 0) { fh += dh; }
  var fw = iw0; while (fw < 0) { fw += dw; }
  var best = ${lowest};
  var bi = fh * W + fw;
  for (var kh = 0; kh < KH; kh++) {
    let ih = ih0 + kh * dh;
    if (ih < 0 || ih >= H) { continue; }
    for (var kw = 0; kw < KW; kw++) {
      let iw = iw0 + kw * dw;
      if (iw < 0 || iw >= W) { continue; }
      let v = X[${xAddr(at.x!, 'b', 'c', 'ih', 'iw')}];
      if (${better}) { best = v; bi = ih * W + iw; }
    }
  }
  O[u32(pi(${at.o}u)) + i] = best;
  ${withIdx ? `I[u32(pi(${at.o! + 1}u)) + i] = bi;` : ''}
}`,
  });
}

/** Adds each dy element to out[n, c] at its saved flat index (out zero-filled by the caller). */
export function maxPool2dBackward(rt: Runtime, out: View, dy: View, indices: View): void {
  const n = numel(dy.shape);
  if (n === 0) return;
  const o4 = as4d(out);
  const d4 = as4d(dy);
  const i4 = as4d(indices);
  const fields: Field[] = [
    ints('n', n),
    ints('g', [d4.shape[1]!, d4.shape[2]!, d4.shape[3]!, o4.shape[2]! * o4.shape[3]!]),
    ints('d', [dy.offset, ...d4.strides]),
    ints('i', [indices.offset, ...i4.strides]),
    ints('o', [out.offset, ...o4.strides, o4.shape[3]!]),
  ];
  const e = entry1d();
  rt.run({
    op: 'maxPool2dBackward',
    key: 'maxPool2dBackward',
    params: pack(fields),
    bindings: [
      { buf: out.buffer as GpuBuffer, write: true },
      { buf: dy.buffer as GpuBuffer },
      { buf: indices.buffer as GpuBuffer },
    ],
    checksIndices: true,
    grid: grid1d(n),
    describe: () => `maxPool2dBackward ${describeViews(dy, indices)} -> [${out.shape.join(',')}]`,
    code: (at) => {
      const g = at.g!;
      const addr = (f: number, b: string, c: string, h: string, w: string) =>
        `pi(${f}u) + i32(${b}) * pi(${f + 1}u) + i32(${c}) * pi(${f + 2}u) + i32(${h}) * pi(${f + 3}u) + i32(${w}) * pi(${f + 4}u)`;
      return `${PARAMS_WGSL}
${ATOMIC_ADD_F32}
@group(0) @binding(2) var<storage, read> D: array<f32>;
@group(0) @binding(3) var<storage, read> I: array<i32>;
${INDEX_ERRORS(4)}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let t = ${e.index};
  if (t >= P[${at.n}]) { return; }
  let C = P[${g}u]; let OH = P[${g + 1}u]; let OW = P[${g + 2}u]; let HW = P[${g + 3}u];
  let ow = t % OW; let oh = (t / OW) % OH; let c = (t / (OW * OH)) % C; let b = t / (OW * OH * C);
  let idx = I[${addr(at.i!, 'b', 'c', 'oh', 'ow')}];
  if (idx < 0 || u32(idx) >= HW) { reportIndex(6u, idx, 2u, HW); return; }
  let W = u32(pi(${at.o! + 5}u));
  let h = u32(idx) / W; let w = u32(idx) % W;
  atomicAddF32(u32(${addr(at.o!, 'b', 'c', 'h', 'w')}), D[${addr(at.d!, 'b', 'c', 'oh', 'ow')}]);
}`;
    },
  });
}

/** Average pooling (PyTorch's divisor rules, generalised to dilation as on the CPU backend). */
export function avgPool2d(rt: Runtime, out: View, x: View, p: Pool2dParams): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const x4 = as4d(x);
  const o4 = as4d(out);
  const fields = [...windowFields(n, x4, o4, p, x, x4.strides), ints('o', out.offset), divisorField(p)];
  const e = entry1d();
  rt.run({
    op: 'avgPool2d',
    key: 'avgPool2d',
    params: pack(fields),
    bindings: [{ buf: out.buffer as GpuBuffer, write: true }, { buf: x.buffer as GpuBuffer }],
    grid: grid1d(n),
    describe: () => `avgPool2d ${describeViews(x)} kernel [${p.kernel.join(',')}]`,
    code: (at) => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
${AVG_WINDOW(at.div!)}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let i = ${e.index};
  if (i >= P[${at.n}]) { return; }
  ${geoLets(at.g!)}
  ${OUT_COORDS}
  let rows = taps(oh, sh, ph, dh, KH, H);
  let cols = taps(ow, sw, pw, dw, KW, W);
  let hs = oh * sh - ph; let ws = ow * sw - pw;
  var s = 0.0;
  for (var a = rows.x; a < rows.y; a++) {
    for (var q = cols.x; q < cols.y; q++) { s += X[${xAddr(at.x!, 'b', 'c', 'hs + a * dh', 'ws + q * dw')}]; }
  }
  O[u32(pi(${at.o}u)) + i] = s / divisorOf(rows, cols);
}`,
  });
}

/** Gradient of avgPool2d: one thread per input element sums the windows that contain it. */
export function avgPool2dBackward(rt: Runtime, out: View, dy: View, p: Pool2dParams): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const o4 = as4d(out);
  const d4 = as4d(dy);
  const fields = [...windowFields(n, o4, d4, p, dy, d4.strides), ints('o', out.offset), divisorField(p)];
  const e = entry1d();
  rt.run({
    op: 'avgPool2dBackward',
    key: 'avgPool2dBackward',
    params: pack(fields),
    bindings: [{ buf: out.buffer as GpuBuffer, write: true }, { buf: dy.buffer as GpuBuffer }],
    grid: grid1d(n),
    describe: () => `avgPool2dBackward ${describeViews(dy)} -> [${out.shape.join(',')}]`,
    code: (at) => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<f32>;
@group(0) @binding(2) var<storage, read> D: array<f32>;
${AVG_WINDOW(at.div!)}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let i = ${e.index};
  if (i >= P[${at.n}]) { return; }
  ${geoLets(at.g!)}
  let w = i32(i % u32(W)); let h = i32((i / u32(W)) % u32(H)); let c = (i / u32(W * H)) % C; let b = i / u32(W * H * i32(C));
  // Outputs with a tap on (h, w): oh·sh − ph + a·dh = h for a tap a in [0, KH).
  let oh0 = max(0, ceilDiv(h + ph - (KH - 1) * dh, sh));
  let oh1 = min(i32(OH) - 1, floorDiv(h + ph, sh));
  let ow0 = max(0, ceilDiv(w + pw - (KW - 1) * dw, sw));
  let ow1 = min(i32(OW) - 1, floorDiv(w + pw, sw));
  var g = 0.0;
  for (var oh = oh0; oh <= oh1; oh++) {
    let dhh = h - (oh * sh - ph);
    if (dhh % dh != 0) { continue; }
    let rows = taps(oh, sh, ph, dh, KH, H);
    for (var ow = ow0; ow <= ow1; ow++) {
      let dww = w - (ow * sw - pw);
      if (dww % dw != 0) { continue; }
      let cols = taps(ow, sw, pw, dw, KW, W);
      g += D[${xAddr(at.x!, 'b', 'c', 'oh', 'ow')}] / divisorOf(rows, cols);
    }
  }
  O[u32(pi(${at.o}u)) + i] = g;
}`,
  });
}

/**
 * WGSL window geometry of average pooling, as the CPU backend computes it (PyTorch's rules,
 * generalised to dilation): `taps(o, ...)` gives, along one dim, the taps [lo, hi) of output o
 * that fall inside the input and, third, how many fall inside the padded extent; `divisorOf`
 * applies divisorOverride / countIncludePad to a pair of them.
 */
function AVG_WINDOW(div: number): string {
  return `fn floorDiv(a: i32, b: i32) -> i32 { let q = a / b; return select(q, q - 1, (a % b != 0) && ((a < 0) != (b < 0))); }
fn ceilDiv(a: i32, b: i32) -> i32 { return -floorDiv(-a, b); }
fn taps(o: i32, s: i32, pad: i32, d: i32, k: i32, size: i32) -> vec3<i32> {
  let start = o * s - pad;
  let lo = select(ceilDiv(-start, d), 0, start >= 0);
  let hi = max(lo, min(k, floorDiv(size - 1 - start, d) + 1));
  let span = max(0, min(k, floorDiv(size + pad - 1 - start, d) + 1));
  return vec3<i32>(lo, hi, span);
}
fn divisorOf(rows: vec3<i32>, cols: vec3<i32>) -> f32 {
  let ovr = pi(${div + 1}u);
  if (ovr != 0) { return f32(ovr); }
  if (P[${div}u] == 1u) { return f32(rows.z * cols.z); }
  return f32((rows.y - rows.x) * (cols.y - cols.x));
}`;
}
