import { Tensor } from '@tessera/tensor';
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh } from './layers/activation.js';
import { Conv1d, Conv2d } from './layers/conv.js';
import { Linear } from './layers/linear.js';
import { AvgPool2d, MaxPool2d } from './layers/pooling.js';
import { Flatten } from './layers/reshape.js';
import type { AnyModule } from './module.js';

// Containers run their children one after the other; the result passed from one child to the
// next is seen by nobody else when both are built-in layers whose forward keeps no reference to
// its input or output (and no hooks are registered on them). Such a result is released as soon as
// the next child returns, as Python frees it by reference counting, instead of waiting for the
// garbage collector: autograd keeps its own views of what it saved, so its memory is reused at
// once (or after backward), which spares the allocation of fresh pages in every training step.
// Only these exact classes qualify; subclasses (which may keep state) do not.
const KEEPS_NOTHING = new Set<unknown>([
  Linear,
  ReLU,
  LeakyReLU,
  ELU,
  GELU,
  SiLU,
  Sigmoid,
  Tanh,
  Conv1d,
  Conv2d,
  MaxPool2d,
  AvgPool2d,
  Flatten,
]);

function keepsNothing(m: AnyModule): boolean {
  return KEEPS_NOTHING.has(m.constructor) && !m.hasForwardHooks();
}

/**
 * Releases `x`, the result `producer` returned and `consumer` turned into `y`, when nothing else
 * can hold it: both are such layers, `x` is not the container's own input, and `y` is not `x`.
 */
export function releaseBetween(
  producer: AnyModule | null,
  consumer: AnyModule,
  x: unknown,
  y: unknown,
  input: unknown,
): void {
  if (producer === null || x === input || y === x || !(x instanceof Tensor)) return;
  if (keepsNothing(producer) && keepsNothing(consumer)) x.dispose();
}
