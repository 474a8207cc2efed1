import type { Tensor } from '@tessera/tensor';
import { fmt } from './util.js';

/**
 * A tensor saved for backward. It holds its own view of the tensor's buffer (so disposing the
 * original does not free the data) sharing the original's autograd state (so double backward
 * connects to the original graph), and the buffer's version at save time.
 */
export class SavedTensor {
  readonly tensor: Tensor;
  readonly version: number;

  constructor(t: Tensor) {
    const v = t.detach();
    v.ext = t.ext;
    this.tensor = v;
    this.version = t._version;
  }

  /** The saved tensor; throws if its buffer was modified in place since it was saved. */
  unpack(op: string, what: string): Tensor {
    const t = this.tensor;
    const now = t._version;
    if (now !== this.version) {
      throw new Error(
        `autograd: ${what} of shape ${fmt(t.shape)} (${t.dtype}) saved by '${op}' for backward was modified by an ` +
          `in-place op after it was saved (version ${this.version} -> ${now}). Use an out-of-place op, or ` +
          `clone() the tensor before modifying it.`,
      );
    }
    return t;
  }

  /** Releases the saved view's hold on the buffer. */
  dispose(): void {
    this.tensor.dispose();
  }
}
