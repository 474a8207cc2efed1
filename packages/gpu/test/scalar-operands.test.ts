import * as T from '@tessera/tensor';
import { BINARY_OPS, type BinaryOp, memory, profile, type Tensor, tensor } from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { gpuMemory, syncWebGPU, type WebGPUBackend } from '../src/index.js';
import { countDispatches, gpuBackend } from './helpers.js';

// Binary ops with a JS-number operand on WebGPU: the number is a kernel parameter (SCALAR), so
// `x.mul(0.5)` allocates no buffer and runs no fill, and fused chains stay one kernel.

type Fn = (a: Tensor | number, b: Tensor | number) => Tensor;
const fn = (op: BinaryOp): Fn => (T as unknown as Record<string, Fn>)[op]!;

describeIfAvailable('webgpu', 'scalar operands on WebGPU', () => {
  let b: WebGPUBackend;
  beforeAll(async () => {
    b = await gpuBackend();
  });

  const counted = (f: () => void): number => countDispatches(b, f);

  it('x.mul(0.5) allocates only its result and records one op', async () => {
    const x = tensor([1, 2, 3, 4], { dtype: 'float32' }).to('webgpu');
    x.mul(0.5).dispose();
    await syncWebGPU();
    const before = memory();
    const gpuBefore = gpuMemory().liveBuffers;
    const p = profile(() => x.mul(0.5));
    expect(memory().liveTensors, JSON.stringify([before, memory()])).toBe(before.liveTensors + 1);
    expect(gpuMemory().liveBuffers).toBe(gpuBefore + 1);
    expect(p.rows.map((r) => r.name)).toEqual(['mul']);
    expect(p.row('mul')!.bytesAllocated).toBe(16);
    expect(Array.from(await p.value.data())).toEqual([0.5, 1, 1.5, 2]);
    p.value.dispose();
    await syncWebGPU();
    expect(gpuMemory().liveBuffers).toBe(gpuBefore);
  });

  it('x * 0.5 + 1 - 2 / x fuses into one kernel', async () => {
    const x = tensor([1, 2, 4, -8], { dtype: 'float32' }).to('webgpu');
    await x.data();
    let y: Tensor | undefined;
    const n = counted(() => {
      y = T.sub(x.mul(0.5).add(1), T.div(2, x));
    });
    expect(n).toBe(0); // pending until read
    let read: Promise<ArrayLike<number>> | undefined;
    expect(counted(() => (read = y!.data()))).toBe(1); // one kernel for the whole chain
    expect(Array.from(await read!)).toEqual([-0.5, 1, 2.5, -2.75]);
  });

  it('every binary op, number on either side, matches the CPU backend', async () => {
    const xs = {
      float32: tensor([-2.5, -1, 0, 0.1, 1, 3.7], { dtype: 'float32' }),
      int32: tensor([-7, -1, 0, 1, 2, 5], { dtype: 'int32' }),
      bool: tensor([true, false, true, false, false, true]),
    };
    for (const [dtype, x] of Object.entries(xs)) {
      const g = x.to('webgpu');
      for (const op of BINARY_OPS) {
        const f = fn(op);
        for (const s of [-3, 0.5]) {
          for (const first of [false, true]) {
            const what = first ? `${s} ${op} ${dtype}` : `${dtype} ${op} ${s}`;
            let want: Tensor;
            try {
              want = first ? f(s, x) : f(x, s);
            } catch {
              continue; // refused on every backend (int ** negative int, bool - ...)
            }
            const got = first ? f(s, g) : f(g, s);
            expect(got.dtype, what).toBe(want.dtype);
            const a = Array.from(await got.data());
            const e = Array.from(want.dataSync());
            for (let i = 0; i < e.length; i++) {
              const ok =
                Object.is(a[i], e[i]) ||
                Math.abs(Number(a[i]) - Number(e[i])) <= 1e-5 * Math.max(1, Math.abs(Number(e[i])));
              expect(ok, `${what}: ${a} vs ${e}`).toBe(true);
            }
          }
        }
      }
    }
  });

  it('integer division and remainder with the number on either side (integer kernels)', async () => {
    const x = tensor([-7, -2, 3, 5], { dtype: 'int32' });
    const g = x.to('webgpu');
    const cases: [string, (t: Tensor) => Tensor][] = [
      ['x // 2', (t) => T.div(t, 2, 'floor')],
      ['7 // x', (t) => T.div(7, t, 'floor')],
      ['-7 / x trunc', (t) => T.div(-7, t, 'trunc')],
      ['x % -3', (t) => T.remainder(t, -3)],
      ['7 % x', (t) => T.remainder(7, t)],
    ];
    for (const [what, f] of cases) {
      const got = f(g);
      expect(got.dtype, what).toBe('int32');
      expect(Array.from(await got.data()), what).toEqual(Array.from(f(x).dataSync()));
    }
    // A zero tensor divisor under a number is reported at the next read, as with two tensors.
    const zero = tensor([2, 0, 1, 1], { dtype: 'int32', device: 'webgpu' });
    await expect(T.div(7, zero, 'floor').data()).rejects.toThrow(
      'div: integer division by zero (the divisor of output element 1, in flat order, is 0)',
    );
    await expect(T.remainder(7, zero).data()).rejects.toThrow(
      /^remainder: integer division by zero .*element 1,/,
    );
    // A zero number divisor is refused at once, on every backend.
    expect(() => T.div(g, 0, 'floor')).toThrow(/integer division by zero/);
  });

  it('in-place forms write through the target with the number as a parameter', async () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' }).to('webgpu');
    await x.data();
    const before = gpuMemory().liveBuffers;
    x.mul_(0.5).add_(1).sub_(0.25);
    await syncWebGPU();
    expect(gpuMemory().liveBuffers).toBe(before);
    expect(Array.from(await x.data())).toEqual([1.25, 1.75, 2.25]);
  });
});
