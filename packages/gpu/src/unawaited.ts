import { nextStep } from '@tessera/tensor';

/**
 * Counts the GPU ops a program queues without awaiting. Dawn keeps per-submit state (bind groups,
 * command buffers) until the event loop turns, and finalizers free the buffers of dropped tensors
 * only then, so a loop that never awaits would grow without bound and eventually crash the driver
 * (lavapipe did, past about 50,000 ops). Past the limit the next op throws `unawaitedError`. The
 * count restarts when a macrotask runs, or when a read or sync completes.
 */
export class UnawaitedGuard {
  private queued = 0;
  private resetScheduled = false;

  constructor(readonly limit: number) {}

  /** Counts one op about to be queued; throws if the limit is reached. */
  count(op: string): void {
    if (this.queued >= this.limit) throw unawaitedError(op, this.limit);
    this.queued++;
    if (!this.resetScheduled) {
      this.resetScheduled = true;
      // The same macrotask as the `await nextStep()` the error recommends, scheduled earlier.
      void nextStep().then(() => {
        this.resetScheduled = false;
        this.queued = 0;
      });
    }
  }

  /** Everything queued so far has completed (a read or sync returned). */
  reset(): void {
    this.queued = 0;
  }
}

/** The error for an op queued past `limit` un-awaited ops; it names the fix. */
export function unawaitedError(op: string, limit: number): Error {
  return new Error(
    `webgpu: ${op}: more than ${limit} GPU ops were queued without awaiting. The GPU's record of ` +
      'submitted work and the buffers of tensors you dropped are released only when the event loop ' +
      'turns, so a loop that never awaits grows without bound. Await once per step: ' +
      '`await loss.data()` or `await nextStep()` (from @tessera/tensor); the limit is the ' +
      '`maxUnawaitedOps` option of initWebGPU.',
  );
}
