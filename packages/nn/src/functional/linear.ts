import type { Tensor } from '@tessera/tensor';
import { checkTensor, fmt } from './util.js';

/**
 * y = x W^T + b (PyTorch's F.linear): x [..., in], weight [out, in], bias [out] (optional).
 * One matmul against a transposed view of the weight (no copy).
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'linear';
  checkTensor(op, x);
  checkTensor(op, weight, 'weight');
  if (weight.ndim !== 2)
    throw new RangeError(`${op}: weight must be 2-D [out, in], got shape ${fmt(weight.shape)}`);
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new RangeError(
      `${op}: input shape ${fmt(x.shape)} and weight shape ${fmt(weight.shape)} are incompatible (input's last dim must be ${weight.shape[1]})`,
    );
  }
  if (bias !== undefined && bias !== null) {
    checkTensor(op, bias, 'bias');
    if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) {
      throw new RangeError(`${op}: bias must have shape [${weight.shape[0]}], got ${fmt(bias.shape)}`);
    }
  }
  const wt = weight.mT;
  const y = x.ndim === 1 ? x.unsqueeze(0).matmul(wt).squeeze(0) : x.matmul(wt);
  wt.dispose();
  if (bias === undefined || bias === null) return y;
  // The product is a temporary nothing else sees (autograd's add keeps neither operand): freeing
  // it now lets the next allocation of its size reuse the memory.
  const r = y.add(bias);
  y.dispose();
  return r;
}

/**
 * y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o] (PyTorch's F.bilinear):
 * x1 [..., in1], x2 [..., in2], weight [out, in1, in2], bias [out] (optional).
 */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'bilinear';
  checkTensor(op, x1, 'input1');
  checkTensor(op, x2, 'input2');
  checkTensor(op, weight, 'weight');
  if (weight.ndim !== 3)
    throw new RangeError(`${op}: weight must be 3-D [out, in1, in2], got shape ${fmt(weight.shape)}`);
  const [out, in1, in2] = weight.shape as [number, number, number];
  const lead = x1.shape.slice(0, -1);
  if (x1.ndim === 0 || x1.shape[x1.ndim - 1] !== in1 || x2.ndim === 0 || x2.shape[x2.ndim - 1] !== in2) {
    throw new RangeError(
      `${op}: input1 ${fmt(x1.shape)} and input2 ${fmt(x2.shape)} must end in ${in1} and ${in2} for weight ${fmt(weight.shape)}`,
    );
  }
  if (x2.ndim !== x1.ndim || x2.shape.slice(0, -1).some((d, i) => d !== lead[i])) {
    throw new RangeError(
      `${op}: input1 ${fmt(x1.shape)} and input2 ${fmt(x2.shape)} must have the same leading dims`,
    );
  }
  if (bias !== undefined && bias !== null) {
    checkTensor(op, bias, 'bias');
    if (bias.ndim !== 1 || bias.shape[0] !== out)
      throw new RangeError(`${op}: bias must have shape [${out}], got ${fmt(bias.shape)}`);
  }
  const a = x1.reshape(-1, in1); // [N, in1]
  const b = x2.reshape(-1, in2); // [N, in2]
  // [N, in1] x [in1, out*in2] -> [N, out, in2], then contract in2 with x2.
  const t = a.matmul(weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2);
  let y = t.matmul(b.unsqueeze(2)).squeeze(2); // [N, out]
  if (bias !== undefined && bias !== null) y = y.add(bias);
  return y.reshape([...lead, out]);
}
