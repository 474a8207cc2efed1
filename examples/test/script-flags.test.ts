// Flags only one example takes (dcgan-mnist's --spectral-norm and --condition), on the script's
// command line and on tessera-train's.
import { describe, expect, it } from 'vitest';
import { exampleIn, runCli, usage } from '../src/cli.js';
import { type DcganOptions, main, scriptFlags } from '../src/dcgan-mnist.js';
import { runScript } from '../src/lib/run.js';

/** Collects what a command prints. */
function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('dcgan-mnist script flags', () => {
  it('takes --condition (both spellings) and --spectral-norm off the command line', async () => {
    const a = scriptFlags.apply(['--condition', 'labels', '--epochs', '2', '--spectral-norm']);
    expect(a.argv).toEqual(['--epochs', '2']);
    // The condition reaches main: with an InfoGAN code it is refused, naming the condition.
    const infoGan: DcganOptions = { codes: 10 };
    await expect(a.main(infoGan)).rejects.toThrow("codes (InfoGAN's latent code) and condition 'labels'");
    const b = scriptFlags.apply(['--condition=none', '--lr', '0.001']);
    expect(b.argv).toEqual(['--lr', '0.001']);
    expect(b.main).not.toBe(main);
    expect(scriptFlags.apply(['--epochs', '1']).main).toBe(main);
  });

  it('refuses a missing or unknown condition', () => {
    expect(() => scriptFlags.apply(['--condition', 'digits'])).toThrow(
      "--condition must be clusters, labels or none, got 'digits'",
    );
    expect(() => scriptFlags.apply(['--condition'])).toThrow(
      '--condition must be clusters, labels or none, got nothing',
    );
  });

  it('the script answers a bad condition with status 2 and lists its own flags in --help', async () => {
    const bad = collect();
    expect(await runScript('dcgan-mnist', main, ['--condition', 'x'], bad.io, scriptFlags)).toBe(2);
    expect(bad.err.join('\n')).toContain(
      "dcgan-mnist: --condition must be clusters, labels or none, got 'x'",
    );
    const help = collect();
    expect(await runScript('dcgan-mnist', main, ['--help'], help.io, scriptFlags)).toBe(0);
    expect(help.out.join('\n')).toMatch(
      /dcgan-mnist's own flags:\n {2}--spectral-norm .*\n {2}--condition <c> /,
    );
  });

  it('tessera-train passes them to dcgan-mnist only, and lists them in --help', async () => {
    const bad = collect();
    expect(await runCli(['-e', 'dcgan-mnist', '--condition', 'x'], bad.io)).toBe(2);
    expect(bad.err.join('\n')).toContain(
      "tessera-train: --condition must be clusters, labels or none, got 'x'",
    );
    const other = collect();
    expect(await runCli(['-e', 'xor', '--spectral-norm'], other.io)).toBe(2);
    expect(other.err.join('\n')).toContain('--spectral-norm');
    expect(usage()).toContain("dcgan-mnist's own flags:\n  --spectral-norm");
  });

  it('exampleIn finds --example, -e and --example= before parsing', () => {
    expect(exampleIn(['--epochs', '2', '--example', 'xor'])).toBe('xor');
    expect(exampleIn(['-e', 'spiral'])).toBe('spiral');
    expect(exampleIn(['--example=dcgan-mnist'])).toBe('dcgan-mnist');
    expect(exampleIn(['--epochs', '2'])).toBeUndefined();
  });
});
