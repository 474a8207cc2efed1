import { Dropout, Linear, Module, Sequential } from '@tessera/nn';
import { EXPORTED_OPS, exportOnnx } from '@tessera/onnx';
import { manualSeed, maxPool2dWithIndices, randn, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { runOrt, worstError } from './helpers.js';

class Reductions extends Module {
  forward(x: Tensor): Tensor {
    return x.amax(1).add(x.sum(1)).sub(x.amin(1)).add(x.prod(1)).add(x.argmax(1).float());
  }
}

class Noisy extends Module {
  forward(x: Tensor): Tensor {
    return x.add(randn(x.shape));
  }
}

class PoolIndices extends Module {
  forward(x: Tensor): Tensor {
    return maxPool2dWithIndices(x, 2).indices;
  }
}

describe('exportOnnx opsets and dtypes', () => {
  for (const opset of [13, 17, 18, 21]) {
    it(`reductions at opset ${opset} (axes as attribute or input)`, async () => {
      manualSeed(6);
      const x = randn([3, 4]);
      const model = new Reductions();
      const [got] = await runOrt(exportOnnx(model, x, { opset }), [x]);
      expect(worstError(got!, model.call(x))).toBeLessThan(1e-4);
    });
  }

  it('float64 models export as double', async () => {
    manualSeed(7);
    const model = new Linear(4, 3, { dtype: 'float64' }).eval();
    const x = randn([2, 4], { dtype: 'float64' });
    const [got] = await runOrt(exportOnnx(model, x), [x]);
    expect(got!.dtype).toBe('float64');
    expect(worstError(got!, model.call(x))).toBeLessThan(1e-12);
  });

  it('lists the ops it exports', () => {
    for (const op of ['conv2d', 'matmul', 'softmax', 'conv2dBackwardInput'])
      expect(EXPORTED_OPS).toContain(op);
  });
});

describe('exportOnnx errors on what ONNX cannot express', () => {
  it('traces in eval mode (dropout off) and restores the modules modes', async () => {
    manualSeed(8);
    const model = new Sequential(new Linear(3, 3), new Dropout(0.5)).train();
    const x = randn([2, 3]);
    const bytes = exportOnnx(model, x);
    expect([...model.modules()].every((m) => m.training)).toBe(true);
    const [got] = await runOrt(bytes, [x]);
    expect(worstError(got!, model.eval().call(x))).toBeLessThan(1e-4);
  });

  it('random numbers drawn in the forward name the op that uses them and the module', () => {
    const model = new Sequential(new Linear(3, 3), new Noisy());
    expect(() => exportOnnx(model, randn([2, 3]))).toThrow(
      "exportOnnx: random numbers are drawn before op 'add' (in module '1'); the file would hold one fixed draw",
    );
  });

  it('maxPool2d indices as an output', () => {
    expect(() => exportOnnx(new PoolIndices(), randn([1, 1, 4, 4]))).toThrow(
      'exportOnnx: output uses the maxPool2d indices, which ONNX cannot express',
    );
  });
});
