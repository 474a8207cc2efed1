import { describe, expect, it } from 'vitest';
import { filterDawnLimitWarnings, withoutDawnLimitWarnings } from './quiet-dawn.js';

const UNIFORM =
  'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n';
const STORAGE =
  'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n';

describe("Dawn's limit warnings are filtered from the test output", () => {
  it('drops exactly those lines and keeps everything else', () => {
    expect(withoutDawnLimitWarnings(UNIFORM + STORAGE)).toBe('');
    expect(withoutDawnLimitWarnings(`before\n${UNIFORM}after\n${STORAGE}`)).toBe('before\nafter\n');
    // Other warnings, and a mention inside another line, stay.
    const other =
      'Warning: something else artificially reduced\nnote: maxDynamicUniformBuffersPerPipelineLayout\n';
    expect(withoutDawnLimitWarnings(other)).toBe(other);
  });

  it('wraps a stream: filtered chunks keep their callback, others pass through untouched', async () => {
    const written: unknown[] = [];
    const stream = {
      write(chunk: unknown, ...rest: unknown[]) {
        written.push(chunk);
        const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        cb?.();
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const restore = filterDawnLimitWarnings(stream);
    const bytes = Buffer.from('plain bytes\n');
    stream.write(bytes);
    stream.write(Buffer.from(UNIFORM + STORAGE));
    stream.write(`test output\n${UNIFORM}`);
    const called = await new Promise<boolean>((resolve) => stream.write(STORAGE, () => resolve(true)));
    expect(called).toBe(true);
    expect(written).toEqual([bytes, 'test output\n']);
    expect(written[0]).toBe(bytes);
    restore();
    stream.write(UNIFORM);
    expect(written.at(-1)).toBe(UNIFORM);
  });
});
