import {
  CpuBackend,
  logSoftmax,
  manualSeed,
  randn,
  registerBackend,
  softmax,
  type Tensor,
  tensor,
  zeros,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { recordTopLevel } from './helpers-record.js';
import { expectClose, unravel } from './reduce-ref.js';

/** Float64 reference softmax / log-softmax of row-major `data` along `dim`. */
function refSoftmax(data: readonly number[], shape: readonly number[], dim: number, log: boolean): number[] {
  const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const len = shape[dim]!;
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    if (unravel(i, shape)[dim] !== 0) continue;
    let m = -Infinity;
    for (let j = 0; j < len; j++) m = Math.max(m, data[i + j * stride]!);
    let s = 0;
    for (let j = 0; j < len; j++) s += Math.exp(data[i + j * stride]! - m);
    for (let j = 0; j < len; j++) {
      const v = data[i + j * stride]! - m;
      out[i + j * stride] = log ? v - Math.log(s) : Math.exp(v) / s;
    }
  }
  return out;
}

/** A CPU backend without the optional fused kernels, to exercise the fallback from primitives. */
const plain = new CpuBackend();
Object.assign(plain, { name: 'cpu-plain', softmax: undefined, logSoftmax: undefined });
registerBackend('cpu-plain', () => plain);

function inputs(device?: string): [string, Tensor][] {
  manualSeed(21);
  const opts = { device };
  const mk = (shape: number[]) => randn(shape, opts).mul(3);
  return [
    ['contiguous', mk([3, 4, 5])],
    ['permuted', mk([5, 3, 4]).permute(1, 2, 0)],
    ['negative steps', mk([3, 4, 10]).slice(2, undefined, undefined, -2)],
    ['expanded', mk([3, 1, 5]).expand(3, 4, 5)],
  ];
}

for (const device of ['cpu', 'cpu-plain']) {
  describe(`softmax / logSoftmax on ${device} (${device === 'cpu' ? 'fused kernels' : 'from primitives'})`, () => {
    const t = (v: number[]) => tensor(v, { device, dtype: 'float32' });

    it('hand-worked values', () => {
      expect(t([1]).device).toBe(device);
      const s = t([1, 2, 3]).softmax(0).dataSync();
      const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
      const z = e[0]! + e[1]! + e[2]!;
      expectClose(s, [e[0]! / z, e[1]! / z, e[2]! / z], 1e-6, 0);
      expectClose(
        t([1, 2, 3]).logSoftmax(0).dataSync(),
        [1 - Math.log(z), 2 - Math.log(z), 3 - Math.log(z)],
        1e-6,
        1e-7,
      );
      expect(t([1, 2, 3]).softmax(0).dtype).toBe('float32');
      expect(tensor([1, 2], { device, dtype: 'float64' }).softmax(0).dtype).toBe('float64');
    });

    it('is stable for large magnitudes and handles -inf', () => {
      expectClose(t([1000, 1001]).softmax(0).dataSync(), [1 / (1 + Math.E), Math.E / (1 + Math.E)], 1e-6, 0);
      expectClose(
        t([-1000, -1001]).logSoftmax(0).dataSync(),
        [-Math.log1p(Math.exp(-1)), -1 - Math.log1p(Math.exp(-1))],
        1e-5,
        1e-6,
      );
      expect(Array.from(t([-Infinity, 0]).softmax(0).dataSync())).toEqual([0, 1]);
      expect(Array.from(t([-Infinity, 0]).logSoftmax(0).dataSync())).toEqual([-Infinity, 0]);
      // A row that is all -inf has no defined softmax: NaN, as in PyTorch.
      expect(Array.from(t([-Infinity, -Infinity]).softmax(0).dataSync()).every(Number.isNaN)).toBe(true);
      expect(Array.from(t([Number.NaN, 1]).softmax(0).dataSync()).every(Number.isNaN)).toBe(true);
    });

    it('0-d and empty tensors', () => {
      expect(tensor(3.5, { device }).softmax(0).item()).toBe(1);
      expect(tensor(3.5, { device }).logSoftmax(-1).item()).toBe(0);
      expect(zeros([0, 3], { device }).softmax(1).shape).toEqual([0, 3]);
      expect(zeros([2, 0], { device }).logSoftmax(1).shape).toEqual([2, 0]);
    });

    it('rejects non-float inputs and bad dims', () => {
      const i = tensor([1, 2], { device });
      expect(() => i.softmax(0)).toThrow(
        'softmax: input dtype int32 is not floating point; call .float() first',
      );
      expect(() => tensor([true], { device }).logSoftmax(0)).toThrow(
        /logSoftmax: input dtype bool is not floating point/,
      );
      expect(() => t([1, 2]).softmax(1)).toThrow(/softmax: dim 1 is out of range for a tensor of 1 dims/);
      expect(() => logSoftmax(t([1, 2]), -2)).toThrow(/logSoftmax: dim -2 is out of range/);
    });

    for (const [name, x] of inputs(device)) {
      it(`matches a float64 reference along every dim (${name})`, () => {
        const data = Array.from(x.dataSync());
        for (const dim of [0, 1, 2, -1]) {
          const d = dim < 0 ? dim + 3 : dim;
          const s = softmax(x, dim);
          expect(s.shape).toEqual(x.shape);
          expectClose(s.dataSync(), refSoftmax(data, x.shape, d, false), 1e-5, 1e-7);
          expectClose(logSoftmax(x, dim).dataSync(), refSoftmax(data, x.shape, d, true), 1e-5, 1e-5);
        }
      });
    }
  });
}

describe('recording', () => {
  it('softmax and logSoftmax are one recorded op each, on both paths', () => {
    for (const device of ['cpu', 'cpu-plain']) {
      const x = randn([2, 3], { device });
      const calls = recordTopLevel(() => {
        x.softmax(-1);
        x.logSoftmax(0);
      });
      expect(calls.map((c) => [c.name, c.attrs])).toEqual([
        ['softmax', { dim: 1 }],
        ['logSoftmax', { dim: 0 }],
      ]);
      expect(calls[0]!.inputs).toEqual([x]);
    }
  });
});
