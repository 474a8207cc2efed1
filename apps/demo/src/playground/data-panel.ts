import { button, panel, rangeField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { drawThumb } from './output-view.js';
import type { ThumbsMessage } from './protocol.js';
import {
  BATCH_SIZES,
  DATASET_LABELS,
  DATASETS,
  type DatasetName,
  isRegression,
  NOISES,
  type PlaygroundState,
  TRAIN_RATIOS,
} from './state.js';

/**
 * The Playground's Data panel: a button per dataset (with a preview drawn by the worker), the
 * share of training data, noise, batch size, and the seed with a Regenerate button. Edits go to
 * `change`.
 */
export class DataPanel {
  readonly root: HTMLElement;
  private readonly thumbs = new Map<DatasetName, HTMLButtonElement>();
  private readonly seedOut = h('span', { 'data-testid': 'seed' });
  private readonly ratio: ReturnType<typeof rangeField>;
  private readonly noise: ReturnType<typeof rangeField>;
  private readonly batch: ReturnType<typeof rangeField>;

  constructor(state: PlaygroundState, change: (patch: Partial<PlaygroundState>) => void) {
    const picker = h(
      'div',
      { class: 'dataset-picker', role: 'group', 'aria-label': 'Dataset' },
      DATASETS.map((d) => {
        const b = h(
          'button',
          {
            type: 'button',
            title: DATASET_LABELS[d],
            'aria-label': DATASET_LABELS[d],
            'data-dataset': d,
            onclick: () => change({ dataset: d }),
          },
          h('canvas', { width: 64, height: 64 }),
        );
        this.thumbs.set(d, b);
        return b;
      }),
    );
    this.ratio = rangeField(
      'Training data',
      TRAIN_RATIOS,
      state.trainRatio,
      (v) => change({ trainRatio: v }),
      (v) => `${v}%`,
      { 'data-control': 'trainRatio' },
    );
    this.noise = rangeField('Noise', NOISES, state.noise, (v) => change({ noise: v }), String, {
      'data-control': 'noise',
    });
    this.batch = rangeField(
      'Batch size',
      BATCH_SIZES,
      state.batchSize,
      (v) => change({ batchSize: v }),
      String,
      {
        'data-control': 'batchSize',
      },
    );
    const regen = button('Regenerate', () => change({ seed: 1 + Math.floor(Math.random() * 2147483646) }), {
      'data-action': 'regenerate',
    });
    this.root = panel(
      'Data',
      h('p', { class: 'hint', style: 'margin-top:0' }, 'Which dataset do you want to use?'),
      picker,
      this.ratio.root,
      this.noise.root,
      this.batch.root,
      h('div', { class: 'row' }, regen, h('span', { class: 'hint' }, 'seed ', this.seedOut)),
    );
  }

  /** Shows `state` in the controls and marks its dataset's button as pressed. */
  sync(state: PlaygroundState): void {
    this.ratio.set(state.trainRatio);
    this.noise.set(state.noise);
    this.batch.set(state.batchSize);
    this.seedOut.textContent = String(state.seed);
    for (const [d, b] of this.thumbs) b.setAttribute('aria-pressed', String(d === state.dataset));
  }

  /** Draws the worker's previews into the dataset buttons. */
  drawThumbs(m: ThumbsMessage): void {
    for (const s of m.sets) {
      const c = this.thumbs.get(s.name)?.querySelector('canvas');
      if (c) drawThumb(c, s.x, s.y, isRegression(s.name));
    }
  }
}
