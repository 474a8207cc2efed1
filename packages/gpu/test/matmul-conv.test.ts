import {
  avgPool2d,
  avgPool2dBackward,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  fold,
  getBackend,
  matmul,
  maxPool2d,
  maxPool2dBackward,
  maxPool2dWithIndices,
  type Pool2dParams,
  type Tensor,
  tensor,
  unfold,
} from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { type WebGPUBackend, webgpuBackend } from '../src/index.js';
import { expectMatch, gpuBackend, pair, randomData } from './helpers.js';

/** Pool2dParams as the pooling ops build them from (kernel, options). */
function poolParams(
  k: number,
  o: { stride?: number; padding?: number; dilation?: number; ceilMode?: boolean; countIncludePad?: boolean },
): Pool2dParams {
  const two = (v: number): [number, number] => [v, v];
  return {
    kernel: two(k),
    stride: two(o.stride ?? k),
    padding: two(o.padding ?? 0),
    dilation: two(o.dilation ?? 1),
    ceilMode: o.ceilMode ?? false,
    countIncludePad: o.countIncludePad ?? true,
  };
}

const t = (shape: number[], seed: number, lo = -1, hi = 1): Tensor =>
  tensor(
    randomData(
      shape.reduce((a, b) => a * b, 1),
      seed,
      lo,
      hi,
    ),
  ).reshape(shape);

describeIfAvailable('webgpu', 'matmul, convolutions and pooling match the CPU backend', () => {
  let backend: WebGPUBackend;
  beforeAll(async () => {
    backend = await gpuBackend();
  });

  it('matmul: odd, size-1 and tile-multiple shapes; vec4 and scalar load paths', async () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 7, 1],
      [3, 5, 2],
      [17, 33, 65],
      [64, 64, 64],
      [128, 16, 40],
      [5, 300, 9],
    ];
    for (const [m, k, n] of shapes) {
      const a = t([m, k], m * 100 + k);
      const b = t([k, n], n * 7 + k);
      await expectMatch(
        matmul(a.to('webgpu'), b.to('webgpu')),
        matmul(a, b),
        `[${m},${k}]x[${k},${n}]`,
        1e-5,
        1e-5,
      );
      // Transposed operands are read through strides (vecM / vecK / scalar modes).
      const at = pair(t([k, m], m + k), (x) => x.T);
      const bt = pair(t([n, k], n + 3 * k), (x) => x.T);
      await expectMatch(
        matmul(at.gpu, bt.gpu),
        matmul(at.cpu, bt.cpu),
        `transposed ${m},${k},${n}`,
        1e-5,
        1e-5,
      );
    }
  });

  it('batched matmul with broadcast batch dims, stepped and offset views', async () => {
    const a = t([2, 3, 20, 12], 1);
    const b = t([3, 12, 24], 2);
    await expectMatch(matmul(a.to('webgpu'), b.to('webgpu')), matmul(a, b), 'broadcast batch', 1e-5, 1e-5);
    const x = t([4, 10, 16], 3);
    const w = t([16, 8], 4);
    await expectMatch(
      matmul(x.to('webgpu'), w.to('webgpu')),
      matmul(x, w),
      'folded batch (x @ W)',
      1e-5,
      1e-5,
    );
    const s = pair(t([6, 30, 14], 5), (v) => v.slice(0, 1, 6, 2).slice(1, 3, 27, 3));
    const r = pair(t([14, 9], 6), (v) => v.slice(1, undefined, undefined, -1));
    await expectMatch(
      matmul(s.gpu, r.gpu),
      matmul(s.cpu, r.cpu),
      'stepped / negative-step operands',
      1e-5,
      1e-5,
    );
    const v = pair(t([40], 7));
    await expectMatch(
      matmul(t([3, 40], 8).to('webgpu'), v.gpu),
      matmul(t([3, 40], 8), v.cpu),
      'matrix-vector',
      1e-5,
      1e-5,
    );
  });

  it('split-K for small outputs with a long shared dim (partial sums reduced on the GPU)', async () => {
    const a = t([8, 4096], 9);
    const b = t([4096, 6], 10);
    await expectMatch(matmul(a.to('webgpu'), b.to('webgpu')), matmul(a, b), 'split-K', 1e-4, 1e-4);
  });

  it('conv2d forward and both gradients: stride, padding, dilation, groups, odd sizes', async () => {
    const cases = [
      { x: [2, 3, 9, 11], w: [4, 3, 3, 3], opts: {} },
      { x: [1, 4, 12, 10], w: [6, 2, 3, 2], opts: { stride: 2, padding: 1, groups: 2 } },
      {
        x: [3, 2, 8, 8],
        w: [5, 2, 3, 3],
        opts: { stride: [1, 2] as [number, number], padding: [2, 1] as [number, number], dilation: 2 },
      },
      { x: [2, 1, 28, 28], w: [6, 1, 5, 5], opts: { padding: 2 } },
      { x: [1, 8, 6, 6], w: [8, 8, 1, 1], opts: {} },
    ];
    for (const [i, c] of cases.entries()) {
      const x = t(c.x, 20 + i);
      const w = t(c.w, 40 + i);
      const y = conv2d(x, w, null, c.opts);
      const gy = conv2d(x.to('webgpu'), w.to('webgpu'), null, c.opts);
      await expectMatch(gy, y, `conv2d case ${i}`, 1e-5, 1e-5);
      const dy = t([...y.shape], 60 + i);
      const dx = conv2dBackwardInput(dy, w, x.shape, c.opts);
      const gdx = conv2dBackwardInput(dy.to('webgpu'), w.to('webgpu'), x.shape, c.opts);
      await expectMatch(gdx, dx, `conv2d grad input case ${i}`, 1e-5, 1e-5);
      const dw = conv2dBackwardWeight(x, dy, w.shape, c.opts);
      const gdw = conv2dBackwardWeight(x.to('webgpu'), dy.to('webgpu'), w.shape, c.opts);
      await expectMatch(gdw, dw, `conv2d grad weight case ${i}`, 1e-4, 1e-4);
    }
    // A strided (channels-last permuted) input is read in place.
    const xs = pair(t([2, 7, 7, 3], 80), (v) => v.permute(0, 3, 1, 2));
    const w = t([4, 3, 3, 3], 81);
    await expectMatch(conv2d(xs.gpu, w.to('webgpu')), conv2d(xs.cpu, w), 'conv2d strided input', 1e-5, 1e-5);
  });

  it('conv2d weight gradient with a long reduction uses split-K', async () => {
    const x = t([16, 3, 32, 32], 90);
    const dy = t([16, 4, 30, 30], 91);
    const dw = conv2dBackwardWeight(x, dy, [4, 3, 3, 3]);
    const gdw = conv2dBackwardWeight(x.to('webgpu'), dy.to('webgpu'), [4, 3, 3, 3]);
    await expectMatch(gdw, dw, 'split-K weight grad', 1e-4, 1e-3);
  });

  it('im2col (unfold) and col2im (fold)', async () => {
    const x = t([2, 3, 7, 6], 100);
    const opts = { stride: 2, padding: 1, dilation: [1, 2] as [number, number] };
    const cols = unfold(x, [3, 2], opts);
    const gcols = unfold(x.to('webgpu'), [3, 2], opts);
    await expectMatch(gcols, cols, 'unfold');
    await expectMatch(
      fold(gcols, [7, 6], [3, 2], opts),
      fold(cols, [7, 6], [3, 2], opts),
      'fold',
      1e-5,
      1e-5,
    );
  });

  it('max and average pooling with indices, padding, dilation, ceil mode; their gradients', async () => {
    const x = t([2, 3, 11, 9], 110);
    const raw = new Float32Array(await x.data());
    raw[5] = Number.NaN;
    const xn = tensor(raw).reshape(2, 3, 11, 9);
    const configs = [
      { k: 2 as const, o: {} },
      { k: 3 as const, o: { stride: 2, padding: 1 } },
      { k: 3 as const, o: { stride: 2, padding: 1, dilation: 2, ceilMode: true } },
    ];
    for (const [i, c] of configs.entries()) {
      const { values, indices } = maxPool2dWithIndices(xn, c.k, c.o);
      const g = maxPool2dWithIndices(xn.to('webgpu'), c.k, c.o);
      await expectMatch(g.values, values, `maxPool2d ${i}`);
      await expectMatch(g.indices, indices, `maxPool2d indices ${i}`);
      const dy = t([...values.shape], 120 + i);
      const dx = maxPool2dBackward(dy, indices, xn.shape);
      const gdx = maxPool2dBackward(dy.to('webgpu'), g.indices, xn.shape);
      await expectMatch(gdx, dx, `maxPool2d backward ${i}`, 1e-6, 1e-6);
      for (const countIncludePad of [true, false]) {
        const ao = { ...c.o, countIncludePad };
        const y = avgPool2d(x, c.k, ao);
        await expectMatch(
          avgPool2d(x.to('webgpu'), c.k, ao),
          y,
          `avgPool2d ${i} pad=${countIncludePad}`,
          1e-5,
          1e-6,
        );
        const gdy = t([...y.shape], 130 + i);
        const pp = poolParams(c.k, ao);
        await expectMatch(
          avgPool2dBackward(gdy.to('webgpu'), x.shape, pp),
          avgPool2dBackward(gdy, x.shape, pp),
          `avgPool2d backward ${i} pad=${countIncludePad}`,
          1e-5,
          1e-6,
        );
      }
    }
    const od = { divisorOverride: 3, padding: 1, stride: 2 };
    await expectMatch(
      avgPool2d(x.to('webgpu'), 3, od),
      avgPool2d(x, 3, od),
      'avgPool2d divisorOverride',
      1e-5,
      1e-6,
    );
    await expectMatch(
      maxPool2d(x.to('webgpu').permute(0, 1, 3, 2), 2),
      maxPool2d(x.permute(0, 1, 3, 2), 2),
      'maxPool2d strided',
    );
  });

  it('pipelines are compiled once per variant and reused', async () => {
    const a = t([20, 30], 140).to('webgpu');
    const b = t([30, 10], 141).to('webgpu');
    await matmul(a, b).data();
    const before = backend.runtime.pipelineCount;
    for (let i = 0; i < 5; i++) await matmul(a, b).data();
    expect(backend.runtime.pipelineCount).toBe(before);
    expect(webgpuBackend()).toBe(backend);
    expect(getBackend('webgpu')).toBe(backend);
  });
});
