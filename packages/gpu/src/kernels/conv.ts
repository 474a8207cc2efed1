import {
  type Conv2dParams,
  convGeometry,
  convOutputSize,
  type ConvGeometry as Geometry,
  type View,
} from '@tessera/tensor';
import { collapse, entry1d, grid1d, numel } from '../codegen/strided.js';
import type { GpuBuffer } from '../memory.js';
import { type Field, ints, PARAMS_WGSL, pack } from '../params.js';
import type { Runtime } from '../runtime.js';
import { fill } from './elementwise.js';
import { type CustomOperand, chooseMode, gemm, type StridedOperand, splitsFor } from './gemm.js';
import { sumSplits } from './matmul.js';
import { describeViews } from './util.js';

/**
 * 2-D convolutions as implicit GEMMs on the shared GEMM template (gemm.ts): the im2col matrix is
 * never built; custom loaders compute its elements from the input on the fly (zero in padding).
 * One GEMM batch entry per group.
 * - forward:        out[n, g·Og+m, oh, ow] = Σ_{k=(c,kh,kw)} w[g·Og+m, c, kh, kw] · x[n, g·Cg+c, ih, iw]
 * - grad of input:  dx[n, g·Cg+m, h, w] = Σ_{k=(o,kh,kw)} w[g·Og+o, m, kh, kw] · dy[n, g·Og+o, oh, ow]
 *                   where oh·sh = h + pt − kh·dh (terms that do not divide evenly are zero)
 * - grad of weight: dw[g·Og+m, (c,kh,kw)] = Σ_{k=(n,oh,ow)} dy[n, g·Og+m, oh, ow] · x[n, g·Cg+c, ih, iw]
 *                   (K = N·OH·OW is long, so this one uses split-K when M·N is small)
 */

/** Geometry fields shared by the conv loaders: `cv` = [Cg, KH, KW, OH, OW, sh, sw, pt, pl, dh, dw, H, W, Og, O, C]. */
function convFields(g: Geometry) {
  return ints('cv', [
    g.Cg,
    g.KH,
    g.KW,
    g.OH,
    g.OW,
    g.sh,
    g.sw,
    g.pt,
    g.pl,
    g.dh,
    g.dw,
    g.H,
    g.W,
    g.Og,
    g.O,
    g.C,
  ]);
}

/** WGSL `let` bindings of the conv geometry (inside a loader). */
const GEO = `let Cg = P[PARAM(cv)]; let KH = P[PARAM(cv) + 1u]; let KW = P[PARAM(cv) + 2u];
  let OH = P[PARAM(cv) + 3u]; let OW = P[PARAM(cv) + 4u]; let sh = P[PARAM(cv) + 5u]; let sw = P[PARAM(cv) + 6u];
  let pt = pi(PARAM(cv) + 7u); let pl = pi(PARAM(cv) + 8u); let dh = P[PARAM(cv) + 9u]; let dw = P[PARAM(cv) + 10u];
  let H = i32(P[PARAM(cv) + 11u]); let W = i32(P[PARAM(cv) + 12u]); let Og = P[PARAM(cv) + 13u]; let OC = P[PARAM(cv) + 14u];
  let C = P[PARAM(cv) + 15u];`;

/** WGSL address of element [n, c, h, w] of a 4-D view whose offset and strides are field `name`. */
/**
 * Start of `loadB4` for the implicit-GEMM convolutions: per-column state filled by the kernel's
 * setup (whether the column exists, its image base address and window corner) and the bounds check.
 */
const LOAD_B4_HEAD = `var<private> colOk: array<bool, 4>;
var<private> colBase: array<i32, 4>;
var<private> colH: array<i32, 4>;
var<private> colW: array<i32, 4>;
fn loadB4(z: u32, k: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (k >= kEnd) { return v; }
  ${GEO}`;

function at4(name: string, n: string, c: string, h: string, w: string): string {
  return `pi(PARAM(${name})) + i32(${n}) * pi(PARAM(${name}) + 1u) + i32(${c}) * pi(PARAM(${name}) + 2u) + i32(${h}) * pi(PARAM(${name}) + 3u) + i32(${w}) * pi(PARAM(${name}) + 4u)`;
}

function viewField(name: string, v: View) {
  return ints(name, [v.offset, ...v.strides]);
}

/** conv2d forward: out [N, O, OH, OW] (contiguous). */
export function conv2d(rt: Runtime, out: View, x: View, w: View, p: Conv2dParams): void {
  if (numel(out.shape) === 0) return;
  const g = convGeometry(x.shape, w.shape, out.shape, p);
  const K = g.Cg * g.KH * g.KW;
  if (K === 0) {
    fill(rt, out, 0);
    return;
  }
  // The weight is a plain strided [Og, K] matrix per group when its inner dims collapse into one.
  const wc = collapse([g.Cg, g.KH, g.KW], [w.strides.slice(1)]);
  let a: StridedOperand | CustomOperand;
  if (wc.shape.length <= 1) {
    const cs = wc.shape.length === 1 ? wc.strides[0]![0]! : 1;
    const bs = [g.Og * w.strides[0]!];
    a = {
      kind: 'strided',
      buffer: w.buffer as GpuBuffer,
      offset: w.offset,
      rs: w.strides[0]!,
      cs,
      batchStrides: bs,
      mode: chooseMode('a', g.Og, K, w.offset, w.strides[0]!, cs, bs),
    };
  } else {
    a = {
      kind: 'custom',
      buffer: w.buffer as GpuBuffer,
      mode: 'scalarK',
      fields: [viewField('wv', w)],
      code: `fn loadA(z: u32, m: u32, k: u32) -> f32 {
  if (m >= dimM || k >= kEnd) { return 0.0; }
  ${GEO}
  let c = k / (KH * KW); let r = k % (KH * KW);
  return X[${at4('wv', 'z * Og + m', 'c', 'r / KW', 'r % KW')}];
}`,
    };
  }
  const b: CustomOperand = {
    kind: 'custom',
    buffer: x.buffer as GpuBuffer,
    mode: 'scalarN',
    fields: [convFields(g), viewField('xv', x)],
    // Per column (output pixel): the image's base address and the window's top-left corner.
    setup: `${GEO}
  for (var j = 0u; j < 4u; j++) {
    let n = ncol + j;
    colOk[j] = n < dimN;
    let b = n / (OH * OW); let q = n % (OH * OW);
    colBase[j] = pi(PARAM(xv)) + i32(b) * pi(PARAM(xv) + 1u) + i32(zb * Cg) * pi(PARAM(xv) + 2u);
    colH[j] = i32((q / OW) * sh) - pt;
    colW[j] = i32((q % OW) * sw) - pl;
  }`,
    code: `${LOAD_B4_HEAD}
  let c = k / (KH * KW); let r = k % (KH * KW);
  let dy = i32((r / KW) * dh); let dx = i32((r % KW) * dw);
  let cOff = i32(c) * pi(PARAM(xv) + 2u);
  for (var j = 0u; j < 4u; j++) {
    let ih = colH[j] + dy; let iw = colW[j] + dx;
    if (colOk[j] && ih >= 0 && iw >= 0 && ih < H && iw < W) {
      v[j] = Y[colBase[j] + cOff + ih * pi(PARAM(xv) + 3u) + iw * pi(PARAM(xv) + 4u)];
    }
  }
  return v;
}`,
  };
  gemm(rt, {
    op: 'conv2d',
    M: g.Og,
    N: g.N * g.OH * g.OW,
    K,
    batch: [g.G],
    a,
    b,
    out: {
      kind: 'custom',
      buffer: out.buffer as GpuBuffer,
      fields: [ints('ov', [out.offset])],
      code: `fn storeC(z: u32, m: u32, n: u32, v: f32) {
  ${GEO}
  let b = n / (OH * OW); let q = n % (OH * OW);
  O[u32(pi(PARAM(ov))) + (b * OC + z * Og + m) * OH * OW + q] = v;
}`,
    },
    splits: 1,
    describe: () => `conv2d ${describeViews(x, w)} -> [${out.shape.join(',')}]`,
  });
}

/** Gradient of conv2d with respect to its input: out [N, C, H, W] from dy [N, O, OH, OW]. */
export function conv2dBackwardInput(rt: Runtime, out: View, dy: View, w: View, p: Conv2dParams): void {
  if (numel(out.shape) === 0) return;
  const g = convGeometry(out.shape, w.shape, dy.shape, p);
  const K = g.Og * g.KH * g.KW;
  if (K === 0 || numel(dy.shape) === 0) {
    fill(rt, out, 0);
    return;
  }
  const a: CustomOperand = {
    kind: 'custom',
    buffer: w.buffer as GpuBuffer,
    mode: 'scalarK',
    fields: [convFields(g), viewField('wv', w)],
    code: `fn loadA(z: u32, m: u32, k: u32) -> f32 {
  if (m >= dimM || k >= kEnd) { return 0.0; }
  ${GEO}
  let o = k / (KH * KW); let r = k % (KH * KW);
  return X[${at4('wv', 'z * Og + o', 'm', 'r / KW', 'r % KW')}];
}`,
  };
  const b: CustomOperand = {
    kind: 'custom',
    buffer: dy.buffer as GpuBuffer,
    mode: 'scalarN',
    fields: [viewField('dv', dy)],
    // Per column (input pixel): the image's base address in dy and the pixel's padded position.
    setup: `${GEO}
  for (var j = 0u; j < 4u; j++) {
    let n = ncol + j;
    colOk[j] = n < dimN;
    let hw = u32(H * W);
    let b = n / hw; let q = n % hw;
    colBase[j] = pi(PARAM(dv)) + i32(b) * pi(PARAM(dv) + 1u) + i32(zb * Og) * pi(PARAM(dv) + 2u);
    colH[j] = i32(q / u32(W)) + pt;
    colW[j] = i32(q % u32(W)) + pl;
  }`,
    code: `${LOAD_B4_HEAD}
  let o = k / (KH * KW); let r = k % (KH * KW);
  let dy = i32((r / KW) * dh); let dx = i32((r % KW) * dw);
  let oOff = i32(o) * pi(PARAM(dv) + 2u);
  for (var j = 0u; j < 4u; j++) {
    let th = colH[j] - dy; let tw = colW[j] - dx;
    if (!colOk[j] || th < 0 || tw < 0) { continue; }
    let oh = u32(th) / sh; let ow = u32(tw) / sw;
    if (oh * sh == u32(th) && ow * sw == u32(tw) && oh < OH && ow < OW) {
      v[j] = Y[colBase[j] + oOff + i32(oh) * pi(PARAM(dv) + 3u) + i32(ow) * pi(PARAM(dv) + 4u)];
    }
  }
  return v;
}`,
  };
  gemm(rt, {
    op: 'conv2dBackwardInput',
    M: g.Cg,
    N: g.N * g.H * g.W,
    K,
    batch: [g.G],
    a,
    b,
    out: {
      kind: 'custom',
      buffer: out.buffer as GpuBuffer,
      fields: [ints('ov', [out.offset])],
      code: `fn storeC(z: u32, m: u32, n: u32, v: f32) {
  ${GEO}
  let hw = u32(H * W);
  let b = n / hw; let q = n % hw;
  O[u32(pi(PARAM(ov))) + (b * C + z * Cg + m) * hw + q] = v;
}`,
    },
    splits: 1,
    describe: () => `conv2dBackwardInput ${describeViews(dy, w)} -> [${out.shape.join(',')}]`,
  });
}

/** Gradient of conv2d with respect to its weight: out [O, C/groups, KH, KW] (contiguous). */
export function conv2dBackwardWeight(rt: Runtime, out: View, x: View, dy: View, p: Conv2dParams): void {
  if (numel(out.shape) === 0) return;
  const g = convGeometry(x.shape, out.shape, dy.shape, p);
  const M = g.Og;
  const N = g.Cg * g.KH * g.KW;
  const K = g.N * g.OH * g.OW;
  if (K === 0) {
    fill(rt, out, 0);
    return;
  }
  const a: CustomOperand = {
    kind: 'custom',
    buffer: dy.buffer as GpuBuffer,
    mode: 'scalarK',
    fields: [convFields(g), viewField('dv', dy)],
    code: `fn loadA(z: u32, m: u32, k: u32) -> f32 {
  if (m >= dimM || k >= kEnd) { return 0.0; }
  ${GEO}
  let b = k / (OH * OW); let q = k % (OH * OW);
  return X[${at4('dv', 'b', 'z * Og + m', 'q / OW', 'q % OW')}];
}`,
  };
  const b: CustomOperand = {
    kind: 'custom',
    buffer: x.buffer as GpuBuffer,
    mode: 'scalarK',
    fields: [viewField('xv', x)],
    code: `fn loadB(z: u32, k: u32, n: u32) -> f32 {
  if (n >= dimN || k >= kEnd) { return 0.0; }
  ${GEO}
  let c = n / (KH * KW); let r = n % (KH * KW); let kh = r / KW; let kw = r % KW;
  let b = k / (OH * OW); let q = k % (OH * OW); let oh = q / OW; let ow = q % OW;
  let ih = i32(oh * sh + kh * dh) - pt; let iw = i32(ow * sw + kw * dw) - pl;
  if (ih < 0 || iw < 0 || ih >= H || iw >= W) { return 0.0; }
  return Y[${at4('xv', 'b', 'z * Cg + c', 'ih', 'iw')}];
}`,
  };
  const splits = splitsFor(M, N, K, g.G);
  const describe = () => `conv2dBackwardWeight ${describeViews(x, dy)} -> [${out.shape.join(',')}]`;
  const common = { op: 'conv2dBackwardWeight', M, N, K, batch: [g.G], a, b, describe };
  if (splits === 1) {
    gemm(rt, {
      ...common,
      out: { kind: 'contiguous', buffer: out.buffer as GpuBuffer, offset: out.offset },
      splits,
    });
    return;
  }
  const total = numel(out.shape);
  const partial = rt.alloc('float32', splits * total);
  gemm(rt, { ...common, out: { kind: 'contiguous', buffer: partial, offset: 0 }, splits });
  sumSplits(rt, partial, splits, total, out);
}

/**
 * Params shared by im2col and col2im: the geometry of the image [N, C, H, W] (`image`), the
 * source view `x` ([offset, strides...]) and the output offset.
 */
function colFields(
  image: readonly number[],
  x: View,
  outOffset: number,
  kernel: readonly [number, number],
  p: Conv2dParams,
): Field[] {
  const [, C, H, W] = image as [number, number, number, number];
  const [KH, KW] = kernel;
  const [OH, OW] = convOutputSize(image, kernel, p);
  const { stride: s, padding: pad, dilation: d } = p;
  return [
    ints('g', [C, KH, KW, OH, OW, s[0], s[1], pad[0], pad[2], d[0], d[1], H, W]),
    ints('x', [x.offset, ...x.strides]),
    ints('o', outOffset),
  ];
}

/** im2col: x [N, C, H, W] → out [N, C·KH·KW, OH·OW] (zeros in the padding). */
export function im2col(
  rt: Runtime,
  out: View,
  x: View,
  kernel: readonly [number, number],
  p: Conv2dParams,
): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const fields = [ints('n', n), ...colFields(x.shape, x, out.offset, kernel, p)];
  const e = entry1d();
  rt.run({
    op: 'im2col',
    key: 'im2col',
    params: pack(fields),
    bindings: [{ buf: out.buffer as GpuBuffer, write: true }, { buf: x.buffer as GpuBuffer }],
    grid: grid1d(n),
    describe: () => `im2col ${describeViews(x)} kernel [${kernel.join(',')}]`,
    code: (at) => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@compute @workgroup_size(256)
fn main(${e.params}) {
  let i = ${e.index};
  if (i >= P[${at.n}]) { return; }
  let g = ${at.g}u;
  let KH = P[g + 1u]; let KW = P[g + 2u]; let OH = P[g + 3u]; let OW = P[g + 4u];
  let L = OH * OW;
  let rows = P[g] * KH * KW;
  let l = i % L; let row = (i / L) % rows; let b = i / (L * rows);
  let c = row / (KH * KW); let r = row % (KH * KW); let kh = r / KW; let kw = r % KW;
  let oh = l / OW; let ow = l % OW;
  let ih = i32(oh * P[g + 5u] + kh * P[g + 9u]) - pi(g + 7u);
  let iw = i32(ow * P[g + 6u] + kw * P[g + 10u]) - pi(g + 8u);
  var v = 0.0;
  if (ih >= 0 && iw >= 0 && ih < pi(g + 11u) && iw < pi(g + 12u)) {
    v = X[pi(${at.x}u) + i32(b) * pi(${at.x! + 1}u) + i32(c) * pi(${at.x! + 2}u) + ih * pi(${at.x! + 3}u) + iw * pi(${at.x! + 4}u)];
  }
  O[u32(pi(${at.o}u)) + i] = v;
}`,
  });
}

/** col2im: cols [N, C·KH·KW, OH·OW] → out [N, C, H, W], summing overlapping patches (one thread per output). */
export function col2im(
  rt: Runtime,
  out: View,
  cols: View,
  kernel: readonly [number, number],
  p: Conv2dParams,
): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const fields = [ints('n', n), ...colFields(out.shape, cols, out.offset, kernel, p)];
  const e = entry1d();
  rt.run({
    op: 'col2im',
    key: 'col2im',
    params: pack(fields),
    bindings: [{ buf: out.buffer as GpuBuffer, write: true }, { buf: cols.buffer as GpuBuffer }],
    grid: grid1d(n),
    describe: () => `col2im ${describeViews(cols)} -> [${out.shape.join(',')}]`,
    code: (at) => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@compute @workgroup_size(256)
fn main(${e.params}) {
  let i = ${e.index};
  if (i >= P[${at.n}]) { return; }
  let g = ${at.g}u;
  let C = P[g]; let KH = P[g + 1u]; let KW = P[g + 2u]; let OH = P[g + 3u]; let OW = P[g + 4u];
  let sh = P[g + 5u]; let sw = P[g + 6u]; let dh = P[g + 9u]; let dw = P[g + 10u];
  let H = P[g + 11u]; let W = P[g + 12u];
  let w = i32(i % W); let h = i32((i / W) % H); let c = (i / (W * H)) % C; let b = i / (W * H * C);
  var acc = 0.0;
  for (var kh = 0u; kh < KH; kh++) {
    let th = h + pi(g + 7u) - i32(kh * dh);
    if (th < 0 || u32(th) % sh != 0u || u32(th) / sh >= OH) { continue; }
    let oh = u32(th) / sh;
    for (var kw = 0u; kw < KW; kw++) {
      let tw = w + pi(g + 8u) - i32(kw * dw);
      if (tw < 0 || u32(tw) % sw != 0u || u32(tw) / sw >= OW) { continue; }
      let ow = u32(tw) / sw;
      let row = (c * KH + kh) * KW + kw;
      acc += X[pi(${at.x}u) + i32(b) * pi(${at.x! + 1}u) + i32(row) * pi(${at.x! + 2}u) + i32(oh * OW + ow) * pi(${at.x! + 3}u)];
    }
  }
  O[u32(pi(${at.o}u)) + i] = acc;
}`,
  });
}
