import type { Optimizer } from '../optimizer.js';
import { decodeJson, encodeJson } from '../serialize.js';
import { checkNumber } from '../validate.js';

/** Any optimizer (schedulers only read and write `lr` and, for OneCycleLR, momentum/betas). */
export type AnyOptimizer = Optimizer<object>;

/** The group fields schedulers use. */
export interface SchedulableGroup {
  lr: number;
  [key: string]: unknown;
}

/**
 * A scheduler's JSON-serialisable state: its fields (counters, hyperparameters, last learning
 * rates) as plain data, non-finite numbers written as `'Infinity'`, `'-Infinity'`, `'NaN'`.
 * Functions (LambdaLR's lambdas) are not included: they are given again to the constructor.
 */
export type SchedulerStateDict = Record<string, unknown>;

/** Throws unless `x` is an optimizer (has parameter groups with learning rates). */
export function checkOptimizer(op: string, x: unknown): AnyOptimizer {
  const groups = (x as { paramGroups?: unknown } | null)?.paramGroups;
  if (!Array.isArray(groups) || groups.some((g) => typeof (g as { lr?: unknown })?.lr !== 'number')) {
    throw new TypeError(
      `${op}: expected an optimizer (with paramGroups holding numeric lr), got ${typeof x}`,
    );
  }
  return x as AnyOptimizer;
}

/** Serialises an object's own fields except `exclude` and functions (the generic state dict). */
export function fieldsState(obj: object, exclude: readonly string[]): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [k, v] of Object.entries(obj)) {
    if (exclude.includes(k) || typeof v === 'function') continue;
    if (Array.isArray(v) && v.some((x) => typeof x === 'function')) continue;
    out[k] = encodeJson(v);
  }
  return out;
}

/** Loads a `fieldsState` result back into `obj`, rejecting keys `obj` does not have. */
export function loadFields(
  op: string,
  obj: object,
  state: SchedulerStateDict,
  exclude: readonly string[],
): void {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new TypeError(`${op}: expected a state dict object, got ${state === null ? 'null' : typeof state}`);
  }
  const own = new Set(Object.keys(obj).filter((k) => !exclude.includes(k)));
  for (const k of Object.keys(state)) {
    if (!own.has(k))
      throw new RangeError(`${op}: unknown key '${k}' (this scheduler has: ${[...own].join(', ')})`);
  }
  for (const [k, v] of Object.entries(state)) (obj as Record<string, unknown>)[k] = decodeJson(v);
}

/**
 * Base class of the epoch-based learning-rate schedulers, with PyTorch's semantics:
 * constructing a scheduler records each group's `initialLr` (when `lastEpoch` is -1) and performs
 * an initial `step()`, which sets the learning rate for epoch 0; each later `step()` advances one
 * epoch (call it after `optimizer.step()`). Subclasses compute the new rates from the current
 * ones (`computeLr`, PyTorch's chainable `get_lr`) and may offer a closed form.
 */
export abstract class LRScheduler {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** Class name used in error messages. */
  readonly name: string;
  /** Each group's `initialLr`, the rate schedules start from. */
  baseLrs: number[];
  /** Index of the current epoch (0 after construction). */
  lastEpoch: number;
  /** How many times `step()` has run, the construction step included. */
  protected stepCount = 0;
  /** The rates set by the last step. */
  protected lastLrs: number[];

  protected constructor(name: string, optimizer: AnyOptimizer, lastEpoch = -1) {
    this.name = name;
    this.optimizer = checkOptimizer(name, optimizer);
    checkNumber(name, 'lastEpoch', lastEpoch, { min: -1, integer: true });
    const groups = this.groups;
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (typeof g.initialLr !== 'number') {
          throw new RangeError(
            `${name}: paramGroups[${i}] has no 'initialLr', which is required when resuming with lastEpoch ${lastEpoch}`,
          );
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.lastLrs = groups.map((g) => g.lr);
  }

  /** The optimizer's parameter groups. */
  protected get groups(): SchedulableGroup[] {
    return this.optimizer.paramGroups as unknown as SchedulableGroup[];
  }

  /** The rates for `lastEpoch`, computed from the current ones (PyTorch's `get_lr`). */
  protected abstract computeLr(): number[];

  /** The rates for `lastEpoch` from `baseLrs` alone, when the schedule has such a form. */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  /** PyTorch's constructor-time step; subclasses call it at the end of their constructor. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch and sets the learning rate of every group. */
  step(): void {
    this.advance(() => {
      this.lastEpoch++;
      return this.computeLr();
    });
  }

  /**
   * @internal Jumps to `epoch`, using the closed form when there is one (PyTorch's deprecated
   * `step(epoch)`); SequentialLR uses it to restart a scheduler at its milestone.
   */
  stepToEpoch(epoch: number): void {
    this.advance(() => {
      this.lastEpoch = epoch;
      return this.closedFormLr() ?? this.computeLr();
    });
  }

  private advance(compute: () => number[]): void {
    const groups = this.groups;
    if (groups.length !== this.baseLrs.length) {
      throw new RangeError(
        `${this.name}.step: the optimizer has ${groups.length} parameter groups but the scheduler was created with ${this.baseLrs.length}; create the scheduler after adding groups`,
      );
    }
    const saved = [this.stepCount, this.lastEpoch];
    this.stepCount++;
    let lrs: number[];
    try {
      lrs = compute();
    } catch (e) {
      [this.stepCount, this.lastEpoch] = saved as [number, number];
      throw e;
    }
    groups.forEach((g, i) => {
      g.lr = lrs[i]!;
    });
    this.lastLrs = groups.map((g) => g.lr);
  }

  /** The learning rates set by the last step, one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  /** Fields left out of the state dict (references, not state). */
  protected stateExclusions(): readonly string[] {
    return ['optimizer', 'name'];
  }

  /** The scheduler's state as a JSON-serialisable object (see `SchedulerStateDict`). */
  stateDict(): SchedulerStateDict {
    return fieldsState(this, this.stateExclusions());
  }

  /** Restores a state saved by `stateDict()` (possibly after a JSON round trip). */
  loadStateDict(state: SchedulerStateDict): void {
    loadFields(`${this.name}.loadStateDict`, this, state, this.stateExclusions());
  }
}
