import { BatchNorm2d, Conv2d, Identity, Module, ReLU, Sequential } from '@tessera/nn';
import type { Tensor } from '@tessera/tensor';

/**
 * The basic block of He et al. (2016): conv 3x3 - BatchNorm - ReLU - conv 3x3 - BatchNorm, plus
 * the input (the skip connection), then ReLU. When the block changes the width or the stride,
 * the skip is a 1x1 convolution with BatchNorm so the shapes match. With `skip` false it is the
 * same two convolutions without the addition: the "plain" network of the paper.
 */
export class BasicBlock extends Module {
  body: Sequential;
  shortcut: Module;
  relu: ReLU;
  skip: boolean;

  constructor(inChannels: number, outChannels: number, opts: { stride?: number; skip?: boolean } = {}) {
    super();
    const stride = opts.stride ?? 1;
    this.skip = opts.skip ?? true;
    this.body = new Sequential(
      new Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false }),
      new BatchNorm2d(outChannels),
      new ReLU(),
      new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false }),
      new BatchNorm2d(outChannels),
    );
    const project = stride !== 1 || inChannels !== outChannels;
    this.shortcut =
      this.skip && project
        ? new Sequential(
            new Conv2d(inChannels, outChannels, 1, { stride, bias: false }),
            new BatchNorm2d(outChannels),
          )
        : new Identity();
    this.relu = new ReLU();
  }

  /** [N, in, H, W] -> [N, out, H / stride, W / stride]. */
  forward(x: Tensor): Tensor {
    const y = this.body.call(x);
    return this.relu.call(this.skip ? y.add(this.shortcut.call(x) as Tensor) : y);
  }
}

/**
 * Stages of basic blocks: `blocks` blocks per entry of `widths`, the first block of every stage
 * after the first halving the resolution. Returns the blocks in order.
 */
export function residualStages(
  inChannels: number,
  widths: readonly number[],
  blocks: number,
  skip: boolean,
): BasicBlock[] {
  const out: BasicBlock[] = [];
  let c = inChannels;
  widths.forEach((w, stage) => {
    for (let b = 0; b < blocks; b++) {
      out.push(new BasicBlock(c, w, { stride: stage > 0 && b === 0 ? 2 : 1, skip }));
      c = w;
    }
  });
  return out;
}
