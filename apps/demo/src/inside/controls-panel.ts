import { button, panel, selectField, stat } from '../lib/controls.js';
import { fmtNum, h } from '../lib/dom.js';
import {
  DEPTHS,
  INIT_LABELS,
  INITS,
  INSIDE_ACTIVATION_LABELS,
  INSIDE_ACTIVATIONS,
  INSIDE_LRS,
  INSIDE_OPTIMIZERS,
  type InsideConfig,
} from './protocol.js';
import { PRESETS } from './settings.js';

/** What the controls panel asks of the page. */
export interface ControlsActions {
  /** A setting was edited (or a preset picked). */
  change(patch: Partial<InsideConfig>): void;
  /** Train/Pause was pressed. */
  toggle(): void;
  reset(): void;
}

/** The five selects of the network's settings; each edit goes to `change`. */
function settingFields(config: InsideConfig, change: ControlsActions['change']) {
  return {
    depth: selectField(
      'Hidden layers',
      DEPTHS.map((d) => ({ value: d, label: String(d) })),
      config.depth,
      (v) => change({ depth: v }),
    ),
    activation: selectField(
      'Activation',
      INSIDE_ACTIVATIONS.map((a) => ({ value: a, label: INSIDE_ACTIVATION_LABELS[a] })),
      config.activation,
      (v) => change({ activation: v }),
    ),
    init: selectField(
      'Initialisation',
      INITS.map((a) => ({ value: a, label: INIT_LABELS[a] })),
      config.init,
      (v) => change({ init: v }),
    ),
    optimizer: selectField(
      'Optimizer',
      INSIDE_OPTIMIZERS.map((a) => ({ value: a, label: a === 'sgd' ? 'SGD' : 'Adam' })),
      config.optimizer,
      (v) => change({ optimizer: v }),
    ),
    lr: selectField(
      'Learning rate',
      INSIDE_LRS.map((v) => ({ value: v, label: String(v) })),
      config.lr,
      (v) => change({ lr: v }),
    ),
  };
}

/**
 * The Inside page's left panel: presets, the network's settings, Train/Reset and the step, loss
 * and accuracy of the latest snapshot.
 */
export class ControlsPanel {
  readonly root: HTMLElement;
  private readonly fields: ReturnType<typeof settingFields>;
  private readonly trainBtn: HTMLButtonElement;
  private readonly note = h('p', { class: 'hint', 'aria-live': 'polite' });
  private readonly sStep = stat('Step', 'step');
  private readonly sLoss = stat('Loss', 'loss');
  private readonly sAcc = stat('Accuracy', 'accuracy');

  constructor(config: InsideConfig, actions: ControlsActions) {
    const { change } = actions;
    this.fields = settingFields(config, change);
    this.trainBtn = button('Train', actions.toggle, { class: 'primary', 'data-action': 'train' });
    const resetBtn = button('Reset', actions.reset, { 'data-action': 'reset' });
    const presets = h(
      'div',
      { class: 'presets', role: 'group', 'aria-label': 'Presets' },
      PRESETS.map((p) =>
        button(
          p.label,
          () => {
            change(p.config);
            this.note.textContent = p.note;
          },
          { 'data-preset': p.label },
        ),
      ),
    );
    const f = this.fields;
    this.root = panel(
      'Deep network on the spiral',
      h(
        'p',
        { class: 'hint', style: 'margin-top:0' },
        'An MLP with 16 units per hidden layer learns the two-spiral dataset.',
      ),
      presets,
      this.note,
      f.depth.root,
      f.activation.root,
      f.init.root,
      f.optimizer.root,
      f.lr.root,
      h('div', { class: 'row' }, this.trainBtn, resetBtn),
      h('div', { class: 'row', style: 'margin-top:12px' }, this.sStep.el, this.sLoss.el, this.sAcc.el),
    );
  }

  /** Shows `config` in the selects (after a preset or a change). */
  set(config: InsideConfig): void {
    const f = this.fields;
    f.depth.set(config.depth);
    f.activation.set(config.activation);
    f.init.set(config.init);
    f.optimizer.set(config.optimizer);
    f.lr.set(config.lr);
  }

  /** Shows a snapshot's step, loss and accuracy; a diverged one (null loss) shows dashes. */
  showStats(step: number, loss: number | null, accuracy: number): void {
    this.sStep.v.textContent = String(step);
    this.sLoss.v.textContent = loss === null ? '–' : fmtNum(loss);
    this.sAcc.v.textContent = loss === null ? '–' : `${(accuracy * 100).toFixed(1)}%`;
  }

  /** Labels the Train button for the worker's state. */
  setPlaying(playing: boolean): void {
    this.trainBtn.textContent = playing ? 'Pause' : 'Train';
  }
}
