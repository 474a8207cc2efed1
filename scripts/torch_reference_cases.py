"""The cases of scripts/torch-reference.py. Each name is also a key of the table in
packages/train/test/torch-reference-ops.ts, which runs the same call through Tessera."""

INF = float('inf')
NAN = float('nan')


def define(case, torch):
    F = torch.nn.functional
    R = ('randn', [3, 4])

    # Unary ops (new and existing).
    for name, kind in [
        ('asin', 'unit'), ('acos', 'unit'), ('atan', 'randn'), ('sinh', 'randn'), ('cosh', 'randn'),
        ('asinh', 'randn'), ('acosh', 'gt1'), ('atanh', 'unit'), ('log10', 'pos'),
        ('neg', 'randn'), ('abs', 'randn'), ('exp', 'randn'), ('exp2', 'randn'), ('log', 'pos'),
        ('log2', 'pos'), ('log1p', 'pos'), ('expm1', 'randn'), ('sqrt', 'pos'), ('rsqrt', 'pos'),
        ('square', 'randn'), ('sin', 'randn'), ('cos', 'randn'), ('tan', 'unit'), ('tanh', 'randn'),
        ('sigmoid', 'randn'), ('erf', 'randn'), ('relu', 'randn'), ('reciprocal', 'pos'),
        ('floor', 'offint'), ('ceil', 'offint'), ('round', 'offint'), ('trunc', 'offint'), ('sign', 'randn'),
    ]:
        case(name, getattr(torch, name), [(kind, [3, 4])])
    case('silu', F.silu, [R])
    case('gelu', F.gelu, [R])
    case('gelu_tanh', lambda x: F.gelu(x, approximate='tanh'), [R])
    case('elu', lambda x: F.elu(x, 1.5), [R])
    case('leaky_relu', lambda x: F.leaky_relu(x, 0.1), [R])
    case('softplus', lambda x: F.softplus(x, 2, 1.5), [R])
    special = [[0.0, 1.5, INF, -INF, NAN, -2.0, 1e308 * 10 if False else 3.0]]
    for name in ['isinf', 'isposinf', 'isneginf', 'isnan', 'isfinite']:
        case(name, getattr(torch, name), [('data', special)], grad=False)

    # Binary ops, broadcasting.
    for name in ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'atan2']:
        case(name, getattr(torch, name), [('randn', [3, 4]), ('randn', [4])])
    case('pow', torch.pow, [('pos', [3, 4]), ('randn', [3, 1])])
    case('remainder', torch.remainder, [('randn', [3, 4]), ('pos', [4])])

    # isclose / allclose.
    a = [[1.0, 1.0, INF, NAN, 0.0, 1e-9, -INF, 100.0]]
    b = [[1.0 + 1e-6, 1.1, INF, NAN, 1e-9, 0.0, INF, 100.001]]
    case('isclose', torch.isclose, [('data', a), ('data', b)], grad=False)
    case('isclose', torch.isclose, [('data', a), ('data', b)], grad=False,
         kwargs={'rtol': 1e-3, 'atol': 1e-6, 'equal_nan': True})
    case('isclose', torch.isclose, [('data', a), ('data', b)], grad=False, kwargs={'rtol': 0.0, 'atol': 0.0})
    case('allclose', torch.allclose, [('data', [1.0, 2.0]), ('data', [1.0, 2.0 + 1e-6])], grad=False)
    case('allclose', torch.allclose, [('data', [1.0, 2.0]), ('data', [1.0, 2.1])], grad=False)

    # lerp, addcmul, addcdiv.
    case('lerp', torch.lerp, [R, R], kwargs={'weight': 0.3})
    case('lerp', torch.lerp, [R, R], kwargs={'weight': 0.8})
    case('lerp_tensor', torch.lerp, [R, R, ('unit', [4])])
    case('addcmul', torch.addcmul, [R, ('randn', [4]), ('randn', [3, 1])], kwargs={'value': 0.5})
    case('addcdiv', torch.addcdiv, [R, ('randn', [3, 4]), ('pos', [4])], kwargs={'value': 2.0})

    # Structural composites.
    case('unbind', torch.unbind, [('randn', [3, 4])], kwargs={'dim': 1})
    case('movedim', torch.movedim, [('randn', [2, 3, 4])], kwargs={'source': [0, 1], 'destination': [2, 0]})
    case('movedim', torch.movedim, [('randn', [2, 3, 4])], kwargs={'source': -1, 'destination': 0})
    case('diff', torch.diff, [('randn', [3, 5])])
    case('diff', torch.diff, [('randn', [4, 3])], kwargs={'n': 2, 'dim': 0})
    case('diff_pa', lambda x, p, a: torch.diff(x, dim=1, prepend=p, append=a),
         [('randn', [3, 4]), ('randn', [3, 1]), ('randn', [3, 2])])
    case('trace', torch.trace, [('randn', [4, 4])])
    case('trace', torch.trace, [('randn', [3, 5])])
    case('diag', torch.diag, [('randn', [3])])
    case('diag', torch.diag, [('randn', [3])], kwargs={'diagonal': -1})
    case('diag', torch.diag, [('randn', [3, 4])], kwargs={'diagonal': 1})
    case('cross', torch.linalg.cross, [('randn', [4, 3]), ('randn', [1, 3])])
    case('cross', torch.linalg.cross, [('randn', [3, 2]), ('randn', [3, 2])], kwargs={'dim': 0})

    # median (continuous inputs: no ties, so indices are unambiguous).
    case('median', torch.median, [('randn', [3, 5])])
    case('median', torch.median, [('randn', [4, 6])])
    case('median_dim', torch.median, [('randn', [3, 5])], kwargs={'dim': 1})
    case('median_dim', torch.median, [('randn', [4, 6])], kwargs={'dim': 0, 'keepdim': True})
    case('median_dim', torch.median, [('data', [[1.0, NAN, 3.0, 2.0], [4.0, 0.5, 2.0, 9.0]])], grad=False,
         kwargs={'dim': 1})

    # nonzero / unique.
    case('nonzero', torch.nonzero, [('data', [[0.0, 1.5, 0.0], [NAN, 0.0, -2.0]])], grad=False)
    u = [[3.0, 1.0, 2.0, 3.0], [1.0, 5.0, 2.0, 2.0]]
    case('unique', torch.unique, [('data', u)], grad=False)
    case('unique', torch.unique, [('data', u)], grad=False, kwargs={'return_inverse': True, 'return_counts': True})
    case('unique', torch.unique, [('data', [4, 1, 4, -2], 'int32')], grad=False, dtypes=('float64',),
         kwargs={'return_counts': True})
    rows = [[1.0, 2.0, 1.0, 2.0], [0.5, 3.0, 0.5, -1.0], [1.0, 2.0, 1.0, 2.0]]
    case('unique', torch.unique, [('data', rows)], grad=False, kwargs={'dim': 0, 'return_inverse': True,
                                                                        'return_counts': True})
    case('unique', torch.unique, [('data', rows)], grad=False, kwargs={'dim': 1, 'return_inverse': True})
    case('unique', torch.unique, [('data', [[[2, 1], [2, 1]], [[0, 5], [0, 5]]], 'int32')], grad=False,
         dtypes=('float64',), kwargs={'dim': 2})

    # clamp with tensor bounds.
    case('clamp_tensor', lambda x, lo, hi: torch.clamp(x, lo, hi), [R, ('data', [-0.5, -1.0, 0.2, 0.0]),
                                                                      ('data', [[0.5], [1.0], [-2.0]])])
    case('clamp_min_tensor', lambda x, lo: torch.clamp(x, min=lo), [R, ('randn', [4])])
    case('clamp_max_tensor', lambda x, hi: torch.clamp(x, max=hi), [R, ('randn', [3, 1])])
    case('clamp', torch.clamp, [R], kwargs={'min': -0.5, 'max': 0.7})

    # scatter_reduce.
    index = [[0, 1, 0, 2], [2, 2, 1, 0]]
    for reduce in ['sum', 'prod', 'mean', 'amax', 'amin']:
        for include_self in [True, False]:
            case('scatter_reduce', lambda x, i, s, **kw: torch.scatter_reduce(x, 1, i, s, **kw),
                 [('randn', [2, 3]), ('data', index, 'int32'), ('randn', [2, 4])],
                 kwargs={'reduce': reduce, 'include_self': include_self})
    case('scatter_reduce_dim0', lambda x, i, s, **kw: torch.scatter_reduce(x, 0, i, s, **kw),
         [('randn', [3, 4]), ('data', [[0, 2], [0, 1]], 'int32'), ('randn', [2, 2])],
         kwargs={'reduce': 'amax', 'include_self': True})
    case('scatter_reduce_dim0', lambda x, i, s, **kw: torch.scatter_reduce(x, 0, i, s, **kw),
         [('randn', [3, 4]), ('data', [[0, 2], [0, 1]], 'int32'), ('randn', [2, 2])],
         kwargs={'reduce': 'prod', 'include_self': False})

    # An index smaller than the input outside dim: only that region is reduced into.
    for reduce in ['sum', 'mean', 'amax', 'amin', 'prod']:
        case('scatter_reduce', lambda x, i, s, **kw: torch.scatter_reduce(x, 1, i, s, **kw),
             [('randn', [3, 4]), ('data', [[3, 0], [1, 1]], 'int32'), ('randn', [2, 2])],
             kwargs={'reduce': reduce, 'include_self': reduce != 'prod'})
    case('scatter_reduce', lambda x, i, s, **kw: torch.scatter_reduce(x, 1, i, s, **kw),
         [('data', [[5, -3, 8], [1, 2, 3]], 'int32'), ('data', [[0, 0, 2], [1, 1, 1]], 'int32'),
          ('data', [[2, 7, -4], [4, 4, -1]], 'int32')], grad=False, dtypes=('float64',),
         kwargs={'reduce': 'mean', 'include_self': True})

    # Reductions.
    case('sum', lambda x: torch.sum(x, 1), [R])
    case('mean', lambda x: torch.mean(x, 0), [R])
    case('prod', lambda x: torch.prod(x, 1), [R])
    case('amax', lambda x: torch.amax(x, 1), [R])
    case('amin', lambda x: torch.amin(x, 0), [R])
    case('var', lambda x: torch.var(x, 1), [R])
    case('std', lambda x: torch.std(x, 0), [R])
    case('logsumexp', lambda x: torch.logsumexp(x, 1), [R])
    case('softmax', lambda x: torch.softmax(x, 1), [R])
    case('log_softmax', lambda x: torch.log_softmax(x, 0), [R])
    case('cumsum', lambda x: torch.cumsum(x, 1), [R])
    case('cumprod', lambda x: torch.cumprod(x, 1), [R])
    case('norm', lambda x: torch.norm(x), [R])

    # Linear algebra.
    case('matmul', torch.matmul, [('randn', [2, 3, 4]), ('randn', [4, 5])])
    case('mm', torch.mm, [('randn', [3, 4]), ('randn', [4, 2])])
    case('bmm', torch.bmm, [('randn', [2, 3, 4]), ('randn', [2, 4, 2])])
    case('outer', torch.outer, [('randn', [3]), ('randn', [4])])
    case('dot', torch.dot, [('randn', [5]), ('randn', [5])])

    # Shaping and indexing.
    case('cat', lambda a, b: torch.cat([a, b], 1), [('randn', [2, 3]), ('randn', [2, 2])])
    case('stack', lambda a, b: torch.stack([a, b], 1), [('randn', [2, 3]), ('randn', [2, 3])])
    case('flip', lambda x: torch.flip(x, [0, 1]), [R])
    case('roll', lambda x: torch.roll(x, 1, 1), [R])
    case('tril', torch.tril, [('randn', [4, 4])])
    case('triu', lambda x: torch.triu(x, 1), [('randn', [4, 4])])
    case('gather', lambda x, i: torch.gather(x, 1, i), [R, ('data', [[0, 3], [1, 1], [2, 0]], 'int32')])
    case('index_select', lambda x, i: torch.index_select(x, 1, i), [R, ('data', [3, 0, 3], 'int32')])
    case('where', lambda c, a, b: torch.where(c, a, b),
         [('data', [[True, False, True, False]], 'bool'), R, ('randn', [4])])


def define_more(case, torch):
    """Further existing ops: shaping, indexing, scans, sorting, padding, einsum."""
    F = torch.nn.functional
    R = ('randn', [3, 4])
    case('einsum', lambda a, b: torch.einsum('bij,bjk->bik', a, b), [('randn', [2, 3, 4]), ('randn', [2, 4, 2])])
    case('einsum_trace', lambda a: torch.einsum('ii->', a), [('randn', [3, 3])])
    case('pad_constant', lambda x: F.pad(x, [1, 2, 0, 1], value=0.5), [R])
    case('pad_reflect', lambda x: F.pad(x, [2, 1], mode='reflect'), [('randn', [2, 3, 5])])
    case('pad_replicate', lambda x: F.pad(x, [1, 2, 2, 0], mode='replicate'), [('randn', [1, 2, 3, 4])])
    case('pad_circular', lambda x: F.pad(x, [1, 2], mode='circular'), [('randn', [1, 2, 4])])
    case('sort_values', lambda x: torch.sort(x, 1, descending=True), [R])
    case('topk', lambda x: torch.topk(x, 2, 1), [R])
    case('max_dim', lambda x: torch.max(x, 1), [R])
    case('min_dim', lambda x: torch.min(x, 0, keepdim=True), [R])
    case('argmax', lambda x: torch.argmax(x, 1), [R], grad=False)
    case('repeat', lambda x: x.repeat(2, 1, 3), [('randn', [2, 3])])
    case('tile', lambda x: torch.tile(x, (2,)), [('randn', [2, 3])])
    case('split', lambda x: torch.split(x, [1, 3], 1), [R])
    case('chunk', lambda x: torch.chunk(x, 2, 0), [('randn', [4, 3])])
    case('expand', lambda x: x.expand(2, 3, 4), [('randn', [3, 1])])
    case('narrow', lambda x: x.narrow(1, 1, 2), [R])
    case('diagonal', lambda x: torch.diagonal(x, 1), [R])
    case('transpose', lambda x: x.transpose(0, 2), [('randn', [2, 3, 4])])
    case('permute', lambda x: x.permute(2, 0, 1), [('randn', [2, 3, 4])])
    case('index_add', lambda x, i, s: torch.index_add(x, 0, i, s, alpha=2.0),
         [R, ('data', [2, 0, 2], 'int32'), ('randn', [3, 4])])
    case('scatter', lambda x, i, s: torch.scatter(x, 1, i, s),
         [R, ('data', [[0, 3], [1, 2], [2, 0]], 'int32'), ('randn', [3, 2])])
    case('scatter_add', lambda x, i, s: torch.scatter_add(x, 1, i, s),
         [R, ('data', [[0, 0], [1, 2], [3, 3]], 'int32'), ('randn', [3, 2])])
    case('masked_fill', lambda x, m: x.masked_fill(m, -1.5), [R, ('data', [True, False, False, True], 'bool')])
    case('masked_select', lambda x, m: torch.masked_select(x, m), [R, ('data', [[True, False, True, True]], 'bool')])
    case('slice_scatter', lambda x, s: torch.slice_scatter(x, s, 1, 1, 4, 2), [R, ('randn', [3, 2])])
    case('select_scatter', lambda x, s: torch.select_scatter(x, s, 0, 1), [R, ('randn', [4])])
    case('diagonal_scatter', lambda x, s: torch.diagonal_scatter(x, s, 1), [R, ('randn', [3])])
    case('norm_p1', lambda x: torch.norm(x, 1, 1), [R])
    case('norm_p3', lambda x: torch.norm(x, 3, 0), [R])
    case('var_unbiased_false', lambda x: torch.var(x, 0, unbiased=False), [R])
    case('mean_all', torch.mean, [R])
    case('sum_keepdim', lambda x: torch.sum(x, [0, 2], keepdim=True), [('randn', [2, 3, 4])])
    case('logsumexp_2', lambda x: torch.logsumexp(x, [0, 1]), [R])
    case('clamp_int', lambda x: torch.clamp(x, 1, 4), [('data', [[0, 3, 7], [2, 9, -1]], 'int32')], grad=False,
         dtypes=('float64',))

    # Comparisons and logic (bool results), casts, views and index-valued ops.
    a = [[1.0, -2.0, 3.0, 0.0], [0.5, 0.5, -1.0, 2.0]]
    b = [[1.0, 2.0, -3.0, 0.0], [0.25, 0.5, 1.0, -2.0]]
    for name in ['eq', 'ne', 'lt', 'le', 'gt', 'ge']:
        case(name, getattr(torch, name), [('data', a), ('data', b)], grad=False)
    for name in ['logical_and', 'logical_or', 'logical_xor']:
        case(name, getattr(torch, name), [('data', [True, True, False, False], 'bool'),
                                          ('data', [True, False, True, False], 'bool')], grad=False, dtypes=('float64',))
    case('logical_not', torch.logical_not, [('data', [True, False], 'bool')], grad=False, dtypes=('float64',))
    case('cast_int', lambda x: x.to(torch.int32), [('data', [[1.7, -1.7, 0.2, 3.9]])], grad=False)
    case('cast_bool', lambda x: x.to(torch.bool), [('data', [[1.7, 0.0, -0.0, 3.9]])], grad=False)
    case('one_hot', lambda i: torch.nn.functional.one_hot(i, 4), [('data', [[0, 3], [2, 2]], 'int32')], grad=False,
         dtypes=('float64',))
    case('all', lambda x: torch.all(x, 1), [('data', [[True, False], [True, True]], 'bool')], grad=False,
         dtypes=('float64',))
    case('any', lambda x: torch.any(x, 0), [('data', [[True, False], [False, False]], 'bool')], grad=False,
         dtypes=('float64',))
    case('argmin', lambda x: torch.argmin(x, 0), [R], grad=False)
    case('argsort', lambda x: torch.argsort(x, 1, descending=True), [R], grad=False)
    case('reshape', lambda x: x.reshape(2, -1, 3), [R])
    case('view', lambda x: x.t().contiguous().view(6, 2), [R])
    case('flatten', lambda x: torch.flatten(x, 1), [('randn', [2, 3, 4])])
    case('unflatten', lambda x: x.unflatten(1, (2, 2)), [R])
    case('squeeze', lambda x: x.squeeze(1), [('randn', [3, 1, 4])])
    case('unsqueeze', lambda x: x.unsqueeze(-1), [R])
    case('broadcast_to', lambda x: torch.broadcast_to(x, (2, 3, 4)), [('randn', [4])])
    case('select', lambda x: x.select(1, 2), [R])
    case('slice_step', lambda x: x[:, 1::2], [R])
    case('clone', torch.clone, [R])
    case('unfold', lambda x: torch.nn.functional.unfold(x, 2, padding=1, stride=2), [('randn', [1, 2, 4, 5])])
    case('fold', lambda x: torch.nn.functional.fold(x, (4, 5), 2, padding=1, stride=2), [('randn', [1, 8, 9])])
