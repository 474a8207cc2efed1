// saveFile / loadFile load node:fs/promises only on first use (so browser bundles never see it)
// and, outside Node, say what to use there instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linear, loadFile, saveFile } from '@tessera/nn';
import { describe, expect, it } from 'vitest';
import { withoutNode } from '../../../tests/repo/without-node.js';

describe('safetensors file helpers', () => {
  it('round-trip a state dict through a file in Node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-nn-node-'));
    try {
      const model = new Linear(2, 3);
      await saveFile(join(dir, 'm.safetensors'), model);
      const back = await loadFile(join(dir, 'm.safetensors'));
      expect(Object.keys(back).sort()).toEqual(['bias', 'weight']);
      expect(Array.from(back.weight!.dataSync())).toEqual(Array.from(model.weight.dataSync()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('outside Node: name the browser alternative', async () => {
    const saved = withoutNode(() => saveFile('m.safetensors', new Linear(2, 3)));
    await expect(saved).rejects.toThrow(
      "saveFile needs Node's file system; in the browser use saveAsync(model) and download the bytes (toBlob)",
    );
    const loaded = withoutNode(() => loadFile('m.safetensors'));
    await expect(loaded).rejects.toThrow(
      "loadFile needs Node's file system; in the browser fetch or read the file into bytes and call load(bytes)",
    );
  });
});
