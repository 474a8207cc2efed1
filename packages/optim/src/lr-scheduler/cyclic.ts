import { checkOptions } from '@tessera/tensor';
import { checkBoolean, checkChoice, checkNumber } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** The built-in cycle shapes of `CyclicLR`. */
export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';

/** Options of `CyclicLR` (PyTorch's names in camelCase). */
export interface CyclicLROptions {
  /** Lower rate of the cycle, one number or one per group (sets each group's `lr` when starting). */
  baseLr: number | readonly number[];
  /** Upper rate of the cycle, one number or one per group. */
  maxLr: number | readonly number[];
  /** Steps in the increasing half of a cycle (default 2000). */
  stepSizeUp?: number;
  /** Steps in the decreasing half (default: `stepSizeUp`). */
  stepSizeDown?: number;
  /** 'triangular' (default), 'triangular2' (amplitude halves each cycle) or 'exp_range' (× gamma^step). */
  mode?: CyclicMode;
  /** The base of 'exp_range' (default 1). */
  gamma?: number;
  /** A custom amplitude scale, replacing `mode`: called with the cycle number or the step. */
  scaleFn?: (x: number) => number;
  /** What `scaleFn` receives: 'cycle' (default) or 'iterations'. */
  scaleMode?: 'cycle' | 'iterations';
  /** Cycle the `momentum` option inversely to the rate (default true). */
  cycleMomentum?: boolean;
  /** Lower momentum, at the peak rate (default 0.8; one number or one per group). */
  baseMomentum?: number | readonly number[];
  /** Upper momentum, at the base rate (default 0.9; one number or one per group). */
  maxMomentum?: number | readonly number[];
  /** Index of the last step when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

const MODES: readonly CyclicMode[] = ['triangular', 'triangular2', 'exp_range'];

/** One value per group from a number or a list (PyTorch's `_format_param`). */
function perGroup(op: string, name: string, value: unknown, groups: number): number[] {
  const list = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && value.length !== groups) {
    throw new RangeError(
      `${op}: expected ${groups} values for ${name} (one per parameter group), got ${value.length}`,
    );
  }
  const out = list.map((v, i) => checkNumber(op, Array.isArray(value) ? `${name}[${i}]` : name, v));
  return Array.isArray(value) ? out : new Array<number>(groups).fill(out[0]!);
}

/**
 * Cyclical learning rates (Smith, 2017), as `torch.optim.lr_scheduler.CyclicLR`: the rate moves
 * between `baseLr` and `maxLr` over cycles of `stepSizeUp + stepSizeDown` steps (step it once per
 * batch), scaled per cycle or per step by the mode; momentum moves the opposite way between
 * `maxMomentum` and `baseMomentum`.
 */
export class CyclicLR extends LRScheduler {
  /** Upper rates, one per group. */
  maxLrs: number[];
  /** Steps per cycle. */
  totalSize: number;
  /** Fraction of the cycle spent increasing. */
  stepRatio: number;
  /** Cycle shape. */
  mode: CyclicMode;
  /** Base of 'exp_range'. */
  gamma: number;
  /** What the scale function receives. */
  scaleMode: 'cycle' | 'iterations';
  /** Custom scale function, if given. */
  scaleFn: ((x: number) => number) | null;
  /** Whether momentum is cycled. */
  cycleMomentum: boolean;
  /** Lower momentums, one per group. */
  baseMomentums: number[];
  /** Upper momentums, one per group. */
  maxMomentums: number[];

  constructor(optimizer: AnyOptimizer, options: CyclicLROptions) {
    const op = 'CyclicLR';
    checkOptions(op, options, {
      baseLr: 'any',
      maxLr: 'any',
      stepSizeUp: 'any',
      stepSizeDown: 'any',
      mode: 'any',
      gamma: 'any',
      scaleFn: 'any',
      scaleMode: 'any',
      cycleMomentum: 'any',
      baseMomentum: 'any',
      maxMomentum: 'any',
      lastEpoch: 'any',
    });
    const groups = (optimizer as { paramGroups?: unknown[] } | null)?.paramGroups;
    const n = Array.isArray(groups) ? groups.length : 0;
    const baseLrs = perGroup(op, 'baseLr', options?.baseLr, n);
    const maxLrs = perGroup(op, 'maxLr', options.maxLr, n);
    const up = checkNumber(op, 'stepSizeUp', options.stepSizeUp ?? 2000, { min: 0, minExclusive: true });
    const down = checkNumber(op, 'stepSizeDown', options.stepSizeDown ?? up, { min: 0 });
    const mode = checkChoice(op, 'mode', options.mode ?? 'triangular', MODES);
    const gamma = checkNumber(op, 'gamma', options.gamma ?? 1);
    const scaleFn = options.scaleFn ?? null;
    if (scaleFn !== null && typeof scaleFn !== 'function') {
      throw new TypeError(`${op}: scaleFn must be a function, got ${typeof scaleFn}`);
    }
    const scaleMode = checkChoice(op, 'scaleMode', options.scaleMode ?? 'cycle', [
      'cycle',
      'iterations',
    ] as const);
    const cycleMomentum = checkBoolean(op, 'cycleMomentum', options.cycleMomentum ?? true);
    const lastEpoch = options.lastEpoch ?? -1;
    const opt = optimizer as { defaults?: Record<string, unknown>; paramGroups: Record<string, unknown>[] };
    let baseMomentums: number[] = [];
    let maxMomentums: number[] = [];
    if (cycleMomentum) {
      if (opt?.defaults === undefined || !('momentum' in opt.defaults)) {
        throw new TypeError(
          `${op}: the optimizer has no 'momentum' option to cycle (PyTorch 1.13 cycles SGD/RMSprop momentum only); pass cycleMomentum: false`,
        );
      }
      baseMomentums = perGroup(op, 'baseMomentum', options.baseMomentum ?? 0.8, n);
      maxMomentums = perGroup(op, 'maxMomentum', options.maxMomentum ?? 0.9, n);
    }
    // As PyTorch: a fresh start sets each group's rate (and momentum) to the base values first.
    if (lastEpoch === -1 && Array.isArray(groups)) {
      opt.paramGroups.forEach((g, i) => {
        g.lr = baseLrs[i]!;
        if (cycleMomentum) g.momentum = baseMomentums[i]!;
      });
    }
    super(op, optimizer, lastEpoch);
    if (cycleMomentum) baseMomentums = this.groups.map((g) => g.momentum as number);
    this.maxLrs = maxLrs;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = mode;
    this.gamma = gamma;
    this.scaleFn = scaleFn;
    this.scaleMode = scaleFn === null ? (mode === 'exp_range' ? 'iterations' : 'cycle') : scaleMode;
    this.cycleMomentum = cycleMomentum;
    this.baseMomentums = baseMomentums;
    this.maxMomentums = maxMomentums;
    this.baseLrs = baseLrs;
    this.initialStep();
  }

  private scale(x: number): number {
    if (this.scaleFn !== null) return this.scaleFn(x);
    if (this.mode === 'triangular') return 1;
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    return this.gamma ** x;
  }

  protected computeLr(): number[] {
    const t = this.lastEpoch;
    const cycle = Math.floor(1 + t / this.totalSize);
    const x = 1 + t / this.totalSize - cycle;
    const factor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const s = this.scale(this.scaleMode === 'cycle' ? cycle : t);
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i]! - b) * factor * s);
    if (this.cycleMomentum) {
      this.groups.forEach((g, i) => {
        const lo = this.baseMomentums[i]!;
        const hi = this.maxMomentums[i]!;
        g.momentum = hi - (hi - lo) * factor * s;
      });
    }
    return lrs;
  }
}
