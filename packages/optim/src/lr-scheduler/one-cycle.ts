import { checkOptions } from '@tessera/tensor';
import { checkBoolean, checkChoice, checkNumber } from '../validate.js';
import { type AnyOptimizer, checkOptimizer, LRScheduler, type SchedulableGroup } from './scheduler.js';

/** Options of `OneCycleLR` (PyTorch defaults). */
export interface OneCycleLROptions {
  /** Peak learning rate, one for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Number of steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** Epochs to train (with `stepsPerEpoch`, when `totalSteps` is not given). */
  epochs?: number;
  /** Steps per epoch (with `epochs`). */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the rate (default 0.3). */
  pctStart?: number;
  /** Annealing shape: 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or Adam's beta1) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum, reached at the peak rate (default 0.85). */
  baseMomentum?: number | readonly number[];
  /** Highest momentum, at the start and end (default 0.95). */
  maxMomentum?: number | readonly number[];
  /** initialLr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Use three phases (up, back down to initialLr, then annihilate) as fast.ai does (default false). */
  threePhase?: boolean;
  /** Index of the last step when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

function perGroup(op: string, name: string, value: unknown, groups: number): number[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw new RangeError(
        `${op}: expected ${groups} values for ${name} (one per group), got ${value.length}`,
      );
    }
    return value.map((v, i) => checkNumber(op, `${name}[${i}]`, v, { min: 0 }));
  }
  const v = checkNumber(op, name, value, { min: 0 });
  return Array.from({ length: groups }, () => v);
}

function annealCos(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}

function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/**
 * The 1cycle policy (Smith & Topin), as `torch.optim.lr_scheduler.OneCycleLR`: the rate rises
 * from maxLr/divFactor to maxLr over the first `pctStart` of the steps, then anneals to
 * initialLr/finalDivFactor; momentum (or beta1) moves the opposite way between maxMomentum and
 * baseMomentum. Step it after every batch. Each group gets `initialLr`, `maxLr`, `minLr` (and
 * `maxMomentum`, `baseMomentum`) keys.
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  totalSteps: number;
  /** Phase boundaries and the group keys each phase moves between. */
  phases: Phase[];
  /** 'cos' or 'linear'. */
  annealStrategy: 'cos' | 'linear';
  /** Whether momentum is cycled. */
  cycleMomentum: boolean;
  /** Whether the cycled momentum is Adam's beta1 (else the `momentum` option). */
  useBeta1: boolean;

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    checkOptions('OneCycleLR', options, {
      maxLr: 'any',
      totalSteps: 'any',
      epochs: 'any',
      stepsPerEpoch: 'any',
      pctStart: 'any',
      annealStrategy: 'any',
      cycleMomentum: 'any',
      baseMomentum: 'any',
      maxMomentum: 'any',
      divFactor: 'any',
      finalDivFactor: 'any',
      threePhase: 'any',
      lastEpoch: 'any',
    });
    const op = 'OneCycleLR';
    const opt = checkOptimizer(op, optimizer);
    const o = options ?? ({} as OneCycleLROptions);
    let totalSteps: number;
    if (o.totalSteps !== undefined) {
      totalSteps = checkNumber(op, 'totalSteps', o.totalSteps, { min: 1, integer: true });
    } else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      totalSteps =
        checkNumber(op, 'epochs', o.epochs, { min: 1, integer: true }) *
        checkNumber(op, 'stepsPerEpoch', o.stepsPerEpoch, { min: 1, integer: true });
    } else {
      throw new RangeError(`${op}: give either totalSteps or both epochs and stepsPerEpoch`);
    }
    const pctStart = checkNumber(op, 'pctStart', o.pctStart ?? 0.3, { min: 0, max: 1 });
    const annealStrategy = checkChoice(op, 'annealStrategy', o.annealStrategy ?? 'cos', [
      'cos',
      'linear',
    ] as const);
    const cycleMomentum = checkBoolean(op, 'cycleMomentum', o.cycleMomentum ?? true);
    const divFactor = checkNumber(op, 'divFactor', o.divFactor ?? 25, { min: 0, minExclusive: true });
    const finalDivFactor = checkNumber(op, 'finalDivFactor', o.finalDivFactor ?? 1e4, {
      min: 0,
      minExclusive: true,
    });
    const threePhase = checkBoolean(op, 'threePhase', o.threePhase ?? false);
    const lastEpoch = o.lastEpoch ?? -1;
    const n = opt.paramGroups.length;
    const maxLrs = perGroup(op, 'maxLr', o.maxLr, n);
    const groups = opt.paramGroups as unknown as SchedulableGroup[];
    const useBeta1 = 'betas' in opt.defaults;
    let maxMomentums: number[] = [];
    let baseMomentums: number[] = [];
    if (cycleMomentum) {
      if (!('momentum' in opt.defaults) && !useBeta1) {
        throw new TypeError(
          `${op}: the optimizer has neither 'momentum' nor 'betas'; pass cycleMomentum: false`,
        );
      }
      maxMomentums = perGroup(op, 'maxMomentum', o.maxMomentum ?? 0.95, n);
      baseMomentums = perGroup(op, 'baseMomentum', o.baseMomentum ?? 0.85, n);
    }

    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        const initialLr = maxLrs[i]! / divFactor;
        g.initialLr = initialLr;
        g.maxLr = maxLrs[i]!;
        g.minLr = initialLr / finalDivFactor;
      });
      if (cycleMomentum) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxMomentums[i]!, ...(g.betas as number[]).slice(1)];
          else g.momentum = maxMomentums[i]!;
          g.maxMomentum = maxMomentums[i]!;
          g.baseMomentum = baseMomentums[i]!;
        });
      }
    }
    super(op, optimizer, lastEpoch);
    this.totalSteps = totalSteps;
    this.phases = threePhase
      ? [
          {
            endStep: pctStart * totalSteps - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * pctStart * totalSteps - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: totalSteps - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: pctStart * totalSteps - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: totalSteps - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(
        `OneCycleLR.step: tried to step ${stepNum} times; the specified number of total steps is ${this.totalSteps}`,
      );
    }
    const anneal = this.annealStrategy === 'cos' ? annealCos : annealLinear;
    return this.groups.map((group) => {
      const num = (k: string): number => group[k] as number;
      let startStep = 0;
      let lr = 0;
      let momentum = 0;
      for (const [i, phase] of this.phases.entries()) {
        const endStep = phase.endStep;
        if (stepNum <= endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          lr = anneal(num(phase.startLr), num(phase.endLr), pct);
          if (this.cycleMomentum) momentum = anneal(num(phase.startMomentum), num(phase.endMomentum), pct);
          break;
        }
        startStep = phase.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) group.betas = [momentum, ...(group.betas as number[]).slice(1)];
        else group.momentum = momentum;
      }
      return lr;
    });
  }
}
