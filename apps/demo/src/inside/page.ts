import { chosenBackend } from '../lib/backend-switch.js';
import { panel } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { trainingFrame } from '../lib/page-frame.js';
import { PageWorker, reportError, showBackend } from '../lib/page-worker.js';
import { currentRoute, replaceParams } from '../lib/url.js';
import type { Page } from '../main.js';
import { BackpropView } from './backprop-view.js';
import { ControlsPanel } from './controls-panel.js';
import { LayersPanel } from './layers-panel.js';
import type { FromWorker, InsideConfig, StatsMessage, ToWorker } from './protocol.js';
import { decodeInside, encodeInside } from './settings.js';

/** The "Backpropagation, step by step" panel around the view of the 2-2-1 network. */
function backpropPanel(backprop: BackpropView): HTMLElement {
  const root = panel(
    'Backpropagation, step by step',
    h(
      'p',
      { class: 'hint', style: 'margin-top:0' },
      'One training step of a 2-2-1 network: the forward pass computes every value, the backward pass applies the chain rule from the loss back to every weight, then gradient descent updates the weights.',
    ),
    backprop.root,
  );
  root.style.gridColumn = '1 / -1';
  return root;
}

/**
 * The Inside page: per-layer statistics of a deep network while it trains (ControlsPanel,
 * LayersPanel), and backprop step by step (BackpropView). This function wires them to the worker.
 */
export function mount(root: HTMLElement): Page {
  let config = decodeInside(currentRoute().params);
  let playing = false;

  const worker = new PageWorker<ToWorker, FromWorker>(
    new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'inside' }),
    onMessage,
    showError,
  );

  const controls = new ControlsPanel(config, {
    change,
    toggle: () => worker.send({ type: playing ? 'pause' : 'train' }),
    reset: () => worker.send({ type: 'reset' }),
  });
  const layers = new LayersPanel();
  const backprop = new BackpropView((params) => worker.send({ type: 'backprop', params }));

  const { errorBox, divergence } = trainingFrame(
    root,
    'Inside the network',
    'What happens in each layer while a network trains: activations, gradients, dead units. And how backpropagation computes a gradient, one number at a time.',
    () => worker.send({ type: 'pause' }),
    h('div', { class: 'in-grid' }, controls.root, layers.root, backpropPanel(backprop)),
  );

  function showError(message: string): void {
    reportError(errorBox, root, message);
  }

  function change(patch: Partial<InsideConfig>): void {
    config = { ...config, ...patch };
    controls.set(config);
    replaceParams('inside', encodeInside(config));
    layers.reset(config);
    worker.send({ type: 'config', config });
  }

  function onStats(s: StatsMessage): void {
    root.dataset.step = String(s.step);
    // A NaN loss: paused with a notice; the charts keep the last finite statistics.
    if (divergence.check(s.loss, s.step, config.lr)) {
      layers.showDiverged();
      controls.showStats(s.step, null, s.accuracy);
      return;
    }
    controls.showStats(s.step, s.loss, s.accuracy);
    layers.showStarted(s.step);
    root.dataset.loss = String(s.loss);
    if (s.layers.length !== config.depth) return;
    if (s.step === 0) layers.reset(config);
    layers.push(s.step, s.layers, s.outputGradNorm);
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
        controls.setPlaying(playing);
        root.dataset.playing = String(playing);
        return;
      case 'error':
        showError(m.message);
        return;
    }
  }

  layers.reset(config);
  replaceParams('inside', encodeInside(config));
  worker.send({ type: 'init', backend: chosenBackend(), config });

  return {
    dispose() {
      worker.terminate();
      layers.destroy();
    },
  };
}
