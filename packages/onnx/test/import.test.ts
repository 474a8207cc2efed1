import { noGrad } from '@tessera/autograd';
import { Module, Sequential } from '@tessera/nn';
import { exportOnnx, IMPORTED_OPS, importOnnx, OnnxModule } from '@tessera/onnx';
import { manualSeed, randint, randn, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { worstError } from './helpers.js';
import { lenet5, mlp } from './models.js';
import { roundTripCases } from './round-trip-cases.js';

describe('importOnnx round trip (export, import, compare)', () => {
  for (const [name, make, inputs] of roundTripCases()) {
    it(name, () => {
      manualSeed(2);
      const model = make().eval();
      const xs = inputs();
      const expected = (model as unknown as { call(...t: Tensor[]): Tensor }).call(...xs);
      const imported = importOnnx(exportOnnx(model, xs));
      expect(imported).toBeInstanceOf(OnnxModule);
      expect(worstError(imported.call(...xs) as Tensor, expected)).toBeLessThan(1e-5);
    });
  }

  it('MNIST MLP and LeNet-5', () => {
    for (const make of [mlp, lenet5]) {
      manualSeed(3);
      const model = make().eval();
      const x = randn([4, 1, 28, 28]);
      const imported = importOnnx(exportOnnx(model, x));
      expect(worstError(imported.call(x) as Tensor, model.call(x) as Tensor)).toBeLessThan(1e-5);
      expect(imported.parameters().length).toBe(model.parameters().length);
    }
  });
});

describe('importOnnx fine-tuning', () => {
  it('initializers are Parameters: gradients flow and one SGD step lowers the loss', () => {
    manualSeed(4);
    const imported = importOnnx(exportOnnx(lenet5().eval(), randn([6, 1, 28, 28])));
    const x = randn([6, 1, 28, 28]);
    const target = randint(0, 10, [6]);
    const loss = (): Tensor => {
      const logits = imported.call(x) as Tensor;
      return logits.logSoftmax(1).gather(1, target.unsqueeze(1)).neg().mean();
    };
    const before = loss();
    before.backward();
    for (const p of imported.parameters()) {
      expect(p.grad).not.toBeNull();
      expect(p.grad!.abs().sum().item()).toBeGreaterThan(0);
      noGrad(() => p.sub_(p.grad!.mul(0.05)));
    }
    expect(loss().item()).toBeLessThan(before.item() as number);
  });

  it('follows to(): a model moved to float64 runs in float64', () => {
    manualSeed(9);
    const model = mlp(8).eval();
    const x = randn([2, 784]);
    const imported = importOnnx(exportOnnx(model, x)).to('float64');
    const y = imported.call(x.double()) as Tensor;
    expect(y.dtype).toBe('float64');
    expect(worstError(y.float(), model.call(x))).toBeLessThan(1e-5);
  });

  it('names parameters after the initializers', () => {
    const imported = importOnnx(exportOnnx(mlp(8).eval(), randn([1, 784])));
    expect(Object.keys(imported.stateDict())).toEqual([
      'p_1_weight',
      'p_1_bias',
      'p_4_weight',
      'p_4_bias',
      'p_7_weight',
      'p_7_bias',
    ]);
    expect(imported.inputNames).toEqual(['input']);
    expect(imported.outputNames).toEqual(['output']);
  });
});

describe('importOnnx errors', () => {
  it('lists every unsupported op type at once', () => {
    const bytes = exportOnnx(new Sequential(new Ops()), randn([2, 3]));
    // Rename two node types in the file to ones the importer does not know.
    const text = Buffer.from(bytes).toString('latin1').replaceAll('Relu', 'Qelu').replaceAll('Tanh', 'Tahh');
    expect(() => importOnnx(new Uint8Array(Buffer.from(text, 'latin1')))).toThrow(
      'importOnnx: unsupported ONNX op types: Qelu, Tahh',
    );
  });

  it('rejects bytes that are not a model and a wrong number of inputs', () => {
    expect(() => importOnnx(new Uint8Array([255, 255, 255, 255]))).toThrow('importOnnx: not an ONNX model');
    const imported = importOnnx(exportOnnx(mlp(8).eval(), randn([1, 784])));
    expect(() => imported.call()).toThrow('OnnxModule: expected 1 input tensors (input), got 0');
    expect(() => imported.call(randn([1, 783]))).toThrow(
      "OnnxModule: input 'input' has shape [1,783], the graph expects [1, 784]",
    );
    const dynamic = importOnnx(
      exportOnnx(mlp(8).eval(), randn([1, 784]), { dynamicAxes: { input: { 0: 'batch' } } }),
    );
    expect((dynamic.call(randn([3, 784])) as Tensor).shape).toEqual([3, 10]);
    expect(() => dynamic.call(randn([3, 2]))).toThrow(
      "input 'input' has shape [3,2], the graph expects [batch, 784]",
    );
  });

  it('publishes the op types it runs', () => {
    expect(IMPORTED_OPS).toContain('Gemm');
    expect(IMPORTED_OPS).toContain('Conv');
  });
});

class Ops extends Module {
  forward(x: Tensor): Tensor {
    return x.relu().tanh();
  }
}
