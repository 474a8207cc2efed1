import type { Tensor } from './tensor.js';

/**
 * The interception point. Every differentiable or state-changing op of this package runs through
 * `runOp`, which hands the call to the attached observer, if any. `@tessera/autograd` attaches one
 * to record the graph; this package knows nothing about gradients. With no observer attached the
 * cost is one null check.
 */
export interface OpCall {
  /** Op name, e.g. `'add'`, `'matmul'`, `'add_'` (in-place ops end in `_`). */
  readonly name: string;
  /** Tensor inputs, in the op's argument order (scalars appear as 0-d tensors). */
  readonly inputs: readonly Tensor[];
  /** Non-tensor arguments that the op's result depends on (dims, shapes, flags). */
  readonly attrs: Readonly<Record<string, unknown>>;
}

/** Something that wants to see op calls: it must call `compute()` exactly once and return its value. */
export interface OpObserver {
  run<T extends Tensor | readonly Tensor[]>(call: OpCall, compute: () => T): T;
}

let observer: OpObserver | null = null;

/** Attaches an observer (or detaches with `null`); returns the previous one. */
export function setOpObserver(next: OpObserver | null): OpObserver | null {
  const prev = observer;
  observer = next;
  return prev;
}

/** The attached observer, or null. */
export function getOpObserver(): OpObserver | null {
  return observer;
}

const NO_ATTRS: Readonly<Record<string, unknown>> = Object.freeze({});

/** Runs an op's computation through the attached observer (if any). */
export function runOp<T extends Tensor | readonly Tensor[]>(
  name: string,
  inputs: readonly Tensor[],
  attrs: Readonly<Record<string, unknown>> | undefined,
  compute: () => T,
): T {
  if (observer === null) return compute();
  return observer.run({ name, inputs, attrs: attrs ?? NO_ATTRS }, compute);
}
