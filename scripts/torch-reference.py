#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures that packages/train/test/torch-reference.test.ts compares against.

Run with Debian's python3-torch (PyTorch 1.13): /usr/bin/python3 scripts/torch-reference.py
Every case records its inputs, its outputs and, for differentiable cases, the gradient of
sum(output_i * w_i) for fixed random weights w_i with respect to each floating input. Cases run
in float64 and float32. Seeds are fixed, so the output is reproducible; CI only reads the JSON.
"""
import json
import math
import os
import sys

import numpy
import torch

torch.manual_seed(0)
GEN = torch.Generator().manual_seed(1234)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'train', 'test', 'fixtures',
                   'torch-reference-ops.json')


def enc_value(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return 'nan'
        if math.isinf(v):
            return 'inf' if v > 0 else '-inf'
        return v
    return v


def enc(t, exact=False):
    """Encodes a tensor; `exact` keeps float64 inputs at full precision."""
    if isinstance(t, bool):
        return {'shape': [], 'dtype': 'bool', 'data': [t]}
    t = t.detach()
    dtype = {torch.float64: 'float64', torch.float32: 'float32', torch.int64: 'int32', torch.int32: 'int32',
             torch.bool: 'bool'}[t.dtype]
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.float32:  # the shortest decimal that reads back as the same float32
        flat = [float(repr(numpy.float32(v))) if math.isfinite(v) else v for v in flat]
    elif t.dtype == torch.float64 and not exact:  # 13 digits: far below the 1e-10 tolerance
        flat = [float('%.13g' % v) if math.isfinite(v) else v for v in flat]
    return {'shape': list(t.shape), 'dtype': dtype, 'data': [enc_value(v) for v in flat]}


def sample(kind, shape, dtype):
    return short(sample_raw(kind, shape), dtype)


def short(x, dtype):
    """Rounds float64 samples to 4 decimals (short fixtures), then converts to `dtype`."""
    return (torch.round(x * 1e4) / 1e4).to(dtype)


def sample_raw(kind, shape):
    dtype = torch.float64
    if kind == 'randn':
        return torch.randn(shape, generator=GEN, dtype=torch.float64).to(dtype)
    if kind == 'unit':  # (-0.9, 0.9)
        return (torch.rand(shape, generator=GEN, dtype=torch.float64) * 1.8 - 0.9).to(dtype)
    if kind == 'pos':  # (0.2, 3)
        return (torch.rand(shape, generator=GEN, dtype=torch.float64) * 2.8 + 0.2).to(dtype)
    if kind == 'gt1':  # (1.1, 4)
        return (torch.rand(shape, generator=GEN, dtype=torch.float64) * 2.9 + 1.1).to(dtype)
    if kind == 'offint':  # k + 0.25 .. k + 0.75: away from rounding jumps
        k = torch.randint(-3, 3, shape, generator=GEN).to(torch.float64)
        return (k + 0.25 + 0.5 * torch.rand(shape, generator=GEN, dtype=torch.float64)).to(dtype)
    raise ValueError(kind)


CASES = []


def case(name, fn, inputs, grad=True, dtypes=('float64', 'float32'), kwargs=None):
    """inputs: list of (kind, shape) for sampled floats, or ('data', values, dtype|None)."""
    kwargs = kwargs or {}
    for dt in dtypes:
        tdt = getattr(torch, dt)
        xs = []
        consts = []
        for spec in inputs:
            consts.append(spec[0] == 'const')
            if spec[0] == 'const':  # sampled like spec[1:], but never differentiated
                spec = spec[1:]
            if spec[0] == 'data':
                values, fixed = spec[1], spec[2] if len(spec) > 2 else None
                if fixed == 'int32':
                    xs.append(torch.tensor(values, dtype=torch.int64))
                elif fixed == 'bool':
                    xs.append(torch.tensor(values, dtype=torch.bool))
                else:
                    xs.append(torch.tensor(values, dtype=tdt))
            else:
                xs.append(sample(spec[0], spec[1], tdt))
        diff = [x.is_floating_point() and not c for x, c in zip(xs, consts)]
        leaves = [x.clone().requires_grad_(grad and d) for x, d in zip(xs, diff)]
        out = fn(*leaves, **kwargs)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        entry = {
            'name': name,
            'dtype': dt,
            'kwargs': kwargs,
            'inputs': [dict(enc(x, exact=True), **({'const': True} if c else {})) for x, c in zip(xs, consts)],
            'outputs': [enc(o) for o in outs],
        }
        if grad:
            ws = []
            total = 0
            for o in outs:
                if isinstance(o, torch.Tensor) and o.is_floating_point() and o.requires_grad:
                    w = short(torch.randn(o.shape, generator=GEN, dtype=torch.float64), o.dtype)
                    ws.append(enc(w, exact=True))
                    total = total + (o * w).sum()
                else:
                    ws.append(None)
            wrt = [x for x, d in zip(leaves, diff) if d]
            gs = torch.autograd.grad(total, wrt, allow_unused=True)
            it = iter(gs)
            grads = []
            for x, d in zip(leaves, diff):
                g = next(it) if d else None
                grads.append(enc(g if g is not None else torch.zeros_like(x)) if d else None)
            entry['weights'] = ws
            entry['grads'] = grads
        CASES.append(entry)


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch_reference_cases  # noqa: E402  (the case list, kept in its own file)

    import torch_reference_cases_modules  # noqa: E402
    import torch_reference_cases_nn  # noqa: E402

    torch_reference_cases.define(case, torch)
    torch_reference_cases.define_more(case, torch)
    torch_reference_cases_nn.define(case, torch)
    torch_reference_cases_nn.define_modules(case, torch)
    torch_reference_cases_modules.define(case, torch)
    torch_reference_cases_modules.define_ops(case, torch)
    torch_reference_cases_modules.define_new_layers(case, torch)
    torch_reference_cases_modules.define_averaged(case, torch)
    with open(OUT, 'w') as f:
        json.dump({'generator': 'scripts/torch-reference.py', 'torch': torch.__version__, 'cases': CASES}, f,
                  separators=(',', ':'))
        f.write('\n')
    print(f'{len(CASES)} cases -> {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
