import { chosenBackend } from '../lib/backend-switch.js';
import { panel } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { type TrainingFrame, trainingFrame } from '../lib/page-frame.js';
import { PageWorker, reportError, showBackend } from '../lib/page-worker.js';
import { currentRoute, replaceParams } from '../lib/url.js';
import type { Page } from '../main.js';
import { CurvesPanel, TRAIN_HINT } from './curves-panel.js';
import { DrawPanel } from './draw-panel.js';
import { FirstLayerPanel } from './first-layer-panel.js';
import { loadMnistInWorker } from './mnist-source.js';
import type {
  ArchName,
  DigitsConfig,
  EvalMessage,
  FromWorker,
  StatsMessage,
  ToWorker,
  WeightArray,
} from './protocol.js';
import { decodeDigits, encodeDigits } from './settings.js';
import { TrainPanel } from './train-panel.js';
import { drawConfusion } from './views.js';

/** The "Confusion matrix (test set)" panel and the canvas each evaluation draws on. */
function confusionPanel(): { root: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', {
    class: 'confusion',
    role: 'img',
    'aria-label': 'Confusion matrix of the test set (rows: true digit, columns: prediction)',
  });
  const root = panel(
    'Confusion matrix (test set)',
    canvas,
    h('p', { class: 'hint' }, 'Rows: true digit; columns: predicted digit. Red cells are mistakes.'),
  );
  return { root, canvas };
}

/**
 * The Digits page: a CNN trained on MNIST in a worker (TrainPanel, CurvesPanel, the confusion
 * matrix), a drawing pad (DrawPanel) and a look at the first layer (FirstLayerPanel). This class
 * builds the panels, wires them to the worker and shows what the worker sends.
 */
class DigitsPage implements Page {
  private config: DigitsConfig;
  private playing = false;
  private datasetReady = false;
  private predictId = 0;
  private readonly worker: PageWorker<ToWorker, FromWorker>;
  private readonly train: TrainPanel;
  private readonly curves = new CurvesPanel();
  private readonly draw: DrawPanel;
  private readonly confusion = confusionPanel();
  private readonly layer: FirstLayerPanel;
  private readonly frame: TrainingFrame;

  constructor(private readonly root: HTMLElement) {
    this.config = decodeDigits(currentRoute().params);
    const worker = new PageWorker<ToWorker, FromWorker>(
      new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'digits' }),
      (m) => this.onMessage(m),
      (message) => this.showError(message),
    );
    this.worker = worker;
    this.train = new TrainPanel(this.config, {
      change: (patch) => this.change(patch),
      toggle: () => worker.send({ type: this.playing ? 'pause' : 'train' }),
      reset: () => worker.send({ type: 'reset' }),
      save: () => worker.send({ type: 'save' }),
      exportOnnx: () => worker.send({ type: 'exportOnnx' }),
      loadModel: (bytes, name) => worker.send({ type: 'loadModel', bytes, name }, [bytes.buffer]),
    });
    this.draw = new DrawPanel(
      (pixels) => {
        if (!this.datasetReady) return;
        this.predictId += 1;
        worker.send({ type: 'predict', id: this.predictId, pixels });
      },
      (pixels) => worker.send({ type: 'inspect', index: null, pixels }),
      () => delete root.dataset.prediction,
    );
    this.layer = new FirstLayerPanel((index) => worker.send({ type: 'inspect', index, pixels: null }));
    this.frame = trainingFrame(
      root,
      'Digits',
      'Train a convolutional network on MNIST handwritten digits, right here. Then draw a digit and watch the prediction change as you draw.',
      () => worker.send({ type: 'pause' }),
      h(
        'div',
        { class: 'dg-grid' },
        this.train.root,
        this.curves.root,
        this.draw.root,
        this.confusion.root,
        this.layer.root,
      ),
    );
    this.curves.attach();
    replaceParams('digits', encodeDigits(this.config));
    worker.send({ type: 'init', backend: chosenBackend(), config: this.config });
  }

  dispose(): void {
    this.worker.terminate();
    this.curves.destroy();
  }

  /** Exports the worker's weights as ONNX and downloads the file (@tessera/onnx loads now). */
  private async exportOnnxFile(arch: ArchName, tensors: WeightArray[]): Promise<void> {
    try {
      const { digitsOnnxBlob, ONNX_FILE_NAME } = await import('./onnx-file.js');
      this.train.modelFiles.download(digitsOnnxBlob(arch, tensors), ONNX_FILE_NAME);
    } catch (e) {
      this.showError(`Download ONNX failed: ${(e as Error).message}`);
    }
  }

  private showError(message: string): void {
    reportError(this.frame.errorBox, this.root, message);
  }

  /** Applies a settings change: controls, URL, and the worker. */
  private change(patch: Partial<DigitsConfig>): void {
    const archChanged = patch.arch !== undefined && patch.arch !== this.config.arch;
    this.config = { ...this.config, ...patch };
    this.train.set(this.config);
    replaceParams('digits', encodeDigits(this.config));
    if (archChanged) this.curves.clear();
    this.worker.send({ type: 'config', config: this.config });
  }

  /** Clears the training statistics (new or loaded model); `hint` goes over the empty charts. */
  private clearStats(hint = TRAIN_HINT): void {
    this.train.clearStats();
    this.curves.clear(hint);
  }

  private onStats(m: StatsMessage): void {
    const { root } = this;
    this.train.showStep(m.step);
    root.dataset.step = String(m.step);
    // A NaN loss: paused with a notice; the curves keep their finite points.
    if (this.frame.divergence.check(m.trainLoss, m.step, this.config.lr)) return;
    this.train.showTrain(m);
    this.curves.pushTrain(m.step, m.trainLoss, m.trainAcc);
    root.dataset.imagesPerSec = String(m.imagesPerSec);
  }

  private onEval(m: EvalMessage): void {
    this.root.dataset.evalStep = String(m.step);
    if (this.frame.divergence.check(m.testLoss, m.step, this.config.lr)) return;
    this.train.showTest(m.step, m.testAcc);
    if (m.step > 0) this.curves.pushTest(m.step, m.testLoss, m.testAcc);
    drawConfusion(this.confusion.canvas, m.confusion);
    this.root.dataset.testAcc = String(m.testAcc);
    if (m.step === 0) {
      this.clearStats();
      this.train.showTest(0, m.testAcc);
    }
    // The drawing's prediction by the model as it is now.
    this.draw.repredict();
  }

  /** A saved model was loaded in the worker: its architecture in the settings and the URL. */
  private onModelLoaded(arch: ArchName, name: string): void {
    // The curves of the previous model do not belong to this one: the loaded model's test
    // evaluation is the first point, and training it further draws the curves from there.
    this.clearStats('A loaded model: the dot is its test evaluation. Press Train to go on training it.');
    this.config = { ...this.config, arch };
    this.train.set(this.config);
    replaceParams('digits', encodeDigits(this.config));
    this.train.showLoaded(name, arch);
    this.root.dataset.modelLoaded = arch;
  }

  private onMessage(m: FromWorker): void {
    const { root, train } = this;
    switch (m.type) {
      case 'ready':
        showBackend(m.info);
        root.dataset.ready = 'true';
        loadMnistInWorker(train.sourceText, (m) => this.worker.send(m));
        return;
      case 'progress':
        // Where the files came from (the tests check that the second visit uses the cache).
        root.dataset.download = m.cached ? 'cache' : 'network';
        root.dataset.downloadMax = String(
          Math.max(Number(root.dataset.downloadMax ?? 0), m.total ? m.loaded / m.total : 0),
        );
        train.showDownload(m.file, m.loaded, m.total, m.cached);
        return;
      case 'dataset':
        this.datasetReady = true;
        train.showDataset(m.train, m.test, m.label);
        root.dataset.dataset = 'ready';
        return;
      case 'stats':
        this.onStats(m);
        return;
      case 'eval':
        this.onEval(m);
        return;
      case 'prediction': {
        if (m.id !== this.predictId) return;
        const best = this.draw.showPrediction(m.probs);
        if (best !== null) root.dataset.prediction = String(best);
        return;
      }
      case 'inspection':
        root.dataset.inspected = String(Number(root.dataset.inspected ?? 0) + 1);
        this.layer.show(m);
        return;
      case 'saved':
        train.modelFiles.download(m.blob, m.name);
        return;
      case 'weights':
        void this.exportOnnxFile(m.arch, m.tensors);
        return;
      case 'modelLoaded':
        this.onModelLoaded(m.arch, m.name);
        return;
      case 'playing':
        this.playing = m.playing;
        train.setPlaying(m.playing);
        root.dataset.playing = String(m.playing);
        return;
      case 'error':
        this.showError(m.message);
        return;
    }
  }
}

/** Mounts the Digits page in `root` (see DigitsPage). */
export function mount(root: HTMLElement): Page {
  return new DigitsPage(root);
}
