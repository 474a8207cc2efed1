import { noGrad } from '@tessera/autograd';
import type { AnyModule } from '@tessera/nn';
import { checkOptions, Tensor } from '@tessera/tensor';
import type { Callback, CallbackState, TrainContext } from './callback.js';

/** Summary of a batch of values. */
export interface ValueStats {
  mean: number;
  std: number;
  /** Share of exact zeros (dead ReLU units show up here). */
  zeroFraction: number;
  min: number;
  max: number;
  /** Counts over `bins` equal-width bins from min to max. */
  histogram: number[];
}

/** Per-layer statistics recorded at one batch. */
export interface LayerStatsRecord {
  epoch: number;
  batch: number;
  layer: string;
  /** Statistics of the layer's output. */
  activation: ValueStats;
  /** Statistics of the gradient flowing into the layer's output (when it was computed). */
  gradient?: ValueStats;
  /** L2 norm of the layer's parameter gradients. */
  paramGradNorm?: number;
}

/** Computes `ValueStats` of a tensor's values (reads them back). */
export async function valueStats(t: Tensor, bins = 20): Promise<ValueStats> {
  const d = await t.data();
  let sum = 0;
  let zeros = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const v = Number(d[i]);
    sum += v;
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = d.length;
  const mean = n === 0 ? Number.NaN : sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (Number(d[i]) - mean) ** 2;
  const histogram = new Array<number>(bins).fill(0);
  const width = max > min ? (max - min) / bins : 1;
  for (let i = 0; i < n; i++) histogram[Math.min(bins - 1, Math.floor((Number(d[i]) - min) / width))]!++;
  return {
    mean,
    std: n > 1 ? Math.sqrt(sq / (n - 1)) : 0,
    zeroFraction: n === 0 ? 0 : zeros / n,
    min,
    max,
    histogram,
  };
}

/**
 * Logs activation and gradient statistics per layer (mean, std, share of zeros, histogram) every
 * `every` batches, to diagnose dead units and vanishing or exploding gradients. Layers are the
 * leaf modules (no children) unless `layers` names them.
 */
export class LayerStatsLogger implements Callback {
  readonly records: LayerStatsRecord[] = [];
  private hooks: { remove(): void }[] = [];
  private captured = new Map<string, { out?: Tensor; grad?: Tensor }>();
  private batch = 0;
  private epoch = 0;

  constructor(
    private readonly opts: {
      every?: number;
      bins?: number;
      layers?: string[];
      onRecord?: (r: LayerStatsRecord) => void;
    } = {},
  ) {
    checkOptions('LayerStatsLogger', opts, {
      every: 'integer',
      bins: 'integer',
      layers: 'array',
      onRecord: 'function',
    });
  }

  /** The records so far (plain data), so a resumed run's logger holds the whole run's. */
  stateDict(): CallbackState {
    return { records: structuredClone(this.records) };
  }

  /** Restores `stateDict()` output (replacing the records so far). */
  loadStateDict(state: CallbackState): void {
    const r = state?.records;
    const ok = (x: unknown): boolean => {
      const o = x as Record<string, unknown> | null;
      return (
        typeof o === 'object' &&
        o !== null &&
        typeof o.layer === 'string' &&
        Number.isInteger(o.epoch) &&
        Number.isInteger(o.batch)
      );
    };
    if (!Array.isArray(r) || !r.every(ok))
      throw new TypeError(
        'LayerStatsLogger.loadStateDict: records must be an array of {epoch, batch, layer, ...}',
      );
    this.records.length = 0;
    for (const x of r) this.records.push(structuredClone(x) as LayerStatsRecord);
  }

  private active(): boolean {
    return this.batch % (this.opts.every ?? 50) === 0;
  }

  onTrainBegin(ctx: TrainContext): void {
    for (const [name, m] of ctx.model.namedModules()) {
      const wanted = this.opts.layers
        ? this.opts.layers.includes(name)
        : name !== '' && [...m.children()].length === 0;
      if (!wanted) continue;
      this.hooks.push(
        m.registerForwardHook((_mod: AnyModule, _in: unknown[], out: unknown) => {
          if (!this.active() || !(out instanceof Tensor) || !m.training) return;
          const slot = { out: noGrad(() => out.detach()) } as { out?: Tensor; grad?: Tensor };
          this.captured.set(name, slot);
          if (out.requiresGrad) out.registerHook((g: Tensor) => void (slot.grad = g.detach()));
        }),
      );
    }
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.batch = 0;
  }

  private gradNorms = new Map<string, number>();

  async onAfterBackward(_b: number, ctx: TrainContext): Promise<void> {
    if (!this.active()) return;
    for (const name of this.captured.keys()) {
      const m = [...ctx.model.namedModules()].find(([n]) => n === name)?.[1];
      let sq = 0;
      let any = false;
      for (const p of m?.parameters(false) ?? []) {
        if (p.grad === null) continue;
        any = true;
        const g = await p.grad.data();
        for (let i = 0; i < g.length; i++) sq += Number(g[i]) ** 2;
      }
      if (any) this.gradNorms.set(name, Math.sqrt(sq));
    }
  }

  async onBatchEnd(): Promise<void> {
    if (this.active()) {
      const bins = this.opts.bins ?? 20;
      for (const [name, slot] of this.captured) {
        const norm = this.gradNorms.get(name);
        const r: LayerStatsRecord = {
          epoch: this.epoch,
          batch: this.batch,
          layer: name,
          activation: await valueStats(slot.out!, bins),
          ...(slot.grad ? { gradient: await valueStats(slot.grad, bins) } : {}),
          ...(norm !== undefined ? { paramGradNorm: norm } : {}),
        };
        this.records.push(r);
        this.opts.onRecord?.(r);
      }
      this.captured.clear();
      this.gradNorms.clear();
    }
    this.batch++;
  }

  onTrainEnd(): void {
    for (const h of this.hooks) h.remove();
    this.hooks = [];
  }
}
