import { button, panel, selectField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { AE_BATCHES, AE_DECODER_LABELS, AE_DECODERS, AE_LRS, type AeConfig } from './protocol.js';

/**
 * The Generate page's training panel: where MNIST comes from, the settings, Train/Reset, the
 * step line and a place for the loss chart. `change` gets each edited setting; `toggle` and
 * `reset` the buttons' presses.
 */
export function trainPanel(
  config: AeConfig,
  change: (patch: Partial<AeConfig>) => void,
  toggle: () => void,
  reset: () => void,
) {
  const source = h('p', { class: 'hint', 'data-testid': 'mnist-source' }, 'Finding MNIST…');
  const progress = h('p', { class: 'hint', 'aria-live': 'polite' });
  const decoder = selectField(
    'Decoder upsampling',
    AE_DECODERS.map((d) => ({ value: d, label: AE_DECODER_LABELS[d] })),
    config.decoder,
    (v) => change({ decoder: v }),
    { 'data-control': 'decoder' },
  );
  const lr = selectField(
    'Learning rate (Adam)',
    AE_LRS.map((v) => ({ value: v, label: String(v) })),
    config.lr,
    (v) => change({ lr: v }),
    { 'data-control': 'lr' },
  );
  const batch = selectField(
    'Batch size',
    AE_BATCHES.map((v) => ({ value: v, label: String(v) })),
    config.batchSize,
    (v) => change({ batchSize: v }),
    { 'data-control': 'batch' },
  );
  const trainBtn = button('Train', toggle, { class: 'primary', 'data-action': 'train', disabled: true });
  const resetBtn = button('Reset', reset, { 'data-action': 'reset', disabled: true });
  const step = h('p', { class: 'hint', 'data-testid': 'ae-step' }, 'Step 0');
  const lossEl = h('div');
  const root = panel(
    'Training',
    source,
    progress,
    decoder.root,
    lr.root,
    batch.root,
    h('div', { class: 'row' }, trainBtn, resetBtn),
    step,
    lossEl,
  );
  root.classList.add('ae-train');
  return { root, source, progress, trainBtn, resetBtn, step, lossEl };
}
