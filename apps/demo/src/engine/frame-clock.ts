// Frame-paced training. The page counts its animation frames in shared memory while a worker
// trains; the worker checks the count between training steps and, when the page has not drawn a
// frame for LATE_MS, waits for the next one. On a busy machine (two cores, other programs) the
// training threads would otherwise take the CPU time the page needs to draw, and frames would
// come hundreds of milliseconds apart; when frames are on time the worker never waits.

/** Type of the message that hands the clock's buffer to the worker (see `PageWorker`). */
export const FRAME_CLOCK_MESSAGE = 'frame-clock';

/** Int32 slots of the shared buffer. */
const COUNT = 0;
/** 1 while the page does not count frames: it is hidden, or its worker is not training. */
const IDLE = 1;

/** The page is late when it has not drawn for this long (ms; a frame at 60 Hz is 16.7 ms). */
export const LATE_MS = 16;
/** Longest wait for a frame, so training goes on when the page cannot draw at all. */
export const MAX_WAIT_MS = 250;

/** Shared memory for the count, or null where it is unavailable (no cross-origin isolation). */
function sharedInts(): Int32Array | null {
  if (typeof SharedArrayBuffer === 'undefined' || globalThis.crossOriginIsolated !== true) return null;
  return new Int32Array(new SharedArrayBuffer(8));
}

/**
 * The page side: counts animation frames while `run(true)`, and marks the count as not to be
 * waited for otherwise, or while the page is hidden (browsers stop drawing hidden pages).
 */
export class FrameClock {
  /** The shared buffer to hand to the worker's `FrameGate`; null when unavailable. */
  readonly buffer: SharedArrayBuffer | null;
  private readonly ints: Int32Array | null;
  private frame = 0;
  private running = false;
  private readonly onVisibility = () => this.publishIdle();

  constructor() {
    this.ints = sharedInts();
    this.buffer = (this.ints?.buffer as SharedArrayBuffer | undefined) ?? null;
    if (this.ints) {
      document.addEventListener('visibilitychange', this.onVisibility);
      this.publishIdle();
    }
  }

  /** Starts or stops counting frames (while the worker trains). */
  run(on: boolean): void {
    const ints = this.ints;
    if (!ints) return;
    this.running = on;
    this.publishIdle();
    if (!on) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
      return;
    }
    if (this.frame !== 0) return;
    const tick = () => {
      Atomics.add(ints, COUNT, 1);
      Atomics.notify(ints, COUNT);
      this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  private publishIdle(): void {
    if (!this.ints) return;
    Atomics.store(this.ints, IDLE, document.hidden || !this.running ? 1 : 0);
    Atomics.notify(this.ints, COUNT);
  }

  /** Stops counting and listening. */
  dispose(): void {
    this.run(false);
    document.removeEventListener('visibilitychange', this.onVisibility);
  }
}

type WaitAsync = (
  ints: Int32Array,
  index: number,
  value: number,
  timeout: number,
) => { async: boolean; value: Promise<string> | string };

/** Waits until `ints[index]` is no longer `value` or `ms` pass, without blocking where possible. */
async function waitChange(ints: Int32Array, index: number, value: number, ms: number): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  if (waitAsync) {
    const r = waitAsync(ints, index, value, ms);
    if (r.async) await r.value;
    return;
  }
  Atomics.wait(ints, index, value, ms);
}

/**
 * The worker side: `pass()` between training steps returns at once while the page draws, and
 * waits (at most MAX_WAIT_MS) for the page's next frame when it has not drawn for LATE_MS.
 * Without a buffer (no shared memory), or while the page does not count, it never waits.
 */
export class FrameGate {
  private ints: Int32Array | null = null;
  private seen = 0;
  private seenAt = 0;

  /** Uses the page's `FrameClock` buffer. */
  attach(buffer: SharedArrayBuffer | null): void {
    this.ints = buffer ? new Int32Array(buffer) : null;
    this.restart();
  }

  /** Starts a new training run: the page counts as having drawn just now. */
  restart(): void {
    this.seen = this.ints ? Atomics.load(this.ints, COUNT) : 0;
    this.seenAt = performance.now();
  }

  /** Returns when the worker may take the next step (see the class comment). */
  async pass(): Promise<void> {
    const ints = this.ints;
    if (!ints || Atomics.load(ints, IDLE) === 1) return;
    const count = Atomics.load(ints, COUNT);
    if (count !== this.seen) {
      this.seen = count;
      this.seenAt = performance.now();
      return;
    }
    if (performance.now() - this.seenAt < LATE_MS) return;
    await waitChange(ints, COUNT, count, MAX_WAIT_MS);
    this.restart();
  }
}
