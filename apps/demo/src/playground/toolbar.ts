import { button, selectField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import {
  ACTIVATION_LABELS,
  ACTIVATIONS,
  isRegression,
  LEARNING_RATES,
  OPTIMIZER_LABELS,
  OPTIMIZERS,
  type PlaygroundState,
  REGULARIZATION_LABELS,
  REGULARIZATIONS,
  regRates,
} from './state.js';

/** What the toolbar asks of the page. */
export interface ToolbarActions {
  /** A setting was edited. */
  change(patch: Partial<PlaygroundState>): void;
  /** Play/Pause was pressed. */
  toggle(): void;
  /** Train one epoch. */
  step(): void;
  reset(): void;
}

/** A round icon button (the label is for screen readers and the tests). */
function iconButton(name: 'play' | 'step' | 'reset', onClick: () => void, attrs: Record<string, string>) {
  const b = button('', onClick, { class: name === 'play' ? 'round primary' : 'round', ...attrs });
  b.append(icon(name));
  return b;
}

/**
 * The toolbar's selects (learning rate, activation, regularization, optimizer); each edit goes to
 * `change`. `current` is the state shown now (a regularization change keeps its rate if it can).
 */
function settingFields(
  state: PlaygroundState,
  change: ToolbarActions['change'],
  current: () => PlaygroundState,
) {
  return {
    lr: selectField(
      'Learning rate',
      LEARNING_RATES.map((v) => ({ value: v, label: String(v) })),
      state.learningRate,
      (v) => change({ learningRate: v }),
      { 'data-control': 'learningRate' },
    ),
    activation: selectField(
      'Activation',
      ACTIVATIONS.map((v) => ({ value: v, label: ACTIVATION_LABELS[v] })),
      state.activation,
      (v) => change({ activation: v }),
      { 'data-control': 'activation' },
    ),
    regularization: selectField(
      'Regularization',
      REGULARIZATIONS.map((v) => ({ value: v, label: REGULARIZATION_LABELS[v] })),
      state.regularization,
      (v) => {
        // A rate the new kind does not offer becomes its first one.
        const rates = regRates(v);
        const rate = rates.includes(current().regRate) ? current().regRate : (rates[0] ?? 0);
        change({ regularization: v, regRate: rate });
      },
      { 'data-control': 'regularization' },
    ),
    optimizer: selectField(
      'Optimizer',
      OPTIMIZERS.map((v) => ({ value: v, label: OPTIMIZER_LABELS[v] })),
      state.optimizer,
      (v) => change({ optimizer: v }),
      { 'data-control': 'optimizer' },
    ),
  };
}

/**
 * The Playground's toolbar: reset/play/step, the epoch counter, learning rate, activation,
 * regularization (kind and rate), optimizer, and whether the problem is classification or
 * regression.
 */
export class Toolbar {
  readonly root: HTMLElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly epochOut = h('span', { class: 'v', 'data-testid': 'epoch' }, '000,000');
  private readonly problem = h('span', { class: 'v', style: 'font-size:15px' });
  private readonly regRateRoot = h('div');
  private readonly fields: ReturnType<typeof settingFields>;

  constructor(
    private state: PlaygroundState,
    private readonly actions: ToolbarActions,
  ) {
    const { change } = actions;
    this.playBtn = iconButton('play', actions.toggle, { 'aria-label': 'Train', 'data-action': 'play' });
    const stepBtn = iconButton('step', actions.step, {
      'aria-label': 'Train one epoch',
      'data-action': 'step',
    });
    const resetBtn = iconButton('reset', actions.reset, {
      'aria-label': 'Reset the network',
      'data-action': 'reset',
    });
    this.fields = settingFields(state, change, () => this.state);
    this.regRateRoot.append(this.regRateField().root);
    const f = this.fields;
    this.root = h(
      'div',
      { class: 'pg-toolbar panel', role: 'toolbar', 'aria-label': 'Training controls' },
      h('div', { class: 'row' }, resetBtn, this.playBtn, stepBtn),
      h('div', { class: 'stat epoch' }, h('span', { class: 'k' }, 'Epoch'), this.epochOut),
      f.lr.root,
      f.activation.root,
      f.regularization.root,
      this.regRateRoot,
      f.optimizer.root,
      h('div', { class: 'stat' }, h('span', { class: 'k' }, 'Problem'), this.problem),
    );
  }

  /** The rate select for the current kind of regularization (its label and values depend on it). */
  private regRateField() {
    const kind = this.state.regularization;
    return selectField(
      kind === 'dropout' ? 'Drop probability' : 'Regularization rate',
      regRates(kind).map((v) => ({ value: v, label: String(v) })),
      this.state.regRate,
      (v) => this.actions.change({ regRate: v }),
      { 'data-control': 'regRate', disabled: kind === 'none' },
    );
  }

  /** Shows `state` in the controls. */
  sync(state: PlaygroundState): void {
    this.state = state;
    const f = this.fields;
    f.lr.set(state.learningRate);
    f.activation.set(state.activation);
    f.regularization.set(state.regularization);
    this.regRateRoot.replaceChildren(this.regRateField().root);
    f.optimizer.set(state.optimizer);
    this.problem.textContent = isRegression(state.dataset) ? 'Regression' : 'Classification';
  }

  /** Shows the epoch as 000,000. */
  showEpoch(epoch: number): void {
    this.epochOut.textContent = String(epoch)
      .padStart(6, '0')
      .replace(/(\d{3})(\d{3})$/, '$1,$2');
  }

  /** Turns the play button into pause (and back) for the worker's state. */
  setPlaying(playing: boolean): void {
    this.playBtn.replaceChildren(icon(playing ? 'pause' : 'play'));
    this.playBtn.setAttribute('aria-label', playing ? 'Pause' : 'Train');
  }
}
