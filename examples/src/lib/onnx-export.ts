import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Module } from '@tessera/nn';
import { exportOnnx } from '@tessera/onnx';
import { defaultGenerator, Tensor, toAsync } from '@tessera/tensor';
import { type BatchSource, splitBatch } from '@tessera/train';

/** What `exportTrainedModel` wrote. */
export interface OnnxExportResult {
  /** Absolute path of the .onnx file. */
  path: string;
  /** Size of the file in bytes. */
  bytes: number;
  /** Whether the batch dimension (dim 0 of every input and output) is symbolic in the graph. */
  dynamicBatch: boolean;
}

/**
 * The input of the first batch of `batches` (through `split`, default @tessera/train's
 * `splitBatch`), on the CPU: an example input with the dataset's shape for `exportOnnx`. The
 * default generator is left as it was.
 */
export async function firstBatchInput<B>(
  batches: BatchSource<B>,
  split: (batch: B) => { input: unknown } = splitBatch as (batch: B) => { input: unknown },
): Promise<Tensor[]> {
  let first: B | undefined;
  let found = false;
  // A shuffling loader draws from the default generator: restore it, so that what the example
  // does after training (sampling, say) is the same with and without --export-onnx.
  const rng = defaultGenerator.getState();
  try {
    for await (const b of batches as AsyncIterable<B>) {
      first = b;
      found = true;
      break;
    }
  } finally {
    defaultGenerator.setState(rng);
  }
  if (!found) throw new Error('--export-onnx: the training batches are empty, so there is no example input');
  const input = split(first as B).input;
  const list = Array.isArray(input) ? input : [input];
  if (list.length === 0 || !list.every((t) => t instanceof Tensor)) {
    throw new Error('--export-onnx: the model input of a batch is not a Tensor (or an array of Tensors)');
  }
  return Promise.all((list as Tensor[]).map((t) => (t.device === 'cpu' ? t : toAsync(t, 'cpu'))));
}

/**
 * Exports a trained model to ONNX at `path` (folders created) with `exampleInputs` giving the
 * shapes, the batch dimension (dim 0) of every input and output left symbolic. A model whose graph
 * cannot take another batch size (an RNN's zero initial state is traced at the example's batch)
 * is written with the example's batch size instead, and `log` says so. A model on another device
 * is moved to the CPU for the trace (exportOnnx reads weights synchronously) and back afterwards.
 */
export async function exportTrainedModel(
  model: Module,
  exampleInputs: readonly Tensor[],
  path: string,
  log: (line: string) => void,
): Promise<OnnxExportResult> {
  const device = model.parameters()[0]?.device ?? 'cpu';
  if (device !== 'cpu') await model.toAsync('cpu');
  let bytes: Uint8Array;
  let dynamicBatch = true;
  try {
    const inputNames = exampleInputs.map((_, i) => (i === 0 ? 'input' : `input_${i}`));
    try {
      const dynamicAxes = Object.fromEntries(inputNames.map((n) => [n, [0]]));
      bytes = exportOnnx(model, exampleInputs, { inputNames, dynamicAxes: { ...dynamicAxes, output: [0] } });
    } catch (e) {
      // exportOnnx re-runs the graph at another batch size; only that check failing is recoverable.
      if (!/^exportOnnx: dynamicAxes/.test((e as Error).message)) throw e;
      bytes = exportOnnx(model, exampleInputs, { inputNames });
      dynamicBatch = false;
      log(
        `onnx: the graph keeps the traced batch size (${(e as Error).message}); ` +
          `written with a fixed batch of ${exampleInputs[0]!.shape[0]}`,
      );
    }
  } finally {
    if (device !== 'cpu') await model.toAsync(device);
  }
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, bytes);
  return { path: abs, bytes: bytes.length, dynamicBatch };
}
