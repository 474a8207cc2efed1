import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linear, loadFile, saveFile } from '@tessera/nn';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tessera-savefile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('saveFile argument order', () => {
  it("detects PyTorch's (model, path) order and says how to write it", async () => {
    const model = new Linear(2, 3);
    const path = join(dir, 'm.safetensors');
    await expect(saveFile(model as never, path as never)).rejects.toThrow(
      `saveFile: the arguments are (path, model): got the model first and the path '${path}' second; write saveFile('${path}', model)`,
    );
    await expect(saveFile(3 as never, model)).rejects.toThrow('saveFile: path must be a string, got number');
    await saveFile(path, model);
    expect(Object.keys(await loadFile(path)).sort()).toEqual(['bias', 'weight']);
  });
});
