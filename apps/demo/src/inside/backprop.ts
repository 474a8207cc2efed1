import { noGrad } from '@tessera/autograd';
import { SGD } from '@tessera/optim';
import { type Tensor, tensor } from '@tessera/tensor';
import type { BackpropTrace, Pair, TinyNetParams } from './tiny-net.js';

async function values(t: Tensor): Promise<number[]> {
  return Array.from((await t.data()) as ArrayLike<number>);
}

const pair = (a: number[], at = 0): Pair => [a[at]!, a[at + 1]!];

/**
 * Runs the tiny network forward and backward with Tessera's autograd (retaining the gradients of
 * the intermediate values) and one step of @tessera/optim's SGD, and returns every number the
 * step-through shows.
 */
export async function traceBackprop(p: TinyNetParams): Promise<BackpropTrace> {
  const x = tensor([p.x]);
  const W = tensor(p.w, { requiresGrad: true });
  const b = tensor(p.b, { requiresGrad: true });
  const V = tensor([p.v], { requiresGrad: true });
  const c = tensor([p.c], { requiresGrad: true });
  const forward = () => {
    const z = x.matmul(W.T).add(b);
    const h = z.sigmoid();
    const zo = h.matmul(V.T).add(c);
    const y = zo.sigmoid();
    const loss = y.sub(p.target).square().mul(0.5).sum();
    return { z, h, zo, y, loss };
  };
  const f = forward();
  for (const t of [f.z, f.h, f.zo, f.y]) t.retainGrad();
  f.loss.backward();
  const [z, h, zo, y, loss] = await Promise.all([f.z, f.h, f.zo, f.y, f.loss].map(values));
  const [dz, dh, dzo, dy] = await Promise.all([f.z, f.h, f.zo, f.y].map((t) => values(t.grad!)));
  const [dw, db, dv, dc] = await Promise.all([W, b, V, c].map((t) => values(t.grad!)));
  new SGD([W, b, V, c], { lr: p.lr }).step();
  const after = noGrad(() => forward().loss);
  const [nw, nb, nv, nc] = await Promise.all([W, b, V, c].map(values));
  return {
    params: p,
    z: pair(z!),
    h: pair(h!),
    zo: zo![0]!,
    y: y![0]!,
    loss: loss![0]!,
    dy: dy![0]!,
    dzo: dzo![0]!,
    dh: pair(dh!),
    dz: pair(dz!),
    dw: [pair(dw!), pair(dw!, 2)],
    db: pair(db!),
    dv: pair(dv!),
    dc: dc![0]!,
    next: { ...p, w: [pair(nw!), pair(nw!, 2)], b: pair(nb!), v: pair(nv!), c: nc![0]! },
    lossAfter: (await values(after))[0]!,
  };
}
