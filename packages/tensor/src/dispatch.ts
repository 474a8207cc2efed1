import type { AttrsOf, OpDecl } from './ops/declare.js';
import type { Tensor } from './tensor.js';

/**
 * The interception point. Every differentiable or state-changing op of this package runs through
 * `runOp`, which hands the call to the attached observers, if any. This package knows nothing
 * about gradients: `@tessera/autograd` sets the base observer (`setOpObserver`) to record the
 * graph, and tools that watch ops alongside it (`profile`, tracers) push theirs on top
 * (`pushOpObserver`). With no observer attached the cost is one null check.
 */
export interface OpCall {
  /** Op name, e.g. `'add'`, `'matmul'`, `'add_'` (in-place ops end in `_`): `decl.name`. */
  readonly name: string;
  /** The op's declaration: kind, attributes, whether it is differentiable (see `defineOp`). */
  readonly decl: OpDecl;
  /**
   * Tensor inputs, in the op's argument order. A binary op's JS-number operand is not among them:
   * it is in `attrs` (`ScalarAttrs`).
   */
  readonly inputs: readonly Tensor[];
  /** Non-tensor arguments that the op's result depends on (dims, shapes, flags). */
  readonly attrs: Readonly<Record<string, unknown>>;
}

/** Something that wants to see op calls: it must call `compute()` exactly once and return its value. */
export interface OpObserver {
  run<T extends Tensor | readonly Tensor[]>(call: OpCall, compute: () => T): T;
}

/** Removes an observer added by `pushOpObserver`; also usable with `using`. */
export interface OpObserverHandle {
  /** Takes the observer out of the stack (once; later calls do nothing). */
  remove(): void;
  [Symbol.dispose](): void;
}

/** The base observer (innermost; autograd's recorder), set by `setOpObserver`. */
let base: OpObserver | null = null;
/** Observers added by `pushOpObserver`, oldest first; a new array on every change. */
let layers: readonly { readonly observer: OpObserver }[] = [];
/**
 * What `runOp` calls: null, the only observer, or one that runs the whole chain. Rebuilt on every
 * change, so that `runOp` stays one null check and one call whatever the stack holds.
 */
let top: OpObserver | null = null;

/** Calls `chain[i]` with a `compute` that runs `chain[i - 1]` and so on; `chain[0]` computes. */
function runFrom<T extends Tensor | readonly Tensor[]>(
  chain: readonly OpObserver[],
  i: number,
  call: OpCall,
  compute: () => T,
): T {
  const o = chain[i]!;
  if (i === 0) return o.run(call, compute);
  return o.run(call, () => runFrom(chain, i - 1, call, compute));
}

function rebuild(): void {
  const chain: OpObserver[] = base === null ? [] : [base];
  for (const l of layers) chain.push(l.observer);
  if (chain.length <= 1) {
    top = chain[0] ?? null;
    return;
  }
  const last = chain.length - 1;
  top = { run: (call, compute) => runFrom(chain, last, call, compute) };
}

function checkObserver(op: string, o: unknown): asserts o is OpObserver {
  if (typeof (o as { run?: unknown } | null)?.run !== 'function') {
    const got = o === null ? 'null' : typeof o === 'object' ? 'an object without one' : typeof o;
    throw new TypeError(`${op}: expected an object with a run(call, compute) method, got ${got}`);
  }
}

/**
 * Sets the base observer (or clears it with `null`) and returns the previous one. The base
 * observer is the innermost: it sees each call last, after every observer added with
 * `pushOpObserver`, and its `compute` runs the op. `@tessera/autograd` sets it when it loads;
 * code that must stop autograd's recording for a while (optimizer steps) clears and restores it,
 * which leaves pushed observers (a profiler) in place. To watch ops alongside autograd, use
 * `pushOpObserver` instead.
 */
export function setOpObserver(next: OpObserver | null): OpObserver | null {
  if (next !== null) checkObserver('setOpObserver', next);
  const prev = base;
  base = next;
  rebuild();
  return prev;
}

/** The base observer (see `setOpObserver`), or null; observers added by `pushOpObserver` are not included. */
export function getOpObserver(): OpObserver | null {
  return base;
}

/**
 * Adds an observer on top of the stack: it sees each op call first, and the `compute` it is given
 * calls the next observer down (the innermost, the base observer, runs the op). Ops run inside
 * an op's computation (nested ops) go through the whole stack again, and so do ops an observer
 * runs itself outside `compute` (itself included: guard against recursion). Observers can be
 * removed in any order: remove the returned handle (or declare it with `using`).
 *
 * ```ts
 * const seen: string[] = [];
 * const h = pushOpObserver({ run: (call, compute) => (seen.push(call.name), compute()) });
 * try { model.call(x); } finally { h.remove(); }
 * ```
 */
export function pushOpObserver(observer: OpObserver): OpObserverHandle {
  checkObserver('pushOpObserver', observer);
  const entry = { observer };
  layers = [...layers, entry];
  rebuild();
  const remove = (): void => {
    if (!layers.includes(entry)) return;
    layers = layers.filter((l) => l !== entry);
    rebuild();
  };
  return { remove, [Symbol.dispose]: remove };
}

/**
 * Whether any observer (base or pushed) is attached. Hot paths check it to skip building the
 * call (closure, input list) when nothing would see it; `getOpObserver() === null` is not that
 * check, since it leaves out pushed observers.
 */
export function hasOpObservers(): boolean {
  return top !== null;
}

const NO_ATTRS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Runs an op's computation through the attached observers (if any), outermost first. `op` is the
 * op's declaration (a built-in's, or one from `registerOp`), and `attrs` are typed by it: every
 * attribute it declares, or `undefined` for an op recorded without attributes.
 */
export function runOp<D extends OpDecl, T extends Tensor | readonly Tensor[]>(
  op: D,
  inputs: readonly Tensor[],
  attrs: AttrsOf<D> | undefined,
  compute: () => T,
): T {
  if (top === null) return compute();
  return top.run({ name: op.name, decl: op, inputs, attrs: attrs ?? NO_ATTRS }, compute);
}
