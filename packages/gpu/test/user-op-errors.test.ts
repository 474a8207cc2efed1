import '@tessera/autograd';
import { Embedding, F } from '@tessera/nn';
import { div, oneHot, scatterReduce, tensor, withOpContext, zeros } from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { gpuBackend } from './helpers.js';

// Errors found by GPU-side checks arrive at the next read; they must name the op the user
// called (recorded with each checking dispatch), not the internal gather / indexSelect / div.
describeIfAvailable('webgpu', 'GPU-side checks name the user-level op and its shapes', () => {
  beforeAll(async () => {
    await gpuBackend();
  });

  it('crossEntropy with an out-of-range class index names crossEntropy, input and target shapes', async () => {
    const input = zeros([4, 10], { device: 'webgpu' });
    const target = tensor([1, 12, 3, 0]).to('webgpu');
    const loss = F.crossEntropy(input, target);
    await expect(loss.data()).rejects.toThrow(
      'crossEntropy: index 12 is out of range for dim 1 of size 10 (valid range 0..9) in its internal gather (input [4,10], target [4]); found on the GPU, reported at the next read',
    );
    // Reported once: a valid call afterwards reads back normally.
    const ok = F.crossEntropy(input, tensor([1, 2, 3, 0]).to('webgpu'));
    expect((await ok.data())[0]).toBeCloseTo(Math.log(10), 5);
  });

  it('nllLoss names nllLoss; a negative index is caught as well', async () => {
    const logp = zeros([2, 3, 5], { device: 'webgpu' });
    const target = tensor([
      [0, 1, 2, 0, 1],
      [0, -2, 0, 0, 0],
    ]).to('webgpu');
    await expect(F.nllLoss(logp, target, { reduction: 'none' }).data()).rejects.toThrow(
      /^nllLoss: index -2 is out of range for dim 1 of size 3 .* in its internal gather \(input \[2,3,5\], target \[2,5\]\)/,
    );
  });

  it('embedding (functional and the layer) with an out-of-range index names embedding and its shapes', async () => {
    const weight = zeros([10, 4], { device: 'webgpu' });
    const indices = tensor([
      [1, 2, 3],
      [4, 11, 0],
    ]).to('webgpu');
    await expect(F.embedding(indices, weight).data()).rejects.toThrow(
      'embedding: index 11 is out of range for dim 0 of size 10 (valid range 0..9) in its internal indexSelect (indices [2,3], weight [10,4])',
    );
    const layer = new Embedding(10, 4).to('webgpu');
    await expect(layer.forward(indices).data()).rejects.toThrow(
      /^embedding: index 11 is out of range .* in its internal indexSelect \(indices \[2,3\], weight \[10,4\]\)/,
    );
  });

  it('a tensor composite (scatterReduce) names itself around its internal scatterAdd', async () => {
    const x = zeros([3, 2], { device: 'webgpu' });
    const index = tensor([[0, 5]]).to('webgpu');
    const src = zeros([1, 2], { device: 'webgpu' }).add(1);
    await expect(scatterReduce(x, 0, index, src, 'sum').data()).rejects.toThrow(
      /^scatterReduce: index 5 is out of range for dim 0 of size 3 .* in its internal scatterAdd \(x \[3,2\], index \[1,2\], src \[1,2\]\)/,
    );
  });

  it('oneHot with a class index out of range (numClasses given) is reported under oneHot, not left as zeros', async () => {
    const indices = tensor([0, 3, 1]).to('webgpu');
    await expect(oneHot(indices, 3).data()).rejects.toThrow(
      /^oneHot: index 3 is out of range for dim 1 of size 3 \(valid range 0\.\.2\) in its internal scatter \(indices \[3\]\)/,
    );
    const ok = oneHot(tensor([2, 0]).to('webgpu'), 3);
    expect(Array.from(await ok.data())).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('an integer division by zero inside a user-level op names that op and its shapes', async () => {
    const a = tensor([7, 8, 9]).to('webgpu');
    const b = tensor([1, 2, 0]).to('webgpu');
    const halves = withOpContext('bucketize', { values: a, widths: b }, () => div(a, b, 'floor'));
    await expect(halves.data()).rejects.toThrow(
      'bucketize: integer division by zero (the divisor of output element 2, in flat order, is 0) in its internal div (values [3], widths [3]); found on the GPU',
    );
  });

  it('the first failing dispatch is named, and checks outside any user op name the internal op', async () => {
    const input = zeros([2, 3], { device: 'webgpu' });
    const weight = zeros([5, 2], { device: 'webgpu' });
    // Both fail before one read: the earlier dispatch (embedding) is the one reported.
    const e = F.embedding(tensor([9]).to('webgpu'), weight);
    const l = F.crossEntropy(input, tensor([0, 4]).to('webgpu'));
    await expect(l.data()).rejects.toThrow(/^embedding: index 9 .* \(indices \[1\], weight \[5,2\]\)/);
    e.dispose();
    const plain = div(tensor([1, 2]).to('webgpu'), tensor([0, 1]).to('webgpu'), 'trunc');
    await expect(plain.data()).rejects.toThrow(
      /^div: integer division by zero \(the divisor of output element 0/,
    );
  });
});
