import type { Tensor } from '@tessera/tensor';
import type { Node } from './node.js';
import { fmt } from './util.js';

/**
 * Anomaly mode's check of one computed gradient: throws, naming the forward op and where it was
 * called, if the gradient holds NaN or Inf. Reads the values synchronously (CPU backend).
 */
export function checkFinite(node: Node, input: number, g: Tensor): void {
  const data = g.dataSync();
  for (let k = 0; k < data.length; k++) {
    const v = data[k]!;
    if (!Number.isFinite(v)) {
      const what = Number.isNaN(v) ? 'NaN' : 'Inf';
      const where =
        node.stack === undefined ? '' : `\nThe forward op was called at:\n${trimStack(node.stack)}`;
      throw new Error(
        `autograd anomaly: ${node.name} (forward op '${node.op}') produced ${what} in the gradient of its input ${input} ` +
          `(shape ${fmt(g.shape)}, first at flat index ${k})${where}`,
      );
    }
  }
}

/** Drops the first line ("Error: forward call") and autograd's own frames from a stack trace. */
function trimStack(stack: string): string {
  return stack
    .split('\n')
    .slice(1)
    .filter(
      (l) =>
        !/[\\/](autograd[\\/](src|dist)[\\/](record|observer|function|checkpoint)|tensor[\\/](src|dist)[\\/]dispatch)\.[jt]s/.test(
          l,
        ),
    )
    .join('\n');
}
