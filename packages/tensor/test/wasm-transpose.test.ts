import { randint, randn, type Tensor, tensor } from '@tessera/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasmKernels } from '../src/wasm/index.js';
import { withKernels } from './wasm-helpers.js';

// Transposing copies on the WebAssembly kernel must equal the TypeScript strided copy bit for bit.

function same(make: () => Tensor, what: string): void {
  const got = withKernels('wasm', make);
  const ref = withKernels('ts', make);
  expect(got.shape, what).toEqual(ref.shape);
  expect(got.dtype, what).toBe(ref.dtype);
  const a = got.dataSync();
  const b = ref.dataSync();
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) diff++;
  expect(diff, `${what}: elements that differ`).toBe(0);
}

// The kernels load on first use (a separate chunk): load them before comparing with them.
beforeAll(async () => {
  expect(await loadWasmKernels()).not.toBeNull();
});

describe('transposing copies', () => {
  it('match the strided copy for float32 and int32, ragged sizes and batches', () => {
    for (const [r, c] of [
      [128, 128],
      [130, 127],
      [33, 1001],
      [1001, 33],
      [257, 65],
    ] as const) {
      const x = randn([r, c]);
      same(() => x.mT.contiguous(), `float32 [${r},${c}].mT`);
      const i = randint(-(2 ** 31), 2 ** 31 - 1, [r, c], { dtype: 'int32' });
      same(() => i.mT.contiguous(), `int32 [${r},${c}].mT`);
    }
    const b = randn([3, 70, 90]);
    same(() => b.mT.contiguous(), 'batched .mT');
    const p = randn([40, 50, 30]);
    same(() => p.permute(2, 1, 0).contiguous(), 'permute(2, 1, 0)');
    same(() => b.mT.clone(), 'clone of .mT');
  });

  it('keeps NaN payloads, infinities and signed zeros', () => {
    // dataSync() returns a copy: plant the values in it, then build the tensor from it.
    const d = Float32Array.from(randn([200, 150]).dataSync());
    d[0] = Number.NaN;
    d[1] = Number.POSITIVE_INFINITY;
    d[2] = -0;
    const x = tensor(d).reshape([200, 150]);
    expect(Object.is(x.dataSync()[2], -0)).toBe(true);
    same(() => x.mT.contiguous(), 'special values');
  });
});
