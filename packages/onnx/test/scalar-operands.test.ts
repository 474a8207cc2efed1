import { Module } from '@tessera/nn';
import { exportOnnx } from '@tessera/onnx';
import { manualSeed, randn, sub, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { runOrt, worstError } from './helpers.js';

// Binary ops with a JS-number operand record the number as attrs (no 0-d tensor input): the
// exporter turns it back into a scalar constant initializer, on its side of the op.

class Affine extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(0.5).add(1);
  }
}

class LeftScalars extends Module {
  forward(x: Tensor): Tensor {
    // 2 - x, 3 / (|x| + 1), then a comparison and maximum with numbers
    const a = sub(2, x);
    const b = x.abs().add(1).reciprocal().mul(3);
    return a.add(b).maximum(-1).add(x.gt(0.25).float()).pow(2);
  }
}

describe('exportOnnx with scalar operands', () => {
  it('x * 0.5 + 1 runs in onnxruntime', async () => {
    manualSeed(11);
    const x = randn([3, 4]);
    const model = new Affine();
    const [got] = await runOrt(exportOnnx(model, x), [x]);
    expect(worstError(got!, model.call(x))).toBeLessThan(1e-6);
  });

  it('numbers on either side of sub, comparisons, maximum and pow', async () => {
    manualSeed(12);
    const x = randn([2, 5]);
    const model = new LeftScalars();
    const [got] = await runOrt(exportOnnx(model, x), [x]);
    expect(worstError(got!, model.call(x))).toBeLessThan(1e-5);
  });
});
