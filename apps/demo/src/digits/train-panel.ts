import { button, panel, selectField, stat } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { fmtCount } from '../lib/format.js';
import { ModelFiles } from './model-files.js';
import {
  ARCH_LABELS,
  ARCHS,
  type ArchName,
  DIGIT_BATCHES,
  DIGIT_LRS,
  DIGIT_OPTIMIZER_LABELS,
  DIGIT_OPTIMIZERS,
  type DigitsConfig,
  type StatsMessage,
} from './protocol.js';
import { DEFAULT_LR } from './settings.js';

/** What the training panel asks of the page. */
export interface TrainPanelActions {
  /** A setting was edited. */
  change(patch: Partial<DigitsConfig>): void;
  /** Train/Pause was pressed. */
  toggle(): void;
  reset(): void;
  save(): void;
  exportOnnx(): void;
  loadModel(bytes: Uint8Array, name: string): void;
}

/** One MNIST file's download progress. */
interface FileProgress {
  loaded: number;
  total: number | undefined;
}

/** The four selects of the training settings; each edit goes to `change`. */
function settingFields(config: DigitsConfig, change: TrainPanelActions['change']) {
  return {
    arch: selectField(
      'Architecture',
      ARCHS.map((a) => ({ value: a, label: ARCH_LABELS[a] })),
      config.arch,
      (v) => change({ arch: v }),
      { 'data-control': 'arch' },
    ),
    optimizer: selectField(
      'Optimizer',
      DIGIT_OPTIMIZERS.map((o) => ({ value: o, label: DIGIT_OPTIMIZER_LABELS[o] })),
      config.optimizer,
      (v) => change({ optimizer: v, lr: DEFAULT_LR[v] }),
      { 'data-control': 'optimizer' },
    ),
    lr: selectField(
      'Learning rate',
      DIGIT_LRS.map((v) => ({ value: v, label: String(v) })),
      config.lr,
      (v) => change({ lr: v }),
      { 'data-control': 'lr' },
    ),
    batch: selectField(
      'Batch size',
      DIGIT_BATCHES.map((v) => ({ value: v, label: String(v) })),
      config.batchSize,
      (v) => change({ batchSize: v }),
      { 'data-control': 'batch' },
    ),
  };
}

/**
 * The Digits page's training panel: where MNIST comes from and its download progress, the
 * settings, Train/Reset, the step/epoch/speed/accuracy statistics and the model files row.
 */
export class TrainPanel {
  readonly root: HTMLElement;
  /** Where MNIST comes from (`loadMnistInWorker` writes it). */
  readonly sourceText = h('p', { class: 'hint', 'data-testid': 'mnist-source' }, 'Finding MNIST…');
  readonly modelFiles: ModelFiles;
  private readonly progress = h('progress', {
    class: 'progress',
    max: 1,
    value: 0,
    'aria-label': 'MNIST download progress',
  });
  private readonly progressText = h('p', { class: 'hint', 'aria-live': 'polite' });
  private readonly files = new Map<string, FileProgress>();
  private readonly fields: ReturnType<typeof settingFields>;
  private readonly trainBtn: HTMLButtonElement;
  private readonly resetBtn: HTMLButtonElement;
  private readonly stats = {
    step: stat('Step', 'step'),
    epoch: stat('Epoch', 'epoch'),
    speed: stat('Images/s', 'speed'),
    trainAcc: stat('Train acc.', 'train-acc'),
    testAcc: stat('Test acc.', 'test-acc'),
  };

  constructor(config: DigitsConfig, actions: TrainPanelActions) {
    this.fields = settingFields(config, actions.change);
    this.trainBtn = button('Train', actions.toggle, {
      class: 'primary',
      'data-action': 'train',
      disabled: true,
    });
    this.resetBtn = button('Reset', actions.reset, { 'data-action': 'reset', disabled: true });
    this.modelFiles = new ModelFiles(actions.save, actions.exportOnnx, actions.loadModel);
    const f = this.fields;
    const s = this.stats;
    this.root = panel(
      'Training',
      this.sourceText,
      this.progress,
      this.progressText,
      f.arch.root,
      f.optimizer.root,
      f.lr.root,
      f.batch.root,
      h('div', { class: 'row' }, this.trainBtn, this.resetBtn),
      h(
        'div',
        { class: 'row', style: 'margin:12px 0' },
        s.step.el,
        s.epoch.el,
        s.speed.el,
        s.trainAcc.el,
        s.testAcc.el,
      ),
      this.modelFiles.row,
      this.modelFiles.note,
    );
  }

  /** Shows `config` in the selects (the optimizer's default rate, or a loaded model's architecture). */
  set(config: DigitsConfig): void {
    this.fields.arch.set(config.arch);
    this.fields.optimizer.set(config.optimizer);
    this.fields.lr.set(config.lr);
  }

  /** Records one file's download progress and shows the total (or the cache's). */
  showDownload(file: string, loaded: number, total: number | undefined, cached: boolean): void {
    this.files.set(file, { loaded, total });
    if (cached) {
      this.progressText.textContent = 'MNIST loaded from the browser cache.';
      this.progress.value = 1;
      return;
    }
    let sum = 0;
    let size = 0;
    let known = true;
    for (const f of this.files.values()) {
      sum += f.loaded;
      if (f.total === undefined) known = false;
      else size += f.total;
    }
    if (known && size > 0) {
      this.progress.value = sum / size;
      this.progressText.textContent = `Downloading MNIST: ${(sum / 1e6).toFixed(1)} of ${(size / 1e6).toFixed(1)} MB`;
    } else {
      this.progress.removeAttribute('value');
      this.progressText.textContent = `Downloading MNIST: ${(sum / 1e6).toFixed(1)} MB`;
    }
  }

  /** MNIST is in the worker: says how many images and from where, and enables the buttons. */
  showDataset(train: number, test: number, label: string): void {
    this.progress.value = 1;
    this.progressText.textContent = `${train.toLocaleString('en')} training and ${test.toLocaleString('en')} test images.`;
    this.sourceText.textContent = `MNIST from ${label}`;
    this.trainBtn.disabled = false;
    this.resetBtn.disabled = false;
    this.modelFiles.enable();
  }

  /** Shows the step alone (a diverged run's stats show nothing else). */
  showStep(step: number): void {
    this.stats.step.v.textContent = String(step);
  }

  /** Shows a training stats message's epoch, speed and training accuracy. */
  showTrain(m: StatsMessage): void {
    this.stats.epoch.v.textContent = String(m.epoch);
    this.stats.speed.v.textContent = fmtCount(m.imagesPerSec);
    this.stats.trainAcc.v.textContent = `${(m.trainAcc * 100).toFixed(1)}%`;
  }

  /** Shows a test evaluation's accuracy (and its step). */
  showTest(step: number, testAcc: number): void {
    this.stats.testAcc.v.textContent = `${(testAcc * 100).toFixed(1)}%`;
    this.stats.step.v.textContent = String(step);
  }

  /** Dashes in every statistic (a new or loaded model). */
  clearStats(): void {
    for (const s of Object.values(this.stats)) s.v.textContent = '–';
  }

  /** Labels the Train button for the worker's state. */
  setPlaying(playing: boolean): void {
    this.trainBtn.textContent = playing ? 'Pause' : 'Train';
  }

  /** Says which model file was loaded, and for which architecture. */
  showLoaded(name: string, arch: ArchName): void {
    this.modelFiles.note.textContent = `Loaded ${name} (${ARCH_LABELS[arch]}).`;
  }
}
