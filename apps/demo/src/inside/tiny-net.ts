// The tiny network of the backpropagation step-through: its parameters and the trace of one
// training step (plain data, so the page can use it without loading Tessera).

/** Two numbers (one per input or per hidden unit). */
export type Pair = [number, number];

/**
 * A 2-2-1 network with sigmoid units and loss L = ½(y − t)²: inputs x, hidden z = W·x + b,
 * h = σ(z), output zo = v·h + c, y = σ(zo); trained by one SGD step with learning rate lr.
 */
export interface TinyNetParams {
  x: Pair;
  target: number;
  /** w[i][j]: weight from input j to hidden unit i. */
  w: [Pair, Pair];
  b: Pair;
  v: Pair;
  c: number;
  lr: number;
}

/** Every forward value, every gradient and the updated parameters of one training step. */
export interface BackpropTrace {
  params: TinyNetParams;
  z: Pair;
  h: Pair;
  zo: number;
  y: number;
  loss: number;
  /** dL/dy, dL/dzo, dL/dh, dL/dz. */
  dy: number;
  dzo: number;
  dh: Pair;
  dz: Pair;
  /** Parameter gradients. */
  dw: [Pair, Pair];
  db: Pair;
  dv: Pair;
  dc: number;
  /** Parameters after the SGD step, and the loss they give on the same example. */
  next: TinyNetParams;
  lossAfter: number;
}

export const DEFAULT_TINY_NET: TinyNetParams = {
  x: [1, -0.5],
  target: 1,
  w: [
    [0.4, -0.6],
    [0.7, 0.3],
  ],
  b: [0.1, -0.2],
  v: [0.5, -0.8],
  c: 0.1,
  lr: 1,
};
