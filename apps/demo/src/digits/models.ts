import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
} from '@tessera/nn';
import type { ArchName } from './protocol.js';

/**
 * The Digits architectures (input [N, 1, 28, 28], output 10 logits):
 * - mlp: 784-128-10 with ReLU;
 * - lenet5: LeNet-5 (two 5x5 convolutions with 2x2 pooling, then 120-84-10), with ReLU and max
 *   pooling as it is usually trained today (61,706 parameters);
 * - cnn: a small modern CNN, two 3x3 conv / batch norm / ReLU / max-pool blocks, dropout, 64-10.
 * In every model the first layer is module 0 or 1 and its activation follows it, which the
 * inspection view relies on (see `firstLayer`).
 */
export function buildModel(arch: ArchName): Sequential {
  switch (arch) {
    case 'mlp':
      return new Sequential(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10));
    case 'lenet5':
      return new Sequential(
        new Conv2d(1, 6, 5, { padding: 2 }),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(6, 16, 5),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Linear(400, 120),
        new ReLU(),
        new Linear(120, 84),
        new ReLU(),
        new Linear(84, 10),
      );
    case 'cnn':
      return new Sequential(
        new Conv2d(1, 8, 3, { padding: 1 }),
        new BatchNorm2d(8),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(8, 16, 3, { padding: 1 }),
        new BatchNorm2d(16),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Dropout(0.25),
        new Linear(16 * 7 * 7, 64),
        new ReLU(),
        new Dropout(0.25),
        new Linear(64, 10),
      );
  }
}

/**
 * The modules from the input up to and including the first layer's activation, and that first
 * weight layer (a Conv2d or a Linear).
 */
export function firstLayer(model: Sequential): { prefix: Module[]; layer: Conv2d | Linear } {
  const mods = [...model];
  const at = mods.findIndex((m) => m instanceof Conv2d || m instanceof Linear);
  const act = mods.findIndex((m, i) => i > at && m instanceof ReLU);
  return { prefix: mods.slice(0, act + 1), layer: mods[at] as Conv2d | Linear };
}

/** Number of trainable parameters. */
export function countParameters(model: Module): number {
  return model.parameters().reduce((n, p) => n + p.numel(), 0);
}
