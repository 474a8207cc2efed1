import { loadMnistInWorker } from '../digits/mnist-source.js';
import { chosenBackend } from '../lib/backend-switch.js';
import { LineChart } from '../lib/chart.js';
import { SERIES } from '../lib/colors.js';
import { panel } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { trainingFrame } from '../lib/page-frame.js';
import { PageWorker, reportError, showBackend } from '../lib/page-worker.js';
import { currentRoute, replaceParams } from '../lib/url.js';
import type { Page } from '../main.js';
import { DigitStrip } from './digit-strip.js';
import { LatentMap } from './latent-map.js';
import { type AeConfig, decodeGenerate, type FromWorker, SHOWN_DIGITS, type ToWorker } from './protocol.js';
import { trainPanel } from './train-panel.js';

function encodeGenerate(c: AeConfig): URLSearchParams {
  const p = new URLSearchParams(currentRoute().params);
  p.set('decoder', c.decoder);
  p.set('lr', String(c.lr));
  p.set('batch', String(c.batchSize));
  return p;
}

/** The Generate page: a convolutional autoencoder with a 2-D code, trained on MNIST in a worker. */
export function mount(root: HTMLElement): Page {
  let config = decodeGenerate(currentRoute().params);
  let playing = false;
  let decodeId = 0;
  const worker = new PageWorker<ToWorker, FromWorker>(
    new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'generate' }),
    onMessage,
    (message) => reportError(errorBox, root, message),
  );

  const tp = trainPanel(
    config,
    change,
    () => worker.send({ type: playing ? 'pause' : 'train' }),
    () => worker.send({ type: 'reset' }),
  );
  const { source: sourceText, progress: progressText, trainBtn, resetBtn, step: stepText, lossEl } = tp;

  const strip = new DigitStrip(SHOWN_DIGITS);
  const reconPanel = panel(
    'Reconstructions (test digits)',
    strip.canvas,
    h('p', { class: 'hint' }, 'Top: test digits. Below: what the autoencoder makes of their 2-D codes.'),
  );
  reconPanel.classList.add('wide');

  /** Asks for the decoded image of (x, y); only the answer to the latest request is drawn. */
  function decode(x: number, y: number): void {
    decodeId += 1;
    root.dataset.decodeId = String(decodeId);
    worker.send({ type: 'decode', id: decodeId, x, y });
  }
  const map = new LatentMap(decode);
  const codeText = h('p', { class: 'hint', 'data-testid': 'ae-code' }, 'Click or drag on the map.');
  const mapPanel = panel(
    'Latent space',
    h('div', { class: 'ae-map-row' }, map.canvas, h('div', {}, map.decoded, codeText)),
    map.legend(),
  );
  mapPanel.classList.add('wide');

  const { errorBox, divergence } = trainingFrame(
    root,
    'Generate',
    'A convolutional autoencoder squeezes each MNIST digit into two numbers and draws it back from them. Train it, then move across its 2-D code space to see the digits it can generate.',
    () => worker.send({ type: 'pause' }),
    h('div', { class: 'dg-grid' }, tp.root, reconPanel, mapPanel),
  );
  const lossChart = new LineChart(lossEl, {
    xLabel: 'step',
    height: 150,
    empty: 'Press Train: the loss appears here.',
    series: [{ label: 'train loss (BCE per pixel)', color: SERIES[1]! }],
  });

  function change(patch: Partial<AeConfig>): void {
    config = { ...config, ...patch };
    replaceParams('generate', encodeGenerate(config));
    lossChart.clear();
    worker.send({ type: 'config', config });
  }

  function onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        showBackend(m.info);
        root.dataset.ready = 'true';
        loadMnistInWorker(sourceText, (m) => worker.send(m));
        return;
      case 'progress':
        progressText.textContent = m.cached
          ? 'MNIST loaded from the browser cache.'
          : `Downloading MNIST: ${(m.loaded / 1e6).toFixed(1)} MB`;
        return;
      case 'dataset':
        progressText.textContent = `${m.train.toLocaleString('en')} training and ${m.test.toLocaleString('en')} test images.`;
        sourceText.textContent = `MNIST from ${m.label}`;
        trainBtn.disabled = false;
        resetBtn.disabled = false;
        root.dataset.dataset = 'ready';
        return;
      case 'stats':
        if (divergence.check(m.loss, m.step, config.lr)) return;
        stepText.textContent = `Step ${m.step} · epoch ${m.epoch} · loss ${m.loss.toFixed(4)}`;
        lossChart.push(m.step, m.loss);
        root.dataset.step = String(m.step);
        root.dataset.loss = String(m.loss);
        // The first loss reported (the tests compare later ones with it).
        root.dataset.firstLoss ??= String(m.loss);
        return;
      case 'recon':
        if (m.step === 0) {
          lossChart.clear();
          stepText.textContent = 'Step 0';
          delete root.dataset.firstLoss;
        }
        strip.show(m.originals, m.recons);
        root.dataset.reconStep = String(m.step);
        root.dataset.recons = String(strip.draws);
        return;
      case 'codes':
        map.setCodes(m.codes, m.labels);
        root.dataset.codesStep = String(m.step);
        // The decoded image follows the model: decode the picked point again.
        decode(...map.code());
        return;
      case 'decoded':
        if (m.id !== decodeId) return;
        map.showDecoded(m.pixels);
        codeText.textContent = `Code (${m.x.toFixed(2)}, ${m.y.toFixed(2)})`;
        root.dataset.decoded = String(Number(root.dataset.decoded ?? 0) + 1);
        root.dataset.decodedId = String(m.id);
        return;
      case 'playing':
        playing = m.playing;
        trainBtn.textContent = playing ? 'Pause' : 'Train';
        root.dataset.playing = String(playing);
        return;
      case 'error':
        reportError(errorBox, root, m.message);
        return;
    }
  }

  replaceParams('generate', encodeGenerate(config));
  worker.send({ type: 'init', backend: chosenBackend(), config });

  return {
    dispose() {
      worker.terminate();
      lossChart.destroy();
    },
  };
}
