import { Module, Sequential } from '@tessera/nn';
import { exportOnnx } from '@tessera/onnx';
import { manualSeed, randn, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { ortError, runOrt, worstError } from './helpers.js';
import { lenet5, mlp } from './models.js';

describe('exportOnnx whole models, checked in onnxruntime-node', () => {
  it('MNIST MLP', async () => {
    manualSeed(0);
    const err = await ortError(mlp(), [randn([8, 1, 28, 28])]);
    console.log(`MNIST MLP worst relative error vs onnxruntime: ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-4);
  });

  it('LeNet-5', async () => {
    manualSeed(0);
    const err = await ortError(lenet5(), [randn([8, 1, 28, 28])]);
    console.log(`LeNet-5 worst relative error vs onnxruntime: ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-4);
  });

  it('dynamicAxes leaves the batch dim symbolic: the file runs on another batch size', async () => {
    manualSeed(0);
    const model = lenet5().eval();
    const bytes = exportOnnx(model, randn([2, 1, 28, 28]), { dynamicAxes: { input: [0], output: [0] } });
    const x = randn([5, 1, 28, 28]);
    const [got] = await runOrt(bytes, [x]);
    expect(worstError(got!, model.call(x) as Tensor)).toBeLessThan(1e-4);
  });
});

class Cumulative extends Module {
  forward(x: Tensor): Tensor {
    return x.cumprod(1);
  }
}

describe('exportOnnx errors', () => {
  it('names the op and the module path of an op with no ONNX export', () => {
    const model = new Sequential(new Sequential(new Cumulative()));
    expect(() => exportOnnx(model, randn([2, 3]))).toThrow(
      "exportOnnx: op 'cumprod' has no ONNX export (in module '0.0')",
    );
  });

  it('rejects unknown options, bad opsets and mismatched names', () => {
    const model = mlp(8);
    const x = randn([1, 784]);
    expect(() => exportOnnx(model, x, { opset: 9 })).toThrow(
      'exportOnnx: opset 9 is not supported (13 to 21)',
    );
    expect(() => exportOnnx(model, x, { inputNames: ['a', 'b'] })).toThrow(
      'inputNames has 2 names for 1 values',
    );
    expect(() => exportOnnx(model, x, { dynamicAxes: { input: [3] } })).toThrow(
      "dynamicAxes['input'] names dim 3",
    );
    expect(() => exportOnnx(model, x, { foo: 1 } as never)).toThrow("exportOnnx: unknown option 'foo'");
  });

  it('restores the previous op observer after a failed trace', async () => {
    const { getOpObserver } = await import('@tessera/tensor');
    const before = getOpObserver();
    expect(() => exportOnnx(new Cumulative(), randn([2, 3]))).toThrow();
    expect(getOpObserver()).toBe(before);
  });
});
