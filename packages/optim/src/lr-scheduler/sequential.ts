import { checkOptions } from '@tessera/tensor';
import { checkNumber } from '../validate.js';
import {
  type AnyOptimizer,
  checkOptimizer,
  LRScheduler,
  loadFields,
  type SchedulerStateDict,
} from './scheduler.js';

/** Options of `SequentialLR`. */
export interface SequentialLROptions {
  /** The schedulers to run one after the other (all on this optimizer). */
  schedulers: readonly LRScheduler[];
  /** Epochs at which to switch to the next scheduler (one fewer than the schedulers, increasing). */
  milestones: readonly number[];
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Runs schedulers one after another, switching at the milestones, as
 * `torch.optim.lr_scheduler.SequentialLR` (e.g. a LinearLR warm-up followed by cosine decay).
 * At a milestone the next scheduler restarts from its epoch 0 (in closed form when it has one).
 * Construct the child schedulers first, then this one: it undoes their construction steps.
 */
export class SequentialLR extends LRScheduler {
  /** The chained schedulers. */
  readonly schedulers: LRScheduler[];
  /** Switch epochs. */
  milestones: number[];

  constructor(optimizer: AnyOptimizer, options: SequentialLROptions) {
    checkOptions('SequentialLR', options, { schedulers: 'any', milestones: 'any', lastEpoch: 'any' });
    const op = 'SequentialLR';
    const opt = checkOptimizer(op, optimizer);
    const schedulers = options?.schedulers;
    if (!Array.isArray(schedulers) || schedulers.length < 1) {
      throw new RangeError(`${op}: expects at least one scheduler`);
    }
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) {
        throw new TypeError(
          `${op}: schedulers[${i}] is not an epoch scheduler (ReduceLROnPlateau, which needs a metric, is not supported)`,
        );
      }
      if (s instanceof SequentialLR)
        throw new TypeError(`${op}: schedulers[${i}] is a SequentialLR; nesting is not supported`);
      if (s.optimizer !== opt) {
        throw new RangeError(`${op}: schedulers[${i}] (${s.name}) belongs to a different optimizer`);
      }
    });
    const milestones = options.milestones;
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        `${op}: expects one milestone fewer than schedulers, got ${schedulers.length} schedulers and ${Array.isArray(milestones) ? milestones.length : 'no'} milestones`,
      );
    }
    milestones.forEach((m, i) => {
      checkNumber(op, `milestones[${i}]`, m, { min: 0, integer: true });
      if (i > 0 && m <= milestones[i - 1]!) {
        throw new RangeError(`${op}: milestones must increase, got [${milestones.join(', ')}]`);
      }
    });
    super(op, optimizer, options.lastEpoch);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch += 1;
    // Reset the rates the children's construction steps changed, undo those steps, and
    // perform the construction step of the first scheduler only (as PyTorch does).
    for (const g of this.groups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    const first = this.schedulers[0]! as unknown as { initialStep(): void };
    first.initialStep();
    this.lastLrs = this.schedulers[0]!.getLastLr();
  }

  protected computeLr(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /** Advances one epoch: steps the scheduler active at the new epoch (restarting it at its milestone). */
  override step(): void {
    this.lastEpoch += 1;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx]! <= this.lastEpoch) idx++;
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.stepToEpoch(0);
    else scheduler.step();
    this.lastLrs = scheduler.getLastLr();
  }

  override stepToEpoch(_epoch: number): void {
    throw new Error('SequentialLR: stepping to a given epoch is not supported');
  }

  protected override stateExclusions(): readonly string[] {
    return ['optimizer', 'name', 'schedulers'];
  }

  /** State of this scheduler and of every child (`schedulers`, in order). */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** Restores this scheduler and its children from `stateDict()` output. */
  override loadStateDict(state: SchedulerStateDict): void {
    const op = 'SequentialLR.loadStateDict';
    const children = state?.schedulers;
    if (!Array.isArray(children) || children.length !== this.schedulers.length) {
      throw new RangeError(`${op}: expected state for ${this.schedulers.length} schedulers`);
    }
    const { schedulers: _, ...own } = state;
    loadFields(op, this, own, this.stateExclusions());
    this.schedulers.forEach((s, i) => {
      s.loadStateDict(children[i] as SchedulerStateDict);
    });
  }
}
