// Loaded by the page only when "Download ONNX" is pressed (a dynamic import), so @tessera/onnx
// and protobufjs stay out of the first load (the worker, which has the model, sends its weights).
import { exportOnnx } from '@tessera/onnx';
import { currentBackend, defaultGenerator, setBackend, type Tensor, tensor, zeros } from '@tessera/tensor';
import { buildModel } from './models.js';
import type { ArchName, WeightArray } from './protocol.js';

/** File name of the Digits model as ONNX. */
export const ONNX_FILE_NAME = 'tessera-digits.onnx';

/**
 * The Digits model as ONNX bytes: a CPU copy of architecture `arch` gets `weights` (a state dict
 * on the CPU, e.g. from `stateDictAsync`, since exportOnnx reads weights synchronously) and is
 * traced on a [1, 1, 28, 28] input. Input `image` [N, 1, 28, 28] (pixels in [0, 1], white digit on black,
 * as MNIST), output `logits` [N, 10]; N is symbolic.
 */
export function digitsOnnx(arch: ArchName, weights: Record<string, Tensor>): Uint8Array {
  const backend = currentBackend();
  // The copy's random init must not move the training's random stream.
  const rng = defaultGenerator.getState();
  setBackend('cpu');
  try {
    const model = buildModel(arch);
    model.loadStateDict(weights);
    return exportOnnx(model, zeros([1, 1, 28, 28]), {
      inputNames: ['image'],
      outputNames: ['logits'],
      dynamicAxes: { image: [0], logits: [0] },
    });
  } finally {
    setBackend(backend);
    defaultGenerator.setState(rng);
  }
}

/** `digitsOnnx` from the weights as the worker posts them (plain arrays), as a Blob to download. */
export function digitsOnnxBlob(arch: ArchName, weights: readonly WeightArray[]): Blob {
  const backend = currentBackend();
  setBackend('cpu');
  let dict: Record<string, Tensor>;
  try {
    dict = Object.fromEntries(weights.map((w) => [w.name, tensor(w.data, { shape: w.shape })]));
  } finally {
    setBackend(backend);
  }
  const bytes = digitsOnnx(arch, dict);
  return new Blob([bytes as BlobPart], { type: 'application/octet-stream' });
}
