import { checkOptions, Generator, rand } from '@tessera/tensor';

/** A search dimension: how to sample it and which points a grid uses. */
export interface Dimension<T = unknown> {
  /** Draws a value from uniform numbers in [0, 1). */
  sample(u: number): T;
  /** Grid points (`n` for continuous ranges). */
  grid(n: number): T[];
}

/** Uniform on [low, high]. */
export function uniform(low: number, high: number): Dimension<number> {
  if (!(high > low)) throw new RangeError(`uniform: need low < high, got ${low} and ${high}`);
  return {
    sample: (u) => low + u * (high - low),
    grid: (n) =>
      Array.from({ length: n }, (_, i) => (n === 1 ? (low + high) / 2 : low + ((high - low) * i) / (n - 1))),
  };
}

/** Log-uniform on [low, high] (learning rates, weight decay): uniform in log space. */
export function logUniform(low: number, high: number): Dimension<number> {
  if (!(low > 0 && high > low))
    throw new RangeError(`logUniform: need 0 < low < high, got ${low} and ${high}`);
  const a = Math.log(low);
  const b = Math.log(high);
  return {
    sample: (u) => Math.exp(a + u * (b - a)),
    grid: (n) =>
      Array.from({ length: n }, (_, i) => Math.exp(n === 1 ? (a + b) / 2 : a + ((b - a) * i) / (n - 1))),
  };
}

/** Integers uniform on [low, high] inclusive. */
export function intUniform(low: number, high: number): Dimension<number> {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high < low)
    throw new RangeError(`intUniform: need integers low <= high, got ${low} and ${high}`);
  return {
    sample: (u) => low + Math.min(high - low, Math.floor(u * (high - low + 1))),
    grid: (n) => [
      ...new Set(
        Array.from({ length: n }, (_, i) =>
          Math.round(n === 1 ? (low + high) / 2 : low + ((high - low) * i) / (n - 1)),
        ),
      ),
    ],
  };
}

/** One of a list of values (equally likely). */
export function choice<T>(values: readonly T[]): Dimension<T> {
  if (values.length === 0) throw new RangeError('choice: needs at least one value');
  return {
    sample: (u) => values[Math.min(values.length - 1, Math.floor(u * values.length))]!,
    grid: () => [...values],
  };
}

/** A search space: a dimension per hyper-parameter. */
export type Space = Record<string, Dimension>;
/** A point of a space. */
export type Params<S extends Space> = { [K in keyof S]: S[K] extends Dimension<infer T> ? T : never };

/** One evaluated trial. */
export interface Trial<S extends Space> {
  index: number;
  params: Params<S>;
  score: number;
  durationMs: number;
}

/** Results, ranked best first. */
export interface SearchResult<S extends Space> {
  trials: Trial<S>[];
  best: Trial<S>;
}

/** Options shared by both searches. */
export interface SearchOptions<S extends Space> {
  space: S;
  /** Trains with `params` and returns the validation score. */
  objective: (params: Params<S>, trial: number) => Promise<number> | number;
  /** Whether higher scores are better (default 'max'). */
  mode?: 'max' | 'min';
  /** Called after each trial. */
  onTrial?: (t: Trial<S>) => void;
}

async function run<S extends Space>(points: Params<S>[], opts: SearchOptions<S>): Promise<SearchResult<S>> {
  const mode = opts.mode ?? 'max';
  const trials: Trial<S>[] = [];
  for (let i = 0; i < points.length; i++) {
    const t0 = performance.now();
    const score = await opts.objective(points[i]!, i);
    if (typeof score !== 'number')
      throw new TypeError(`search: objective must return a number, got ${typeof score} in trial ${i}`);
    const t: Trial<S> = { index: i, params: points[i]!, score, durationMs: performance.now() - t0 };
    trials.push(t);
    opts.onTrial?.(t);
  }
  const key = (s: number): number => (Number.isNaN(s) ? -Infinity : mode === 'max' ? s : -s);
  trials.sort((a, b) => key(b.score) - key(a.score));
  if (trials.length === 0) throw new RangeError('search: no trials were run');
  return { trials, best: trials[0]! };
}

/** Random search: `trials` points drawn independently from the space with a seeded generator. */
export async function randomSearch<S extends Space>(
  opts: SearchOptions<S> & { trials: number; seed?: number },
): Promise<SearchResult<S>> {
  checkOptions('randomSearch', opts, {
    space: 'any',
    objective: 'any',
    mode: 'any',
    onTrial: 'any',
    trials: 'any',
    seed: 'any',
  });
  if (!Number.isInteger(opts.trials) || opts.trials < 1)
    throw new RangeError(`randomSearch: trials must be a positive integer, got ${opts.trials}`);
  const keys = Object.keys(opts.space);
  const u = rand([opts.trials, keys.length], {
    generator: new Generator(opts.seed ?? 0),
    dtype: 'float64',
  }).dataSync();
  const points = Array.from(
    { length: opts.trials },
    (_, i) =>
      Object.fromEntries(
        keys.map((k, j) => [k, opts.space[k]!.sample(u[i * keys.length + j]!)]),
      ) as Params<S>,
  );
  return run(points, opts);
}

/** Grid search: every combination of each dimension's grid (`pointsPerDim` for continuous ranges, default 3). */
export async function gridSearch<S extends Space>(
  opts: SearchOptions<S> & { pointsPerDim?: number },
): Promise<SearchResult<S>> {
  checkOptions('gridSearch', opts, {
    space: 'any',
    objective: 'any',
    mode: 'any',
    onTrial: 'any',
    pointsPerDim: 'any',
  });
  const n = opts.pointsPerDim ?? 3;
  let points: Record<string, unknown>[] = [{}];
  for (const [k, dim] of Object.entries(opts.space))
    points = points.flatMap((p) => dim.grid(n).map((v) => ({ ...p, [k]: v })));
  return run(points as Params<S>[], opts);
}
