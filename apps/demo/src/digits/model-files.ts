import { button } from '../lib/controls.js';
import { h, uniqueId } from '../lib/dom.js';

/**
 * The Digits page's model files: a Save button (the worker answers with the safetensors Blob,
 * which `download` offers to the browser), a Download ONNX button (the same, as an ONNX file for
 * ONNX Runtime) and a Load button (a file input styled as a button,
 * reachable with the keyboard), with a line saying what was saved or loaded.
 */
export class ModelFiles {
  /** The buttons' row. */
  readonly row: HTMLElement;
  /** What was saved or loaded. */
  readonly note = h('p', { class: 'hint', 'aria-live': 'polite' });
  private readonly saveBtn: HTMLButtonElement;
  private readonly onnxBtn: HTMLButtonElement;

  constructor(save: () => void, exportOnnx: () => void, load: (bytes: Uint8Array, name: string) => void) {
    this.saveBtn = button('Save model', save, { 'data-action': 'save', disabled: true });
    this.onnxBtn = button('Download ONNX', exportOnnx, { 'data-action': 'export-onnx', disabled: true });
    const fileId = uniqueId('file');
    const input = h('input', {
      id: fileId,
      type: 'file',
      accept: '.safetensors,application/octet-stream',
      class: 'visually-hidden',
      'data-control': 'load-model',
    });
    const label = h(
      'label',
      { for: fileId, class: 'file-button', role: 'button', tabindex: 0 },
      'Load model…',
    );
    label.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        input.click();
      }
    });
    input.addEventListener('change', async () => {
      const f = input.files?.[0];
      if (!f) return;
      load(new Uint8Array(await f.arrayBuffer()), f.name);
      input.value = '';
    });
    this.row = h('div', { class: 'row' }, this.saveBtn, this.onnxBtn, label, input);
  }

  /** Enables Save and Download ONNX (there is a model to save). */
  enable(): void {
    this.saveBtn.disabled = false;
    this.onnxBtn.disabled = false;
  }

  /** Offers a saved model to the browser as a download named `name`. */
  download(blob: Blob, name: string): void {
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.note.textContent = `Saved ${name} (${(blob.size / 1024).toFixed(0)} KB).`;
  }
}
