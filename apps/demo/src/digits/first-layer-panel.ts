import { button, panel } from '../lib/controls.js';
import { h, uniqueId } from '../lib/dom.js';
import type { InspectionMessage } from './protocol.js';
import { drawGray, drawTiles } from './views.js';

/**
 * The Digits page's "Inside the first layer" panel: a test image (by index, or the drawing), the
 * first layer's filters (or an MLP's first-layer weights as images) and its activation maps.
 * `inspect` asks the worker for the inspection of test image `index`.
 */
export class FirstLayerPanel {
  readonly root: HTMLElement;
  private readonly filters = h('div', { class: 'filters', 'data-testid': 'filters' });
  private readonly maps = h('div', { class: 'filters', 'data-testid': 'maps' });
  private readonly input = h('canvas', {
    width: 28,
    height: 28,
    style: 'width:56px;height:56px;image-rendering:pixelated;border:1px solid #dde2e8',
    'aria-label': 'The inspected input',
    role: 'img',
  });
  private readonly inputText = h('span', { class: 'hint' });
  private readonly filterTitle = h('h3', {}, 'First-layer filters');
  private readonly mapsTitle = h('h3', {}, 'Activation maps for this input');

  constructor(inspect: (index: number) => void) {
    const indexId = uniqueId('idx');
    const index = h('input', { id: indexId, type: 'number', min: 0, value: 0, style: 'width:90px' });
    index.addEventListener('change', () => inspect(Number(index.value) || 0));
    const random = button('Random test image', () => {
      index.value = String(Math.floor(Math.random() * 2000));
      inspect(Number(index.value));
    });
    this.root = panel(
      'Inside the first layer',
      h(
        'div',
        { class: 'row' },
        h('div', { class: 'field', style: 'margin:0' }, h('label', { for: indexId }, 'Test image #'), index),
        random,
        this.input,
        this.inputText,
      ),
      this.filterTitle,
      this.filters,
      this.mapsTitle,
      this.maps,
    );
  }

  /** Draws an inspection from the worker. */
  show(m: InspectionMessage): void {
    drawGray(this.input, m.image, 28, 28);
    this.inputText.textContent = m.label === null ? 'your drawing' : `label ${m.label}`;
    const conv = m.filterShape[1] < 28;
    this.filterTitle.textContent = conv
      ? `First-layer filters (${m.filterShape[0]} kernels, ${m.filterShape[1]}x${m.filterShape[2]})`
      : `First-layer weights of ${m.filterShape[0]} hidden units (as 28x28 images)`;
    drawTiles(this.filters, m.filters, m.filterShape, {
      signed: true,
      size: conv ? 44 : 56,
      label: 'Filter',
    });
    this.mapsTitle.textContent = conv
      ? 'Activation maps for this input'
      : `Activations of the ${m.maps.length} hidden units for this input`;
    // Even rows in the panel: 6 maps (LeNet-5) three to a row, 8 (small CNN) four.
    const perRow = m.mapShape[0] <= 6 ? 3 : 4;
    this.maps.style.display = conv ? 'grid' : '';
    this.maps.style.gridTemplateColumns = conv ? `repeat(${perRow}, max-content)` : '';
    drawTiles(this.maps, m.maps, m.mapShape, {
      signed: false,
      size: conv ? (perRow === 3 ? 104 : 78) : 320,
      label: conv ? 'Activation map' : 'Hidden units',
    });
  }
}
