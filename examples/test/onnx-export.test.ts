import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLoader, TensorDataset } from '@tessera/data';
import { Linear, Module, ReLU, Sequential } from '@tessera/nn';
import { defaultGenerator, manualSeed, randn, type Tensor, zeros } from '@tessera/tensor';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { exportTrainedModel, firstBatchInput } from '../src/lib/onnx-export.js';

const tmp = mkdtempSync(join(tmpdir(), 'tessera-onnx-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function runFile(path: string, x: Tensor): Promise<{ dims: readonly number[]; data: Float32Array }> {
  const session = await ort.InferenceSession.create(readFileSync(path));
  const feed = new ort.Tensor('float32', x.contiguous().dataSync() as Float32Array, [...x.shape]);
  const out = (await session.run({ input: feed })).output!;
  return { dims: out.dims, data: out.data as Float32Array };
}

/** Adds zeros sized from the input in JS: the trace freezes that size into a constant, so the graph cannot take another. */
class FixedBatch extends Module {
  lin = new Linear(4, 2);
  override forward(x: Tensor): Tensor {
    return this.lin.call(x).add(zeros([x.shape[0]!, 2]));
  }
}

describe('exportTrainedModel', () => {
  it('writes a file whose batch dimension is symbolic, matching the model at another batch size', async () => {
    manualSeed(1);
    const model = new Sequential(new Linear(5, 8), new ReLU(), new Linear(8, 3));
    const loader = new DataLoader(new TensorDataset(randn([10, 5]), randn([10, 3])), { batchSize: 4 });
    const example = await firstBatchInput(loader);
    expect(example.map((t) => t.shape)).toEqual([[4, 5]]);
    const lines: string[] = [];
    const path = join(tmp, 'a', 'b', 'mlp.onnx');
    const res = await exportTrainedModel(model, example, path, (l) => lines.push(l));
    expect(res).toEqual({ path, bytes: readFileSync(path).length, dynamicBatch: true });
    expect(lines).toEqual([]);
    const x = randn([7, 5]);
    const got = await runFile(path, x);
    expect(got.dims).toEqual([7, 3]);
    const want = (model.call(x) as Tensor).dataSync();
    got.data.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 5);
    });
  });

  it('a graph that keeps the traced batch size is written with a fixed batch, and says so', async () => {
    manualSeed(2);
    const model = new FixedBatch();
    const lines: string[] = [];
    const x = randn([3, 4]);
    const res = await exportTrainedModel(model, [x], join(tmp, 'fixed.onnx'), (l) => lines.push(l));
    expect(res.dynamicBatch).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^onnx: the graph keeps the traced batch size \(exportOnnx: dynamicAxes/);
    expect(lines[0]).toMatch(/written with a fixed batch of 3$/);
    const got = await runFile(res.path, x);
    expect(got.dims).toEqual([3, 2]);
    const want = (model.call(x) as Tensor).dataSync();
    got.data.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 5);
    });
  });

  it('other export errors are not swallowed', async () => {
    class Cumprod extends Module {
      override forward(x: Tensor): Tensor {
        return x.cumprod(1);
      }
    }
    await expect(
      exportTrainedModel(new Cumprod(), [randn([2, 3])], join(tmp, 'c.onnx'), () => {}),
    ).rejects.toThrow("exportOnnx: op 'cumprod' has no ONNX export");
  });

  it('firstBatchInput leaves the default generator as it was (batches drawn on iteration)', async () => {
    manualSeed(5);
    // Like a random transform applied per batch without its own generator.
    const batches = {
      *[Symbol.iterator]() {
        yield [randn([3, 2]), randn([3, 1])] as [Tensor, Tensor];
      },
    };
    const before = defaultGenerator.getState();
    expect((await firstBatchInput(batches))[0]!.shape).toEqual([3, 2]);
    expect(defaultGenerator.getState()).toEqual(before);
  });

  it('firstBatchInput refuses empty batches and non-tensor inputs', async () => {
    await expect(firstBatchInput([])).rejects.toThrow('--export-onnx: the training batches are empty');
    await expect(firstBatchInput([['a', 'b']])).rejects.toThrow(
      '--export-onnx: the model input of a batch is not a Tensor',
    );
  });
});
