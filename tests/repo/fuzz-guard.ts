/**
 * Runs fuzz cases under guard and counts what happened, for the per-parser table a fuzz test
 * prints (and asserts): every case must end in a result or a clean error, within `hangMs`
 * (2 s under `npm run fuzz`, 30 s in the normal test run),
 * and the process's peak memory may not grow by more than `maxExtraBytes` beyond the input.
 *
 *   const guard = new FuzzGuard('loadIdx', (e) => e instanceof Error && /^loadIdx: /.test(e.message));
 *   await fc.assert(fc.asyncProperty(arb, (b) => guard.run(b.length, () => loadIdx(b))), opts);
 *   guard.check(); // throws on a crash, a hang or too much memory; logs the table row
 *
 * Memory is the peak resident set size (`process.resourceUsage().maxRSS`): a case that
 * allocates more than the limit raises the peak by at least that much over the resident size
 * at its start. It measures the process, so garbage of earlier cases is included: an upper bound.
 * The first case is not counted: lazy module loading and compilation land there.
 */
export class FuzzGuard {
  cases = 0;
  cleanErrors = 0;
  readonly crashes: string[] = [];
  hangs = 0;
  /** Largest rise of the peak RSS during one case, minus that case's input size. */
  worstExtraBytes = 0;

  constructor(
    readonly label: string,
    private readonly isClean: (e: unknown) => boolean,
    // `npm run fuzz` (TESSERA_FUZZ_RUNS set, a quiet machine) holds each case to 2 s; in the normal
    // test run only a real hang fails, so a busy CI machine cannot make a slow case flaky.
    readonly hangMs = process.env.TESSERA_FUZZ_RUNS ? 2000 : 30_000,
    readonly maxExtraBytes = 64 * 2 ** 20,
  ) {}

  /** Runs one case: returns normally unless the case crashed or hung (then fast-check shrinks it). */
  async run(inputBytes: number, fn: () => unknown): Promise<void> {
    this.cases++;
    if (this.cases % 1000 === 0) (globalThis as { gc?: () => void }).gc?.();
    const startRss = process.memoryUsage.rss();
    const startPeak = process.resourceUsage().maxRSS * 1024;
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<'hang'>((res) => {
      timer = setTimeout(() => res('hang'), this.hangMs);
    });
    let outcome: unknown;
    try {
      outcome = await Promise.race([Promise.resolve().then(fn), hang]);
    } catch (e) {
      if (!this.isClean(e)) {
        this.crashes.push(e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}` : String(e));
        throw e;
      }
      this.cleanErrors++;
    } finally {
      clearTimeout(timer);
    }
    const peak = process.resourceUsage().maxRSS * 1024;
    const extra = peak > startPeak ? peak - Math.max(startRss, 0) - inputBytes : 0;
    // The first case pays for lazy loading and compilation (tens of MiB once): not counted.
    if (this.cases > 1) this.worstExtraBytes = Math.max(this.worstExtraBytes, extra);
    // A synchronous hang blocks the timer, so the elapsed time decides too.
    if (outcome === 'hang' || performance.now() - t0 > this.hangMs) {
      this.hangs++;
      throw new Error(`${this.label}: a case ran over ${this.hangMs} ms`);
    }
    if (this.cases > 1 && extra > this.maxExtraBytes) {
      throw new Error(
        `${this.label}: a case raised peak memory by ${(extra / 2 ** 20).toFixed(1)} MiB beyond its input`,
      );
    }
  }

  /** The table row: cases, clean errors, crashes, hangs, worst extra memory. */
  summary(): string {
    const mib = (this.worstExtraBytes / 2 ** 20).toFixed(1);
    return `${this.label}: ${this.cases} cases, ${this.cleanErrors} clean errors, ${this.crashes.length} crashes, ${this.hangs} hangs over ${this.hangMs} ms, worst extra peak memory ${mib} MiB`;
  }

  /** Throws unless every case was clean; prints the summary (visible in `pnpm fuzz` output). */
  check(): void {
    console.log(`[fuzz] ${this.summary()}`);
    if (this.crashes.length > 0 || this.hangs > 0 || this.worstExtraBytes > this.maxExtraBytes)
      throw new Error(`${this.summary()}; first crash: ${this.crashes[0] ?? 'none'}`);
  }
}
