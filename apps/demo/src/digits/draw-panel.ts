import { button, panel } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { article } from '../lib/format.js';
import { DrawPad } from './draw-pad.js';
import { toMnist } from './preprocess.js';
import { drawGray, probabilityBars } from './views.js';

const PROMPT = 'Draw a digit in the black square.';

/**
 * The Digits page's drawing panel: the pad, what the network sees (28x28), and the class
 * probabilities of the latest prediction. `predict` gets the drawing's pixels after each stroke
 * (and on `repredict`), `inspect` when the user asks to inspect the drawing, `cleared` on Clear.
 */
export class DrawPanel {
  readonly root: HTMLElement;
  private readonly pad: DrawPad;
  private readonly setProbs: (probs: Float32Array | null) => void;
  private readonly text = h('p', { class: 'hint', 'data-testid': 'prediction' }, PROMPT);
  private readonly preview = h('canvas', {
    width: 28,
    height: 28,
    title: 'What the network sees (28x28)',
    style: 'width:56px;height:56px;image-rendering:pixelated;border:1px solid #dde2e8',
  });
  private pixels: Float32Array | null = null;

  constructor(
    private readonly predict: (pixels: Float32Array) => void,
    inspect: (pixels: Float32Array) => void,
    cleared: () => void,
  ) {
    const probs = h('div', { class: 'probs', 'aria-live': 'polite', 'data-testid': 'probs' });
    this.setProbs = probabilityBars(probs);
    this.setProbs(null);
    this.pad = new DrawPad((ink, size) => {
      const px = toMnist(ink, size, size);
      if (!px) return;
      this.pixels = px;
      drawGray(this.preview, px, 28, 28);
      this.predict(px.slice());
    });
    const clear = button(
      'Clear',
      () => {
        this.pad.clear();
        this.pixels = null;
        this.setProbs(null);
        this.text.textContent = PROMPT;
        cleared();
      },
      { 'data-action': 'clear' },
    );
    const inspectBtn = button('Inspect the drawing', () => {
      if (this.pixels) inspect(this.pixels.slice());
    });
    this.root = panel(
      'Draw a digit',
      h(
        'div',
        { class: 'draw-wrap' },
        h(
          'div',
          {},
          this.pad.element,
          h('div', { class: 'row', style: 'margin-top:6px' }, clear, inspectBtn),
        ),
        h(
          'div',
          { style: 'flex:1;min-width:180px' },
          h('div', { class: 'row' }, this.preview, this.text),
          probs,
        ),
      ),
    );
  }

  /** Asks for the drawing's prediction again (the model changed), when there is a drawing. */
  repredict(): void {
    if (this.pixels) this.predict(this.pixels.slice());
  }

  /** Shows a prediction's probabilities; returns the predicted digit (null: the pad was cleared). */
  showPrediction(probs: Float32Array): number | null {
    if (this.pad.empty) return null;
    this.setProbs(probs);
    let best = 0;
    for (let d = 1; d < 10; d++) if (probs[d]! > probs[best]!) best = d;
    this.text.textContent = `Looks like ${article(best)} ${best} (${(probs[best]! * 100).toFixed(0)}%)`;
    return best;
  }
}
