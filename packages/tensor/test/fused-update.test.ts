import { CpuBackend, manualSeed, randn, registerBackend, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// add_/sub_ with alpha, addcmul_, addcdiv_ and lerp_ with a number weight run as one fused kernel
// on contiguous float operands. They must give exactly what the chain of separate ops gives (the
// fallback, exercised on a backend without the kernel), which rounds after every step.

const plain = new CpuBackend();
Object.assign(plain, { name: 'cpu-noupdate', update: undefined });
registerBackend('cpu-noupdate', () => plain);

type Update = (t: Tensor, a: Tensor, b: Tensor) => unknown;
const UPDATES: [string, Update][] = [
  ['add_ alpha', (t, a) => t.add_(a, -0.01)],
  ['sub_ alpha', (t, a) => t.sub_(a, 0.3)],
  ['addcmul_', (t, a, b) => t.addcmul_(a, b, 1 - 0.999)],
  ['addcdiv_', (t, a, b) => t.addcdiv_(a, b.abs().add(1e-3), -0.0017)],
  ['lerp_ weight < 0.5', (t, a) => t.lerp_(a, 0.1)],
  ['lerp_ weight >= 0.5', (t, a) => t.lerp_(a, 0.7)],
];

function run(device: string, dtype: 'float32' | 'float64', f: Update): Float32Array | Float64Array {
  manualSeed(11);
  const mk = () => tensor(Array.from(randn([3, 50], { dtype }).dataSync()), { dtype, device });
  const [t, a, b] = [mk(), mk(), mk()];
  f(t, a, b);
  return t.dataSync() as Float32Array | Float64Array;
}

describe('fused in-place updates', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [name, f] of UPDATES) {
      it(`${name} (${dtype}) equals the chain of separate ops bit for bit`, () => {
        const fused = run('cpu', dtype, f);
        const chain = run('cpu-noupdate', dtype, f);
        expect(Array.from(fused)).toEqual(Array.from(chain));
      });
    }
  }

  it('match the formulas (float64, PyTorch order and two-sided lerp)', () => {
    const t = () => tensor([1, -2, 3], { dtype: 'float64' });
    const a = tensor([0.5, 4, -1], { dtype: 'float64' });
    const b = tensor([2, 8, 0.25], { dtype: 'float64' });
    expect(Array.from(t().add_(a, 3).dataSync())).toEqual([1 + 3 * 0.5, -2 + 3 * 4, 3 + 3 * -1]);
    expect(Array.from(t().sub_(a, 3).dataSync())).toEqual([1 - 3 * 0.5, -2 - 3 * 4, 3 - 3 * -1]);
    expect(Array.from(t().addcmul_(a, b, 0.1).dataSync())).toEqual([
      1 + 0.1 * 0.5 * 2,
      -2 + 0.1 * 4 * 8,
      3 + 0.1 * -1 * 0.25,
    ]);
    expect(Array.from(t().addcdiv_(a, b, 0.1).dataSync())).toEqual([
      1 + (0.1 * 0.5) / 2,
      -2 + (0.1 * 4) / 8,
      3 + (0.1 * -1) / 0.25,
    ]);
    expect(Array.from(t().lerp_(a, 0.25).dataSync())).toEqual([
      1 + (0.5 - 1) * 0.25,
      -2 + (4 + 2) * 0.25,
      3 + (-1 - 3) * 0.25,
    ]);
    expect(Array.from(t().lerp_(a, 0.75).dataSync())).toEqual([
      0.5 - (0.5 - 1) * 0.25,
      4 - (4 + 2) * 0.25,
      -1 - (-1 - 3) * 0.25,
    ]);
  });

  it('fall back for strided targets, broadcast operands, aliasing and integer targets', () => {
    const base = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32' },
    );
    base.mT.add_(
      tensor(
        [
          [1, 1],
          [1, 1],
        ],
        { dtype: 'float32' },
      ),
      2,
    );
    expect(base.arraySync()).toEqual([
      [3, 4],
      [5, 6],
    ]);
    const t = tensor([1, 2, 3], { dtype: 'float32' });
    t.add_(tensor([1], { dtype: 'float32' }), 10);
    expect(t.arraySync()).toEqual([11, 12, 13]);
    t.add_(t, -1);
    expect(t.arraySync()).toEqual([0, 0, 0]);
    const i = tensor([1, 2]);
    i.add_(tensor([3, 4]), 2);
    expect(i.arraySync()).toEqual([7, 10]);
    expect(() => i.add_(tensor([1, 1]), 0.5)).toThrow(/add_: alpha must be an integer for a int32 target/);
  });

  it('bump the version and refuse disposed operands', () => {
    const t = tensor([1, 2], { dtype: 'float32' });
    const a = tensor([1, 1], { dtype: 'float32' });
    const v = t._version;
    t.addcmul_(a, a, 2);
    expect(t._version).toBe(v + 1);
    a.dispose();
    expect(() => t.add_(a, 2)).toThrow(/used after dispose/);
  });
});
