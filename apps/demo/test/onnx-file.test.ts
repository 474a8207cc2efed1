// The Digits model as ONNX (what "Download ONNX" writes), for every architecture, in Node:
// onnxruntime-node gives the model's outputs at another batch size, and building the CPU copy
// leaves the default backend and the random stream of training as they were.
import { currentBackend, defaultGenerator, manualSeed, rand, type Tensor } from '@tessera/tensor';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../src/digits/models.js';
import { digitsOnnx, digitsOnnxBlob, ONNX_FILE_NAME } from '../src/digits/onnx-file.js';
import { ARCHS } from '../src/digits/protocol.js';

describe('digitsOnnx', () => {
  it.each(ARCHS)(
    '%s: the file computes the model (eval mode) with its weights, batch size free',
    async (arch) => {
      manualSeed(3);
      const model = buildModel(arch);
      const before = defaultGenerator.getState();
      const backend = currentBackend();
      const bytes = digitsOnnx(arch, model.stateDict());
      expect(defaultGenerator.getState()).toEqual(before);
      expect(currentBackend()).toBe(backend);

      const x = rand([4, 1, 28, 28]);
      model.eval();
      const want = (model.call(x) as Tensor).dataSync() as Float32Array;
      const session = await ort.InferenceSession.create(bytes);
      const out = (
        await session.run({ image: new ort.Tensor('float32', x.dataSync() as Float32Array, [4, 1, 28, 28]) })
      ).logits!;
      expect(out.dims).toEqual([4, 10]);
      const got = out.data as Float32Array;
      const scale = Math.max(...want.map(Math.abs));
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4 * scale);
    },
  );

  it('digitsOnnxBlob takes the weights as the worker posts them (plain arrays)', async () => {
    manualSeed(4);
    const model = buildModel('cnn');
    const posted = Object.entries(model.stateDict()).map(([name, t]) => ({
      name,
      shape: [...t.shape],
      data: t.dataSync().slice() as Float32Array | Int32Array,
    }));
    const blob = digitsOnnxBlob('cnn', posted);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const x = new ort.Tensor('float32', rand([2, 1, 28, 28]).dataSync() as Float32Array, [2, 1, 28, 28]);
    const got = (await (await ort.InferenceSession.create(bytes)).run({ image: x })).logits!;
    expect(got.dims).toEqual([2, 10]);
    const session = await ort.InferenceSession.create(digitsOnnx('cnn', model.stateDict()));
    const want = (await session.run({ image: x })).logits!.data as Float32Array;
    expect([...(got.data as Float32Array)]).toEqual([...want]);
  });

  it('refuses weights of another architecture, naming the mismatch', () => {
    expect(() => digitsOnnx('lenet5', buildModel('mlp').stateDict())).toThrow(/loadStateDict/);
    expect(ONNX_FILE_NAME).toBe('tessera-digits.onnx');
  });
});
