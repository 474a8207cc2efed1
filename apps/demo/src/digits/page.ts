import { chosenBackend } from '../lib/backend-switch.js';
import { LineChart } from '../lib/chart.js';
import { SERIES } from '../lib/colors.js';
import { button, panel, selectField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { fmtCount } from '../lib/format.js';
import { trainingFrame } from '../lib/page-frame.js';
import { PageWorker, reportError, showBackend } from '../lib/page-worker.js';
import { currentRoute, replaceParams } from '../lib/url.js';
import type { Page } from '../main.js';
import { DrawPanel } from './draw-panel.js';
import { FirstLayerPanel } from './first-layer-panel.js';
import { loadMnistInWorker } from './mnist-source.js';
import { ModelFiles } from './model-files.js';
import {
  ARCH_LABELS,
  ARCHS,
  type ArchName,
  DIGIT_BATCHES,
  DIGIT_LRS,
  DIGIT_OPTIMIZER_LABELS,
  DIGIT_OPTIMIZERS,
  type DigitOptimizer,
  type DigitsConfig,
  type FromWorker,
  type ToWorker,
  type WeightArray,
} from './protocol.js';
import { drawConfusion } from './views.js';

const DEFAULT_LR: Record<DigitOptimizer, number> = { adam: 0.001, sgd: 0.01, rmsprop: 0.001 };
const DEFAULTS: DigitsConfig = { arch: 'lenet5', optimizer: 'adam', lr: 0.001, batchSize: 64 };

/** Reads the Digits settings from URL parameters (invalid or missing ones take defaults). */
export function decodeDigits(p: URLSearchParams): DigitsConfig {
  const arch = ARCHS.find((a) => a === p.get('arch')) ?? DEFAULTS.arch;
  const optimizer = DIGIT_OPTIMIZERS.find((o) => o === p.get('optimizer')) ?? DEFAULTS.optimizer;
  const lr = DIGIT_LRS.find((v) => String(v) === p.get('lr')) ?? DEFAULT_LR[optimizer];
  const batchSize = DIGIT_BATCHES.find((v) => String(v) === p.get('batch')) ?? DEFAULTS.batchSize;
  return { arch, optimizer, lr, batchSize };
}

function encodeDigits(c: DigitsConfig): URLSearchParams {
  const p = new URLSearchParams(currentRoute().params);
  p.set('arch', c.arch);
  p.set('optimizer', c.optimizer);
  p.set('lr', String(c.lr));
  p.set('batch', String(c.batchSize));
  return p;
}

/** The Digits page: a CNN trained on MNIST in a worker, a drawing pad, and a look at the first layer. */
export function mount(root: HTMLElement): Page {
  let config = decodeDigits(currentRoute().params);
  let playing = false;
  let datasetReady = false;
  let predictId = 0;
  const files = new Map<string, { loaded: number; total: number | undefined }>();

  const worker = new PageWorker<ToWorker, FromWorker>(
    new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'digits' }),
    onMessage,
    showError,
  );

  // ---- training panel ----
  const sourceText = h('p', { class: 'hint', 'data-testid': 'mnist-source' }, 'Finding MNIST…');
  const progress = h('progress', {
    class: 'progress',
    max: 1,
    value: 0,
    'aria-label': 'MNIST download progress',
  });
  const progressText = h('p', { class: 'hint', 'aria-live': 'polite' });
  const arch = selectField(
    'Architecture',
    ARCHS.map((a) => ({ value: a, label: ARCH_LABELS[a] })),
    config.arch,
    (v) => change({ arch: v }),
    { 'data-control': 'arch' },
  );
  const opt = selectField(
    'Optimizer',
    DIGIT_OPTIMIZERS.map((o) => ({ value: o, label: DIGIT_OPTIMIZER_LABELS[o] })),
    config.optimizer,
    (v) => change({ optimizer: v, lr: DEFAULT_LR[v] }),
    { 'data-control': 'optimizer' },
  );
  const lr = selectField(
    'Learning rate',
    DIGIT_LRS.map((v) => ({ value: v, label: String(v) })),
    config.lr,
    (v) => change({ lr: v }),
    { 'data-control': 'lr' },
  );
  const batch = selectField(
    'Batch size',
    DIGIT_BATCHES.map((v) => ({ value: v, label: String(v) })),
    config.batchSize,
    (v) => change({ batchSize: v }),
    { 'data-control': 'batch' },
  );
  const trainBtn = button('Train', () => worker.send({ type: playing ? 'pause' : 'train' }), {
    class: 'primary',
    'data-action': 'train',
    disabled: true,
  });
  const resetBtn = button('Reset', () => worker.send({ type: 'reset' }), {
    'data-action': 'reset',
    disabled: true,
  });
  const stat = (k: string, id: string) => {
    const v = h('span', { class: 'v', 'data-testid': id }, '–');
    return { el: h('div', { class: 'stat' }, h('span', { class: 'k' }, k), v), v };
  };
  const sStep = stat('Step', 'step');
  const sEpoch = stat('Epoch', 'epoch');
  const sSpeed = stat('Images/s', 'speed');
  const sTrainAcc = stat('Train acc.', 'train-acc');
  const sTestAcc = stat('Test acc.', 'test-acc');
  const modelFiles = new ModelFiles(
    () => worker.send({ type: 'save' }),
    () => worker.send({ type: 'exportOnnx' }),
    (bytes, name) => worker.send({ type: 'loadModel', bytes, name }, [bytes.buffer]),
  );
  const trainPanel = panel(
    'Training',
    sourceText,
    progress,
    progressText,
    arch.root,
    opt.root,
    lr.root,
    batch.root,
    h('div', { class: 'row' }, trainBtn, resetBtn),
    h(
      'div',
      { class: 'row', style: 'margin:12px 0' },
      sStep.el,
      sEpoch.el,
      sSpeed.el,
      sTrainAcc.el,
      sTestAcc.el,
    ),
    modelFiles.row,
    modelFiles.note,
  );

  // ---- curves ----
  const lossEl = h('div');
  const accEl = h('div');
  const curvesPanel = panel('Loss and accuracy', lossEl, accEl);
  curvesPanel.classList.add('wide');

  // ---- drawing ----
  const draw = new DrawPanel(
    (pixels) => {
      if (!datasetReady) return;
      predictId += 1;
      worker.send({ type: 'predict', id: predictId, pixels });
    },
    (pixels) => worker.send({ type: 'inspect', index: null, pixels }),
    () => delete root.dataset.prediction,
  );

  // ---- confusion ----
  const confusion = h('canvas', {
    class: 'confusion',
    role: 'img',
    'aria-label': 'Confusion matrix of the test set (rows: true digit, columns: prediction)',
  });
  const confPanel = panel(
    'Confusion matrix (test set)',
    confusion,
    h('p', { class: 'hint' }, 'Rows: true digit; columns: predicted digit. Red cells are mistakes.'),
  );

  // ---- first layer ----
  const layer = new FirstLayerPanel((index) => worker.send({ type: 'inspect', index, pixels: null }));

  const { errorBox, divergence } = trainingFrame(
    root,
    'Digits',
    'Train a convolutional network on MNIST handwritten digits, right here. Then draw a digit and watch the prediction change as you draw.',
    () => worker.send({ type: 'pause' }),
    h('div', { class: 'dg-grid' }, trainPanel, curvesPanel, draw.root, confPanel, layer.root),
  );
  const TRAIN_HINT = 'Press Train: the curves appear here as the network learns.';
  const lossChart = new LineChart(lossEl, {
    xLabel: 'step',
    height: 170,
    empty: TRAIN_HINT,
    series: [
      { label: 'train loss', color: SERIES[1]! },
      { label: 'test loss', color: SERIES[0]!, points: true },
    ],
  });
  const accChart = new LineChart(accEl, {
    xLabel: 'step',
    height: 170,
    empty: TRAIN_HINT,
    yRange: [0, 1],
    series: [
      { label: 'train accuracy', color: SERIES[1]! },
      { label: 'test accuracy', color: SERIES[0]!, points: true },
    ],
  });

  /** Exports the worker's weights as ONNX and downloads the file (@tessera/onnx loads now). */
  async function exportOnnxFile(arch: ArchName, tensors: WeightArray[]): Promise<void> {
    try {
      const { digitsOnnxBlob, ONNX_FILE_NAME } = await import('./onnx-file.js');
      modelFiles.download(digitsOnnxBlob(arch, tensors), ONNX_FILE_NAME);
    } catch (e) {
      showError(`Download ONNX failed: ${(e as Error).message}`);
    }
  }

  function showError(message: string): void {
    reportError(errorBox, root, message);
  }

  function change(patch: Partial<DigitsConfig>): void {
    const archChanged = patch.arch !== undefined && patch.arch !== config.arch;
    config = { ...config, ...patch };
    opt.set(config.optimizer);
    lr.set(config.lr);
    replaceParams('digits', encodeDigits(config));
    if (archChanged) {
      lossChart.clear();
      accChart.clear();
    }
    worker.send({ type: 'config', config });
  }

  /** Clears the training statistics (new or loaded model). */
  /** Clears the training statistics; `hint` goes over the empty charts. */
  function clearStats(hint = TRAIN_HINT): void {
    for (const s of [sStep, sEpoch, sSpeed, sTrainAcc, sTestAcc]) s.v.textContent = '–';
    for (const c of [lossChart, accChart]) {
      c.clear();
      c.hint(hint);
    }
  }

  function setProgress(): void {
    let loaded = 0;
    let total = 0;
    let known = true;
    for (const f of files.values()) {
      loaded += f.loaded;
      if (f.total === undefined) known = false;
      else total += f.total;
    }
    if (known && total > 0) {
      progress.value = loaded / total;
      progressText.textContent = `Downloading MNIST: ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`;
    } else {
      progress.removeAttribute('value');
      progressText.textContent = `Downloading MNIST: ${(loaded / 1e6).toFixed(1)} MB`;
    }
  }

  function onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        showBackend(m.info);
        root.dataset.ready = 'true';
        loadMnistInWorker(sourceText, (m) => worker.send(m));
        return;
      case 'progress':
        files.set(m.file, { loaded: m.loaded, total: m.total });
        // Where the files came from (the tests check that the second visit uses the cache).
        root.dataset.download = m.cached ? 'cache' : 'network';
        root.dataset.downloadMax = String(
          Math.max(Number(root.dataset.downloadMax ?? 0), m.total ? m.loaded / m.total : 0),
        );
        if (m.cached) {
          progressText.textContent = 'MNIST loaded from the browser cache.';
          progress.value = 1;
        } else {
          setProgress();
        }
        return;
      case 'dataset':
        datasetReady = true;
        progress.value = 1;
        progressText.textContent = `${m.train.toLocaleString('en')} training and ${m.test.toLocaleString('en')} test images.`;
        sourceText.textContent = `MNIST from ${m.label}`;
        trainBtn.disabled = false;
        resetBtn.disabled = false;
        modelFiles.enable();
        root.dataset.dataset = 'ready';
        return;
      case 'stats':
        sStep.v.textContent = String(m.step);
        root.dataset.step = String(m.step);
        // A NaN loss: paused with a notice; the curves keep their finite points.
        if (divergence.check(m.trainLoss, m.step, config.lr)) return;
        sEpoch.v.textContent = String(m.epoch);
        sSpeed.v.textContent = fmtCount(m.imagesPerSec);
        sTrainAcc.v.textContent = `${(m.trainAcc * 100).toFixed(1)}%`;
        lossChart.push(m.step, m.trainLoss, null);
        accChart.push(m.step, m.trainAcc, null);
        root.dataset.step = String(m.step);
        root.dataset.imagesPerSec = String(m.imagesPerSec);
        return;
      case 'eval':
        root.dataset.evalStep = String(m.step);
        if (divergence.check(m.testLoss, m.step, config.lr)) return;
        sTestAcc.v.textContent = `${(m.testAcc * 100).toFixed(1)}%`;
        sStep.v.textContent = String(m.step);
        if (m.step > 0) {
          lossChart.push(m.step, null, m.testLoss);
          accChart.push(m.step, null, m.testAcc);
        }
        drawConfusion(confusion, m.confusion);
        root.dataset.testAcc = String(m.testAcc);
        root.dataset.evalStep = String(m.step);
        if (m.step === 0) {
          clearStats();
          sTestAcc.v.textContent = `${(m.testAcc * 100).toFixed(1)}%`;
          sStep.v.textContent = '0';
        }
        // The drawing's prediction by the model as it is now.
        draw.repredict();
        return;
      case 'prediction': {
        if (m.id !== predictId) return;
        const best = draw.showPrediction(m.probs);
        if (best !== null) root.dataset.prediction = String(best);
        return;
      }
      case 'inspection':
        root.dataset.inspected = String(Number(root.dataset.inspected ?? 0) + 1);
        layer.show(m);
        return;
      case 'saved':
        modelFiles.download(m.blob, m.name);
        return;
      case 'weights':
        void exportOnnxFile(m.arch, m.tensors);
        return;
      case 'modelLoaded':
        // The curves of the previous model do not belong to this one: the loaded model's test
        // evaluation is the first point, and training it further draws the curves from there.
        clearStats('A loaded model: the dot is its test evaluation. Press Train to go on training it.');
        config = { ...config, arch: m.arch };
        arch.set(m.arch);
        replaceParams('digits', encodeDigits(config));
        modelFiles.note.textContent = `Loaded ${m.name} (${ARCH_LABELS[m.arch]}).`;
        root.dataset.modelLoaded = m.arch;
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

  replaceParams('digits', encodeDigits(config));
  worker.send({ type: 'init', backend: chosenBackend(), config });

  return {
    dispose() {
      worker.terminate();
      lossChart.destroy();
      accChart.destroy();
    },
  };
}
