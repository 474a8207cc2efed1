/** The running mean of a stream of numbers, optionally weighted (e.g. by batch size). */
export class RunningAverage {
  private sum = 0;
  private weight = 0;

  /** Adds `value` with weight `n` (default 1). */
  update(value: number, n = 1): void {
    if (!Number.isFinite(n) || n < 0)
      throw new RangeError(`RunningAverage.update: weight must be >= 0, got ${n}`);
    this.sum += value * n;
    this.weight += n;
  }

  /** The mean so far (NaN before any update). */
  get value(): number {
    return this.weight === 0 ? Number.NaN : this.sum / this.weight;
  }

  /** Total weight seen. */
  get count(): number {
    return this.weight;
  }

  reset(): void {
    this.sum = 0;
    this.weight = 0;
  }
}
