import { readFileSync } from 'node:fs';
import { importOnnx } from '@tessera/onnx';
import { type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { runOrt, worstError } from './helpers.js';

interface Fixture {
  inputShape: number[];
  input: number[];
  outputShape: number[];
  output: number[];
}

function load(name: string): { bytes: Uint8Array; x: Tensor; y: Tensor } {
  const dir = new URL('./fixtures/', import.meta.url);
  const bytes = new Uint8Array(readFileSync(new URL(`torch-${name}.onnx`, dir)));
  const f = JSON.parse(readFileSync(new URL(`torch-${name}.json`, dir), 'utf8')) as Fixture;
  return {
    bytes,
    x: tensor(Float32Array.from(f.input), { shape: f.inputShape }),
    y: tensor(Float32Array.from(f.output), { shape: f.outputShape }),
  };
}

describe('importOnnx on files written by torch.onnx.export (fixtures/generate.py)', () => {
  for (const name of ['mlp', 'lenet5', 'resnet', 'lstm', 'bilstm', 'gru', 'transformer']) {
    it(`${name}: matches PyTorch's stored output`, async () => {
      const { bytes, x, y } = load(name);
      const model = importOnnx(bytes).eval();
      const err = worstError(model.call(x) as Tensor, y);
      console.log(`torch-${name}: worst relative error vs PyTorch ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-4);
      // The fixture itself is sound: onnxruntime agrees with PyTorch too.
      const [ort] = await runOrt(bytes, [x]);
      expect(worstError(ort!, y)).toBeLessThan(1e-4);
    });
  }

  it('an imported LSTM fine-tunes: every weight gets a gradient', () => {
    const { bytes, x } = load('lstm');
    const model = importOnnx(bytes);
    (model.call(x) as Tensor).square().sum().backward();
    const params = model.parameters();
    expect(params.length).toBeGreaterThan(0);
    for (const p of params) expect(p.grad?.abs().sum().item()).toBeGreaterThan(0);
  });

  it('a dynamic-batch file runs on another batch size', () => {
    const { bytes, x } = load('resnet');
    const model = importOnnx(bytes).eval();
    const one = model.call(x.slice(0, 0, 1)) as Tensor;
    const both = model.call(x) as Tensor;
    expect(worstError(one, both.slice(0, 0, 1))).toBeLessThan(1e-5);
  });
});
