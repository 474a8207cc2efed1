import { chosenBackend } from '../lib/backend-switch.js';
import { LineChart } from '../lib/chart.js';
import { SERIES } from '../lib/colors.js';
import { button, checkField, panel, rangeField, selectField } from '../lib/controls.js';
import { DIVERGED_HINT, DivergenceNotice } from '../lib/divergence.js';
import { fmtNum, h } from '../lib/dom.js';
import { icon } from '../lib/icons.js';
import { PageWorker, reportError, showBackend } from '../lib/page-worker.js';
import { currentRoute, replaceParams } from '../lib/url.js';
import type { Page } from '../main.js';
import { NetworkView } from './network-view.js';
import { drawThumb, OutputView } from './output-view.js';
import type { FromWorker, SnapshotMessage, ToWorker } from './protocol.js';
import {
  ACTIVATION_LABELS,
  ACTIVATIONS,
  BATCH_SIZES,
  DATASET_LABELS,
  DATASETS,
  type DatasetName,
  decodeState,
  encodeState,
  isRegression,
  LEARNING_RATES,
  NOISES,
  needsReset,
  OPTIMIZER_LABELS,
  OPTIMIZERS,
  type PlaygroundState,
  REGULARIZATION_LABELS,
  REGULARIZATIONS,
  regRates,
  TRAIN_RATIOS,
} from './state.js';

const CHART_HINT = 'Press play to train: the loss per epoch appears here.';

/** The Playground page: a small network on 2-D data, trained live in a worker. */
export function mount(root: HTMLElement): Page {
  let state = decodeState(currentRoute().params);
  /** Ids of settings messages; snapshots from before the last rebuild are dropped. */
  let lastId = 0;
  let rebuiltAt = 0;
  const nextId = (rebuild: boolean) => {
    lastId += 1;
    if (rebuild) rebuiltAt = lastId;
    root.dataset.settings = String(lastId);
    return lastId;
  };
  let playing = false;
  const chart = { el: h('div', { class: 'loss-chart' }) };

  const worker = new PageWorker<ToWorker, FromWorker>(
    new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'playground' }),
    onMessage,
    showError,
  );

  // ---- toolbar ----
  const playBtn = button('', () => worker.send({ type: playing ? 'pause' : 'play' }), {
    class: 'round primary',
    'aria-label': 'Train',
    'data-action': 'play',
  });
  const stepBtn = button('', () => worker.send({ type: 'step' }), {
    class: 'round',
    'aria-label': 'Train one epoch',
    'data-action': 'step',
  });
  const resetBtn = button('', () => worker.send({ type: 'reset', id: nextId(true) }), {
    class: 'round',
    'aria-label': 'Reset the network',
    'data-action': 'reset',
  });
  playBtn.append(icon('play'));
  stepBtn.append(icon('step'));
  resetBtn.append(icon('reset'));
  const epochOut = h('span', { class: 'v', 'data-testid': 'epoch' }, '000,000');
  const lr = selectField(
    'Learning rate',
    LEARNING_RATES.map((v) => ({ value: v, label: String(v) })),
    state.learningRate,
    (v) => change({ learningRate: v }),
    { 'data-control': 'learningRate' },
  );
  const act = selectField(
    'Activation',
    ACTIVATIONS.map((v) => ({ value: v, label: ACTIVATION_LABELS[v] })),
    state.activation,
    (v) => change({ activation: v }),
    { 'data-control': 'activation' },
  );
  const reg = selectField(
    'Regularization',
    REGULARIZATIONS.map((v) => ({ value: v, label: REGULARIZATION_LABELS[v] })),
    state.regularization,
    (v) => {
      const rates = regRates(v);
      const rate = rates.includes(state.regRate) ? state.regRate : (rates[0] ?? 0);
      change({ regularization: v, regRate: rate });
    },
    { 'data-control': 'regularization' },
  );
  const regRateRoot = h('div');
  let regRate = makeRegRate();
  regRateRoot.append(regRate.root);
  function makeRegRate() {
    return selectField(
      state.regularization === 'dropout' ? 'Drop probability' : 'Regularization rate',
      regRates(state.regularization).map((v) => ({ value: v, label: String(v) })),
      state.regRate,
      (v) => change({ regRate: v }),
      { 'data-control': 'regRate', disabled: state.regularization === 'none' },
    );
  }
  const opt = selectField(
    'Optimizer',
    OPTIMIZERS.map((v) => ({ value: v, label: OPTIMIZER_LABELS[v] })),
    state.optimizer,
    (v) => change({ optimizer: v }),
    { 'data-control': 'optimizer' },
  );
  const problem = h('span', { class: 'v', style: 'font-size:15px' });
  const toolbar = h(
    'div',
    { class: 'pg-toolbar panel', role: 'toolbar', 'aria-label': 'Training controls' },
    h('div', { class: 'row' }, resetBtn, playBtn, stepBtn),
    h('div', { class: 'stat epoch' }, h('span', { class: 'k' }, 'Epoch'), epochOut),
    lr.root,
    act.root,
    reg.root,
    regRateRoot,
    opt.root,
    h('div', { class: 'stat' }, h('span', { class: 'k' }, 'Problem'), problem),
  );

  // ---- data panel ----
  const thumbs = new Map<DatasetName, HTMLButtonElement>();
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
      thumbs.set(d, b);
      return b;
    }),
  );
  const ratio = rangeField(
    'Training data',
    TRAIN_RATIOS,
    state.trainRatio,
    (v) => change({ trainRatio: v }),
    (v) => `${v}%`,
    {
      'data-control': 'trainRatio',
    },
  );
  const noise = rangeField('Noise', NOISES, state.noise, (v) => change({ noise: v }), String, {
    'data-control': 'noise',
  });
  const batch = rangeField(
    'Batch size',
    BATCH_SIZES,
    state.batchSize,
    (v) => change({ batchSize: v }),
    String,
    {
      'data-control': 'batchSize',
    },
  );
  const seedOut = h('span', { 'data-testid': 'seed' });
  const regen = button('Regenerate', () => change({ seed: 1 + Math.floor(Math.random() * 2147483646) }), {
    'data-action': 'regenerate',
  });
  const dataPanel = panel(
    'Data',
    h('p', { class: 'hint', style: 'margin-top:0' }, 'Which dataset do you want to use?'),
    picker,
    ratio.root,
    noise.root,
    batch.root,
    h('div', { class: 'row' }, regen, h('span', { class: 'hint' }, 'seed ', seedOut)),
  );

  // ---- network ----
  const network = new NetworkView({
    toggleFeature: (f) => {
      const has = state.features.includes(f);
      if (has && state.features.length === 1) return;
      change({ features: has ? state.features.filter((x) => x !== f) : [...state.features, f] });
    },
    setLayers: (layers) => change({ layers }),
  });
  const netPanel = panel('Network', network.root);

  // ---- output ----
  const out = new OutputView();
  const trainLossOut = h('span', { class: 'v', 'data-testid': 'train-loss' }, '–');
  const testLossOut = h('span', { class: 'v', 'data-testid': 'test-loss' }, '–');
  const showTest = checkField('Show test data', false, (v) => {
    out.showTest = v;
    out.redraw();
  });
  const discretize = checkField('Discretize output', false, (v) => {
    out.discretize = v;
    out.redraw();
  });
  const outPanel = panel(
    'Output',
    h(
      'div',
      { class: 'losses' },
      h('div', { class: 'stat' }, h('span', { class: 'k' }, 'Test loss'), testLossOut),
      h('div', { class: 'stat' }, h('span', { class: 'k' }, 'Training loss'), trainLossOut),
    ),
    chart.el,
    out.root,
    h('div', { class: 'legend-bar', 'aria-hidden': 'true' }),
    h(
      'div',
      { class: 'legend-ticks', 'aria-hidden': 'true' },
      h('span', {}, '−1'),
      h('span', {}, '0'),
      h('span', {}, '+1'),
    ),
    h('div', { class: 'row', style: 'margin-top:8px' }, showTest.root, discretize.root),
  );
  outPanel.classList.add('pg-output');

  const errorBox = h('div', { class: 'error-box', role: 'alert', hidden: true });
  const divergence = new DivergenceNotice(root, () => worker.send({ type: 'pause' }), 'epoch');
  root.append(
    h('h1', {}, 'Playground'),
    h(
      'p',
      { class: 'lead' },
      'Train a small neural network on 2-D data and watch every neuron learn. The whole setup, seed included, is in the URL: copy it to share.',
    ),
    errorBox,
    divergence.root,
    toolbar,
    h('div', { class: 'pg-grid' }, dataPanel, netPanel, outPanel),
  );
  const lossChart = new LineChart(chart.el, {
    xLabel: 'epoch',
    height: 150,
    empty: CHART_HINT,
    series: [
      { label: 'train', color: SERIES[1]! },
      { label: 'test', color: SERIES[0]! },
    ],
  });

  function showError(message: string): void {
    reportError(errorBox, root, `Training failed: ${message}`);
  }

  /** Applies a settings change: URL, controls, and the worker (rebuilding when needed). */
  function change(patch: Partial<PlaygroundState>): void {
    const next: PlaygroundState = { ...state, ...patch };
    const reset = needsReset(state, next);
    state = next;
    syncControls();
    replaceParams('playground', encodeState(state));
    if (reset) lossChart.clear();
    worker.send({ type: 'config', state, reset, id: nextId(reset) });
  }

  function syncControls(): void {
    lr.set(state.learningRate);
    act.set(state.activation);
    reg.set(state.regularization);
    const fresh = makeRegRate();
    regRateRoot.replaceChildren(fresh.root);
    regRate = fresh;
    opt.set(state.optimizer);
    ratio.set(state.trainRatio);
    noise.set(state.noise);
    batch.set(state.batchSize);
    seedOut.textContent = String(state.seed);
    problem.textContent = isRegression(state.dataset) ? 'Regression' : 'Classification';
    out.regression = isRegression(state.dataset);
    for (const [d, b] of thumbs) b.setAttribute('aria-pressed', String(d === state.dataset));
    network.setStructure(state);
  }

  let latest: SnapshotMessage | null = null;
  let frame = 0;

  /** Records a snapshot's losses now and draws the newest snapshot at the next animation frame. */
  function onSnapshot(s: SnapshotMessage): void {
    if (s.id < rebuiltAt) return;
    // A NaN loss: paused with a notice, and the last finite snapshot stays on screen.
    if (divergence.check(s.trainLoss, s.epoch, state.learningRate)) {
      cancelAnimationFrame(frame);
      frame = 0;
      showEpoch(s.epoch);
      trainLossOut.textContent = '–';
      testLossOut.textContent = '–';
      lossChart.hint(DIVERGED_HINT);
      return;
    }
    if (s.epoch === 0) {
      lossChart.clear();
      lossChart.hint(CHART_HINT);
    }
    if (lossChart.length === 0 || s.epoch > 0) {
      lossChart.push(s.epoch, s.trainLoss, Number.isNaN(s.testLoss) ? null : s.testLoss);
    }
    latest = s;
    if (frame === 0) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (latest) render(latest);
      });
    }
  }

  function showEpoch(epoch: number): void {
    epochOut.textContent = String(epoch)
      .padStart(6, '0')
      .replace(/(\d{3})(\d{3})$/, '$1,$2');
    root.dataset.epoch = String(epoch);
  }

  function render(s: SnapshotMessage): void {
    showEpoch(s.epoch);
    trainLossOut.textContent = fmtNum(s.trainLoss);
    testLossOut.textContent = Number.isNaN(s.testLoss) ? '–' : fmtNum(s.testLoss);
    root.dataset.snapshotSettings = String(s.id);
    root.dataset.trainLoss = String(s.trainLoss);
    root.dataset.testLoss = String(s.testLoss);
    out.setOutput(s.output);
    network.update(s);
    root.dataset.snapshots = String(Number(root.dataset.snapshots ?? 0) + 1);
  }

  function onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        showBackend(m.info);
        root.dataset.ready = 'true';
        return;
      case 'thumbs':
        for (const s of m.sets) {
          const c = thumbs.get(s.name)?.querySelector('canvas');
          if (c) drawThumb(c, s.x, s.y, isRegression(s.name));
        }
        return;
      case 'points':
        out.setPoints(m);
        return;
      case 'snapshot':
        onSnapshot(m);
        return;
      case 'playing':
        playing = m.playing;
        playBtn.replaceChildren(icon(playing ? 'pause' : 'play'));
        playBtn.setAttribute('aria-label', playing ? 'Pause' : 'Train');
        root.dataset.playing = String(playing);
        return;
      case 'error':
        showError(m.message);
        return;
    }
  }

  syncControls();
  replaceParams('playground', encodeState(state));
  worker.send({ type: 'init', backend: chosenBackend(), state, id: nextId(true) });

  const onKey = (e: KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (e.key === ' ' && t === document.body) {
      e.preventDefault();
      worker.send({ type: playing ? 'pause' : 'play' });
    }
  };
  document.addEventListener('keydown', onKey);

  return {
    dispose() {
      cancelAnimationFrame(frame);
      document.removeEventListener('keydown', onKey);
      worker.terminate();
      network.dispose();
      out.dispose();
      lossChart.destroy();
    },
  };
}
