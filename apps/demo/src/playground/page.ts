import { chosenBackend } from '../lib/backend-switch.js';
import { panel } from '../lib/controls.js';
import { DivergenceNotice } from '../lib/divergence.js';
import { h } from '../lib/dom.js';
import { PageWorker, reportError, showBackend } from '../lib/page-worker.js';
import { currentRoute, replaceParams } from '../lib/url.js';
import type { Page } from '../main.js';
import { DataPanel } from './data-panel.js';
import { NetworkView } from './network-view.js';
import { OutputPanel } from './output-panel.js';
import type { FromWorker, SnapshotMessage, ToWorker } from './protocol.js';
import { decodeState, encodeState, isRegression, needsReset, type PlaygroundState } from './state.js';
import { Toolbar } from './toolbar.js';

/** The page's title and lead paragraph. */
function intro(): HTMLElement[] {
  return [
    h('h1', {}, 'Playground'),
    h(
      'p',
      { class: 'lead' },
      'Train a small neural network on 2-D data and watch every neuron learn. The whole setup, seed included, is in the URL: copy it to share.',
    ),
  ];
}

/**
 * The Playground page: a small network on 2-D data, trained live in a worker. Its parts are the
 * Toolbar, the DataPanel, the NetworkView and the OutputPanel; this class keeps the state (and
 * the URL), wires the parts to the worker and draws its snapshots.
 */
class PlaygroundPage implements Page {
  private state: PlaygroundState;
  /** Ids of settings messages; snapshots from before the last rebuild are dropped. */
  private lastId = 0;
  private rebuiltAt = 0;
  private playing = false;
  /** The newest snapshot, drawn at the next animation frame (`frame`, 0 when none is requested). */
  private latest: SnapshotMessage | null = null;
  private frame = 0;
  private readonly worker: PageWorker<ToWorker, FromWorker>;
  private readonly toolbar: Toolbar;
  private readonly data: DataPanel;
  private readonly network: NetworkView;
  private readonly output = new OutputPanel();
  private readonly errorBox = h('div', { class: 'error-box', role: 'alert', hidden: true });
  private readonly divergence: DivergenceNotice;
  private readonly onKey: (e: KeyboardEvent) => void;

  constructor(private readonly root: HTMLElement) {
    this.state = decodeState(currentRoute().params);
    const worker = new PageWorker<ToWorker, FromWorker>(
      new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'playground' }),
      (m) => this.onMessage(m),
      (message) => this.showError(message),
    );
    this.worker = worker;
    const change = (patch: Partial<PlaygroundState>) => this.change(patch);
    const playPause = () => worker.send({ type: this.playing ? 'pause' : 'play' });
    this.toolbar = new Toolbar(this.state, {
      change,
      toggle: playPause,
      step: () => worker.send({ type: 'step' }),
      reset: () => worker.send({ type: 'reset', id: this.nextId(true) }),
    });
    this.data = new DataPanel(this.state, change);
    this.network = new NetworkView({
      toggleFeature: (f) => {
        const { features } = this.state;
        const has = features.includes(f);
        if (has && features.length === 1) return;
        change({ features: has ? features.filter((x) => x !== f) : [...features, f] });
      },
      setLayers: (layers) => change({ layers }),
    });
    this.divergence = new DivergenceNotice(root, () => worker.send({ type: 'pause' }), 'epoch');
    root.append(
      ...intro(),
      this.errorBox,
      this.divergence.root,
      this.toolbar.root,
      h('div', { class: 'pg-grid' }, this.data.root, panel('Network', this.network.root), this.output.root),
    );
    this.output.attach();
    this.syncControls();
    replaceParams('playground', encodeState(this.state));
    worker.send({ type: 'init', backend: chosenBackend(), state: this.state, id: this.nextId(true) });
    // Space plays and pauses when nothing else has the focus.
    this.onKey = (e: KeyboardEvent) => {
      if (e.key === ' ' && e.target === document.body) {
        e.preventDefault();
        playPause();
      }
    };
    document.addEventListener('keydown', this.onKey);
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    document.removeEventListener('keydown', this.onKey);
    this.worker.terminate();
    this.network.dispose();
    this.output.dispose();
  }

  /** A fresh settings id (also in the page's data for the tests); `rebuild` drops older snapshots. */
  private nextId(rebuild: boolean): number {
    this.lastId += 1;
    if (rebuild) this.rebuiltAt = this.lastId;
    this.root.dataset.settings = String(this.lastId);
    return this.lastId;
  }

  private showError(message: string): void {
    reportError(this.errorBox, this.root, `Training failed: ${message}`);
  }

  /** Applies a settings change: URL, controls, and the worker (rebuilding when needed). */
  private change(patch: Partial<PlaygroundState>): void {
    const next: PlaygroundState = { ...this.state, ...patch };
    const reset = needsReset(this.state, next);
    this.state = next;
    this.syncControls();
    replaceParams('playground', encodeState(next));
    if (reset) this.output.clearChart();
    this.worker.send({ type: 'config', state: next, reset, id: this.nextId(reset) });
  }

  private syncControls(): void {
    const { state } = this;
    this.toolbar.sync(state);
    this.data.sync(state);
    this.output.setRegression(isRegression(state.dataset));
    this.network.setStructure(state);
  }

  /** Records a snapshot's losses now and draws the newest snapshot at the next animation frame. */
  private onSnapshot(s: SnapshotMessage): void {
    if (s.id < this.rebuiltAt) return;
    // A NaN loss: paused with a notice, and the last finite snapshot stays on screen.
    if (this.divergence.check(s.trainLoss, s.epoch, this.state.learningRate)) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
      this.showEpoch(s.epoch);
      this.output.showDiverged();
      return;
    }
    this.output.pushLosses(s.epoch, s.trainLoss, s.testLoss);
    this.latest = s;
    if (this.frame === 0) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        if (this.latest) this.render(this.latest);
      });
    }
  }

  private showEpoch(epoch: number): void {
    this.toolbar.showEpoch(epoch);
    this.root.dataset.epoch = String(epoch);
  }

  private render(s: SnapshotMessage): void {
    const { dataset } = this.root;
    this.showEpoch(s.epoch);
    this.output.show(s.trainLoss, s.testLoss, s.output);
    dataset.snapshotSettings = String(s.id);
    dataset.trainLoss = String(s.trainLoss);
    dataset.testLoss = String(s.testLoss);
    this.network.update(s);
    dataset.snapshots = String(Number(dataset.snapshots ?? 0) + 1);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        showBackend(m.info);
        this.root.dataset.ready = 'true';
        return;
      case 'thumbs':
        this.data.drawThumbs(m);
        return;
      case 'points':
        this.output.setPoints(m);
        return;
      case 'snapshot':
        this.onSnapshot(m);
        return;
      case 'playing':
        this.playing = m.playing;
        this.toolbar.setPlaying(m.playing);
        this.root.dataset.playing = String(m.playing);
        return;
      case 'error':
        this.showError(m.message);
        return;
    }
  }
}

/** Mounts the Playground page in `root` (see PlaygroundPage). */
export function mount(root: HTMLElement): Page {
  return new PlaygroundPage(root);
}
