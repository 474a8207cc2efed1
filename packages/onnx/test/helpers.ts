import { type ExportableModule, exportOnnx } from '@tessera/onnx';
import { Tensor, tensor } from '@tessera/tensor';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

/** Runs ONNX bytes in onnxruntime-node on float32/int32 inputs named `input`, `input_1`, ... */
export async function runOrt(bytes: Uint8Array, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  inputs.forEach((t, i) => {
    const type = t.dtype === 'int32' ? 'int32' : t.dtype === 'float64' ? 'float64' : 'float32';
    feeds[session.inputNames[i]!] = new ort.Tensor(type, t.contiguous().dataSync() as Float32Array, [
      ...t.shape,
    ]);
  });
  const out = await session.run(feeds);
  await session.release();
  return session.outputNames.map((n) => {
    const v = out[n]!;
    return tensor(v.data as Float32Array, { shape: [...v.dims] });
  });
}

/** Largest |a - b| / max(1, |b|) over two same-shaped tensors (float32 relative error, absolute near 0). */
export function worstError(a: Tensor, b: Tensor): number {
  expect([...a.shape]).toEqual([...b.shape]);
  const x = a.contiguous().dataSync();
  const y = b.contiguous().dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(Number(x[i]) - Number(y[i])) / Math.max(1, Math.abs(Number(y[i])));
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

/** A forward result as a flat list of tensors (nested arrays in order). */
export function flatTensors(v: unknown): Tensor[] {
  return v instanceof Tensor ? [v] : Array.isArray(v) ? v.flatMap(flatTensors) : [];
}

/** Exports `model` (in eval mode), runs it in onnxruntime and returns the worst error over all outputs. */
export async function ortError(
  model: ExportableModule & { eval(): unknown },
  inputs: readonly Tensor[],
): Promise<number> {
  model.eval();
  const expected = flatTensors((model as unknown as { call(...xs: Tensor[]): unknown }).call(...inputs));
  const bytes = exportOnnx(model, inputs);
  const got = await runOrt(bytes, inputs);
  expect(got.length).toBe(expected.length);
  return Math.max(...got.map((g, i) => worstError(g, expected[i]!)));
}
