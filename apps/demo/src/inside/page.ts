import { chosenBackend } from '../lib/backend-switch.js';
import { LineChart } from '../lib/chart.js';
import { button, panel, selectField } from '../lib/controls.js';
import { DIVERGED_HINT } from '../lib/divergence.js';
import { fmtNum, h } from '../lib/dom.js';
import { trainingFrame } from '../lib/page-frame.js';
import { PageWorker, reportError, showBackend } from '../lib/page-worker.js';
import { currentRoute, replaceParams } from '../lib/url.js';
import type { Page } from '../main.js';
import { BackpropView } from './backprop-view.js';
import { LayerView } from './layer-view.js';
import {
  DEPTHS,
  type FromWorker,
  INIT_LABELS,
  INITS,
  INSIDE_ACTIVATION_LABELS,
  INSIDE_ACTIVATIONS,
  INSIDE_LRS,
  INSIDE_OPTIMIZERS,
  type InsideConfig,
  type StatsMessage,
  type ToWorker,
} from './protocol.js';

const DEFAULTS: InsideConfig = { depth: 6, activation: 'relu', init: 'default', optimizer: 'sgd', lr: 0.1 };

/** Ready-made setups that show a typical failure (or health). */
const PRESETS: { label: string; config: InsideConfig; note: string }[] = [
  {
    label: 'Healthy',
    config: { depth: 6, activation: 'relu', init: 'kaiming', optimizer: 'adam', lr: 0.01 },
    note: 'He initialisation keeps activations and gradients at a similar scale in every layer.',
  },
  {
    label: 'Vanishing gradients',
    config: { depth: 10, activation: 'sigmoid', init: 'default', optimizer: 'sgd', lr: 0.1 },
    note: 'Each sigmoid scales the gradient by at most 0.25: the gradients of the first layers shrink towards 10⁻⁸ and they stop learning.',
  },
  {
    label: 'Exploding',
    config: { depth: 8, activation: 'relu', init: 'large', optimizer: 'sgd', lr: 0.01 },
    note: 'Weights with standard deviation 1 multiply the signal by about 4 per layer: activations and gradients grow layer after layer.',
  },
  {
    label: 'Dead ReLUs',
    config: { depth: 6, activation: 'relu', init: 'default', optimizer: 'sgd', lr: 1 },
    note: 'A learning rate that is far too large pushes units to a negative input everywhere; a dead ReLU passes no gradient and never recovers.',
  },
];

function decode(p: URLSearchParams): InsideConfig {
  const num = <T extends number>(list: readonly T[], v: string | null, d: T) =>
    list.find((x) => String(x) === v) ?? d;
  return {
    depth: num(DEPTHS, p.get('depth'), DEFAULTS.depth as (typeof DEPTHS)[number]),
    activation: INSIDE_ACTIVATIONS.find((a) => a === p.get('activation')) ?? DEFAULTS.activation,
    init: INITS.find((a) => a === p.get('init')) ?? DEFAULTS.init,
    optimizer: INSIDE_OPTIMIZERS.find((a) => a === p.get('optimizer')) ?? DEFAULTS.optimizer,
    lr: num(INSIDE_LRS, p.get('lr'), DEFAULTS.lr as (typeof INSIDE_LRS)[number]),
  };
}

function encode(c: InsideConfig): URLSearchParams {
  return new URLSearchParams({
    depth: String(c.depth),
    activation: c.activation,
    init: c.init,
    optimizer: c.optimizer,
    lr: String(c.lr),
  });
}

/** Blues from light (first layer) to dark (output), one per series. */
function layerColours(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const t = n === 1 ? 1 : i / (n - 1);
    const c = (a: number, b: number) => Math.round(a + (b - a) * t);
    return `rgb(${c(120, 8)},${c(190, 48)},${c(230, 107)})`;
  });
}

/** The Inside page: per-layer statistics of a deep network while it trains, and backprop step by step. */
export function mount(root: HTMLElement): Page {
  let config = decode(currentRoute().params);
  let playing = false;

  const worker = new PageWorker<ToWorker, FromWorker>(
    new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'inside' }),
    onMessage,
    showError,
  );

  const depth = selectField(
    'Hidden layers',
    DEPTHS.map((d) => ({ value: d, label: String(d) })),
    config.depth,
    (v) => change({ depth: v }),
  );
  const act = selectField(
    'Activation',
    INSIDE_ACTIVATIONS.map((a) => ({ value: a, label: INSIDE_ACTIVATION_LABELS[a] })),
    config.activation,
    (v) => change({ activation: v }),
  );
  const initSel = selectField(
    'Initialisation',
    INITS.map((a) => ({ value: a, label: INIT_LABELS[a] })),
    config.init,
    (v) => change({ init: v }),
  );
  const opt = selectField(
    'Optimizer',
    INSIDE_OPTIMIZERS.map((a) => ({ value: a, label: a === 'sgd' ? 'SGD' : 'Adam' })),
    config.optimizer,
    (v) => change({ optimizer: v }),
  );
  const lr = selectField(
    'Learning rate',
    INSIDE_LRS.map((v) => ({ value: v, label: String(v) })),
    config.lr,
    (v) => change({ lr: v }),
  );
  const trainBtn = button('Train', () => worker.send({ type: playing ? 'pause' : 'train' }), {
    class: 'primary',
    'data-action': 'train',
  });
  const resetBtn = button('Reset', () => worker.send({ type: 'reset' }), { 'data-action': 'reset' });
  const stat = (k: string, id: string) => {
    const v = h('span', { class: 'v', 'data-testid': id }, '–');
    return { el: h('div', { class: 'stat' }, h('span', { class: 'k' }, k), v), v };
  };
  const sStep = stat('Step', 'step');
  const sLoss = stat('Loss', 'loss');
  const sAcc = stat('Accuracy', 'accuracy');
  const note = h('p', { class: 'hint', 'aria-live': 'polite' });
  const presets = h(
    'div',
    { class: 'presets', role: 'group', 'aria-label': 'Presets' },
    PRESETS.map((p) =>
      button(
        p.label,
        () => {
          change(p.config);
          note.textContent = p.note;
        },
        { 'data-preset': p.label },
      ),
    ),
  );
  const controls = panel(
    'Deep network on the spiral',
    h(
      'p',
      { class: 'hint', style: 'margin-top:0' },
      `An MLP with 16 units per hidden layer learns the two-spiral dataset.`,
    ),
    presets,
    note,
    depth.root,
    act.root,
    initSel.root,
    opt.root,
    lr.root,
    h('div', { class: 'row' }, trainBtn, resetBtn),
    h('div', { class: 'row', style: 'margin-top:12px' }, sStep.el, sLoss.el, sAcc.el),
  );

  const layers = new LayerView();
  const stripHint = h(
    'p',
    { class: 'hint', 'data-testid': 'strips-hint' },
    'Press Train: every snapshot adds a column on the right of each strip.',
  );
  const normEl = h('div');
  const deadTitle = h('h3', {}, 'Dead units');
  const histPanel = panel(
    'Every layer, over time',
    h(
      'p',
      { class: 'hint', style: 'margin-top:0' },
      'Each strip is a histogram per snapshot (time flows to the right, over the last 120 snapshots; darker = more values in that bin), measured on all 500 points. Hover a layer number for its statistics.',
    ),
    stripHint,
    layers.root,
    h('h3', {}, 'Weight-gradient norm per layer (log scale)'),
    normEl,
    deadTitle,
    layers.deadRoot,
  );

  const backprop = new BackpropView((params) => worker.send({ type: 'backprop', params }));
  const bpPanel = panel(
    'Backpropagation, step by step',
    h(
      'p',
      { class: 'hint', style: 'margin-top:0' },
      'One training step of a 2-2-1 network: the forward pass computes every value, the backward pass applies the chain rule from the loss back to every weight, then gradient descent updates the weights.',
    ),
    backprop.root,
  );
  bpPanel.style.gridColumn = '1 / -1';

  const { errorBox, divergence } = trainingFrame(
    root,
    'Inside the network',
    'What happens in each layer while a network trains: activations, gradients, dead units. And how backpropagation computes a gradient, one number at a time.',
    () => worker.send({ type: 'pause' }),
    h('div', { class: 'in-grid' }, controls, histPanel, bpPanel),
  );

  let normChart: LineChart | null = null;
  function resetCharts(): void {
    normChart?.destroy();
    normEl.replaceChildren();
    const names = [...Array.from({ length: config.depth }, (_, i) => `L${i + 1}`), 'out'];
    const colours = layerColours(names.length);
    normChart = new LineChart(normEl, {
      xLabel: 'step',
      yLog: true,
      height: 190,
      empty: 'Press Train: the gradient norm of every layer appears here, step by step.',
      series: names.map((n, i) => ({ label: n, color: colours[i]! })),
    });
    const relu = config.activation === 'relu' || config.activation === 'leakyrelu';
    const deadLabel = relu
      ? 'Share of units whose ReLU output is 0 on every point (they get no gradient)'
      : 'Share of units saturated on every point (|output| near the limits)';
    deadTitle.textContent = relu ? 'Dead ReLU units' : 'Saturated units';
    layers.reset(config.depth, deadLabel);
  }

  function showError(message: string): void {
    reportError(errorBox, root, message);
  }

  function change(patch: Partial<InsideConfig>): void {
    config = { ...config, ...patch };
    depth.set(config.depth);
    act.set(config.activation);
    initSel.set(config.init);
    opt.set(config.optimizer);
    lr.set(config.lr);
    replaceParams('inside', encode(config));
    resetCharts();
    worker.send({ type: 'config', config });
  }

  function onStats(s: StatsMessage): void {
    root.dataset.step = String(s.step);
    // A NaN loss: paused with a notice; the charts keep the last finite statistics.
    if (divergence.check(s.loss, s.step, config.lr)) {
      stripHint.hidden = true;
      normChart?.hint(DIVERGED_HINT);
      sStep.v.textContent = String(s.step);
      sLoss.v.textContent = '–';
      sAcc.v.textContent = '–';
      return;
    }
    sStep.v.textContent = String(s.step);
    stripHint.hidden = s.step > 0;
    sLoss.v.textContent = fmtNum(s.loss);
    sAcc.v.textContent = `${(s.accuracy * 100).toFixed(1)}%`;
    root.dataset.step = String(s.step);
    root.dataset.loss = String(s.loss);
    if (s.layers.length !== config.depth) return;
    if (s.step === 0) resetCharts();
    normChart?.push(s.step, ...s.layers.map((l) => l.gradNorm), s.outputGradNorm);
    layers.push(s.layers);
    root.dataset.dead = s.layers.map((l) => l.dead.toFixed(3)).join(',');
    root.dataset.gradNorms = s.layers.map((l) => l.gradNorm.toExponential(3)).join(',');
  }

  function onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        showBackend(m.info);
        root.dataset.ready = 'true';
        backprop.start();
        return;
      case 'stats':
        onStats(m);
        return;
      case 'trace':
        backprop.setTrace(m.trace);
        root.dataset.trace = 'ready';
        return;
      case 'playing':
        playing = m.playing;
        trainBtn.textContent = playing ? 'Pause' : 'Train';
        root.dataset.playing = String(playing);
        return;
      case 'error':
        showError(m.message);
        return;
    }
  }

  resetCharts();
  replaceParams('inside', encode(config));
  worker.send({ type: 'init', backend: chosenBackend(), config });

  return {
    dispose() {
      worker.terminate();
      normChart?.destroy();
    },
  };
}
