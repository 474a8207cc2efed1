import { DivergenceNotice } from './divergence.js';
import { h } from './dom.js';

/** What a training page's frame holds: its error box and its divergence notice. */
export interface TrainingFrame {
  errorBox: HTMLElement;
  divergence: DivergenceNotice;
}

/**
 * Fills `root` with a training page's frame: the title, the lead paragraph, an alert box for errors
 * (see reportError), the divergence notice (whose `pause` stops the worker) and the page's `grid`.
 */
export function trainingFrame(
  root: HTMLElement,
  title: string,
  lead: string,
  pause: () => void,
  grid: HTMLElement,
): TrainingFrame {
  const errorBox = h('div', { class: 'error-box', role: 'alert', hidden: true });
  const divergence = new DivergenceNotice(root, pause);
  root.append(h('h1', {}, title), h('p', { class: 'lead' }, lead), errorBox, divergence.root, grid);
  return { errorBox, divergence };
}
