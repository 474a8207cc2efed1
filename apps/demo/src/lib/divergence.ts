import { h } from './dom.js';
import { diverged, divergedMessage } from './format.js';

/** Over the charts of a diverged run (the notice above them says what to do). */
export const DIVERGED_HINT =
  'The loss overflowed: no curve to draw. Lower the learning rate and press Reset.';

/**
 * The notice a page shows when its run diverged (a NaN or infinite loss): training pauses and the
 * page says to lower the learning rate, instead of drawing NaN values. Sets `data-diverged` (the
 * step) on the page's root while shown; a finite loss (after a reset) hides it.
 */
export class DivergenceNotice {
  readonly root = h('div', { class: 'diverged-box', role: 'alert', hidden: true });

  constructor(
    private readonly page: HTMLElement,
    private readonly pause: () => void,
    private readonly unit: 'step' | 'epoch' = 'step',
  ) {}

  /** Whether the run shown is diverged. */
  get shown(): boolean {
    return !this.root.hidden;
  }

  /**
   * Checks a reported loss: not finite, pauses (again, if the user pressed Train) and shows the
   * notice, and returns true (the caller then skips drawing this report); finite, hides the notice
   * and returns false.
   */
  check(loss: number, step: number, lr: number): boolean {
    if (!diverged(loss)) {
      this.clear();
      return false;
    }
    this.pause();
    if (!this.shown) {
      this.root.textContent = divergedMessage(step, lr, this.unit);
      this.root.hidden = false;
      this.page.dataset.diverged = String(step);
    }
    return true;
  }

  /** Hides the notice (a new model). */
  clear(): void {
    this.root.hidden = true;
    delete this.page.dataset.diverged;
  }
}
