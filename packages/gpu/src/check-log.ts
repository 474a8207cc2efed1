import { currentOpContext, describeOpContextShapes } from '@tessera/tensor';
import type { UserOp } from './errors.js';

/**
 * Numbers the dispatches that report through the error buffer (index checks, integer division)
 * and remembers, for each queued inside a user-level op (`withOpContext` in @tessera/tensor),
 * that op and its shapes. A kernel that reports writes its number beside the report, so the
 * error thrown at the next read names the op the user called, not the internal one.
 */
export class CheckLog {
  private next = 0;
  private users = new Map<number, UserOp>();

  /** Numbers a checking dispatch being recorded now, under the current user-level op if any. */
  record(): number {
    const n = this.next;
    this.next = (n + 1) >>> 0;
    const ctx = currentOpContext();
    if (ctx !== null) this.users.set(n, { name: ctx.name, shapes: describeOpContextShapes() ?? '' });
    return n;
  }

  /** The user-level ops of the dispatches numbered so far, forgotten here (one read's worth). */
  take(): ReadonlyMap<number, UserOp> {
    const u = this.users;
    if (u.size > 0) this.users = new Map();
    return u;
  }
}
