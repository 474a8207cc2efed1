"""The torch.nn module cases of scripts/torch-reference.py not covered by torch_reference_cases_nn.py:
every pre-existing layer, activation, container and loss module, called as a module (not its
functional form), with its constructor options. Each name is a key of
packages/train/test/torch-reference-modules.ts."""


def define(case, torch):
    nn = torch.nn

    def module_case(name, make, x_specs, train=True):
        """A module with parameters: the parameters are inputs (rounded like the samples), so
        their gradients are compared; the Tessera side sets the same fields by name."""
        torch.manual_seed(7)
        m = make().double()
        names = [n for n, _ in m.named_parameters()]
        specs = list(x_specs) + [('data', (torch.round(p.detach() * 1e4) / 1e4).tolist()) for _, p in m.named_parameters()]
        nx = len(x_specs)

        def fn(*args, params=None, train=None):
            mod = make().to(args[nx].dtype)
            mod.train(train)
            for n, a in zip(names, args[nx:]):
                *path, leaf = n.split('.')
                owner = mod
                for part in path:
                    owner = getattr(owner, part)
                del owner._parameters[leaf]
                setattr(owner, leaf, a)
            return mod(*args[:nx])

        case(name, fn, specs, kwargs={'params': names, 'train': train})

    def plain_case(name, make, x_specs, kwargs=None, train=True):
        """A module without parameters, built from `kwargs` (PyTorch's names)."""
        kw = dict(kwargs or {})

        def fn(*xs, **k):
            mod = make(**{key: v for key, v in k.items() if key != 'train'})
            mod.train(train)
            return mod(*xs)

        case(name, fn, x_specs, kwargs=dict(kw, train=train))

    # Layers with parameters.
    module_case('m_bilinear', lambda: nn.Bilinear(2, 3, 4), [('randn', [3, 2]), ('randn', [3, 3])])
    module_case('m_linear_nobias', lambda: nn.Linear(4, 2, bias=False), [('randn', [3, 4])])
    module_case('m_conv1d', lambda: nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=1), [('randn', [2, 2, 9])])
    module_case('m_conv1d_groups', lambda: nn.Conv1d(4, 4, 3, groups=2, padding='same', bias=False),
                [('randn', [1, 4, 7])])
    module_case('m_conv2d_stride', lambda: nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
                [('randn', [2, 2, 6, 6])])
    module_case('m_conv2d_reflect', lambda: nn.Conv2d(2, 2, 3, padding=1, padding_mode='reflect'),
                [('randn', [1, 2, 5, 5])])
    module_case('m_conv2d_circular', lambda: nn.Conv2d(2, 2, 3, padding=1, padding_mode='circular'),
                [('randn', [1, 2, 4, 5])])
    module_case('m_conv2d_replicate', lambda: nn.Conv2d(2, 2, 3, padding=1, padding_mode='replicate'),
                [('randn', [1, 2, 4, 4])])
    module_case('m_conv_transpose2d', lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1),
                [('randn', [2, 3, 4, 4])])
    module_case('m_conv_transpose2d_groups', lambda: nn.ConvTranspose2d(4, 4, 2, groups=2, dilation=2, bias=False),
                [('randn', [1, 4, 3, 3])])
    module_case('m_batchnorm2d', lambda: nn.BatchNorm2d(3, momentum=0.2, eps=1e-3), [('randn', [2, 3, 3, 3])])
    module_case('m_batchnorm2d_eval', lambda: nn.BatchNorm2d(3), [('randn', [2, 3, 2, 2])], train=False)
    module_case('m_batchnorm1d_3d', lambda: nn.BatchNorm1d(3), [('randn', [4, 3, 5])])
    module_case('m_groupnorm', lambda: nn.GroupNorm(2, 4, eps=1e-4), [('randn', [2, 4, 3, 2])])
    plain_case('m_layernorm_noaffine', lambda: nn.LayerNorm(4, elementwise_affine=False), [('randn', [3, 4])])

    # Layers without parameters.
    x4 = [('randn', [2, 3, 6, 6])]
    plain_case('m_maxpool1d', nn.MaxPool1d, [('randn', [2, 3, 9])],
               {'kernel_size': 3, 'stride': 2, 'padding': 1, 'dilation': 1, 'ceil_mode': True})
    plain_case('m_maxpool2d', nn.MaxPool2d, x4, {'kernel_size': 3, 'stride': 2, 'padding': 1, 'dilation': 1})
    plain_case('m_maxpool2d_ceil', nn.MaxPool2d, [('randn', [1, 2, 7, 7])], {'kernel_size': 2, 'ceil_mode': True})
    plain_case('m_maxpool2d_indices', nn.MaxPool2d, x4, {'kernel_size': 2, 'return_indices': True})
    plain_case('m_avgpool1d', nn.AvgPool1d, [('randn', [2, 3, 9])],
               {'kernel_size': 3, 'stride': 2, 'padding': 1, 'count_include_pad': False})
    plain_case('m_avgpool2d', nn.AvgPool2d, x4, {'kernel_size': 2})
    plain_case('m_avgpool2d_divisor', nn.AvgPool2d, [('randn', [1, 2, 7, 7])],
               {'kernel_size': 3, 'stride': 2, 'padding': 1, 'ceil_mode': True, 'divisor_override': 4})
    plain_case('m_adaptive_avgpool1d', nn.AdaptiveAvgPool1d, [('randn', [2, 3, 7])], {'output_size': 4})
    plain_case('m_adaptive_avgpool2d', nn.AdaptiveAvgPool2d, [('randn', [2, 3, 7, 5])], {'output_size': [3, None]})
    plain_case('m_dropout_eval', nn.Dropout, [('randn', [3, 4])], {'p': 0.5}, train=False)
    plain_case('m_dropout1d_eval', nn.Dropout1d, [('randn', [2, 3, 4])], {'p': 0.3}, train=False)
    plain_case('m_dropout2d_eval', nn.Dropout2d, x4, {'p': 0.3}, train=False)
    plain_case('m_dropout_p0', nn.Dropout, [('randn', [3, 4])], {'p': 0.0})
    plain_case('m_flatten', nn.Flatten, x4)
    plain_case('m_flatten_dims', nn.Flatten, x4, {'start_dim': 0, 'end_dim': 2})
    plain_case('m_unflatten', nn.Unflatten, [('randn', [2, 12])], {'dim': 1, 'unflattened_size': [3, 4]})
    plain_case('m_identity', nn.Identity, [('randn', [3, 4])])

    # Activation modules.
    xa = [('randn', [3, 5])]
    plain_case('m_relu', nn.ReLU, xa)
    plain_case('m_leaky_relu', nn.LeakyReLU, xa, {'negative_slope': 0.2})
    plain_case('m_elu', nn.ELU, xa, {'alpha': 0.7})
    plain_case('m_selu', nn.SELU, xa)
    plain_case('m_gelu', nn.GELU, xa)
    plain_case('m_gelu_tanh', nn.GELU, xa, {'approximate': 'tanh'})
    plain_case('m_sigmoid', nn.Sigmoid, xa)
    plain_case('m_tanh', nn.Tanh, xa)
    plain_case('m_silu', nn.SiLU, xa)
    plain_case('m_softplus', nn.Softplus, [('data', [[-3.0, -0.5, 0.0], [0.7, 4.0, 9.5]])], {'beta': 2.0, 'threshold': 5.0})
    plain_case('m_softmax', nn.Softmax, xa, {'dim': 1})
    plain_case('m_softmax0', nn.Softmax, xa, {'dim': 0})
    plain_case('m_log_softmax', nn.LogSoftmax, xa, {'dim': 1})

    # Containers.
    module_case('m_sequential', lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Softmax(1)),
                [('randn', [5, 3])])

    # Loss modules, with their options.
    pair = [('randn', [3, 4]), ('randn', [3, 4])]
    for r in ['mean', 'sum', 'none']:
        plain_case('m_mse', nn.MSELoss, pair, {'reduction': r})
        plain_case('m_l1', nn.L1Loss, pair, {'reduction': r})
        plain_case('m_huber', nn.HuberLoss, pair, {'reduction': r, 'delta': 0.7})
        plain_case('m_smooth_l1', nn.SmoothL1Loss, pair, {'reduction': r, 'beta': 0.6})
        plain_case('m_gaussian_nll', nn.GaussianNLLLoss, pair + [('pos', [3, 4])], {'reduction': r})
        plain_case('m_cosine_embedding', nn.CosineEmbeddingLoss,
                   [('randn', [4, 5]), ('randn', [4, 5]), ('const', 'data', [1.0, -1.0, -1.0, 1.0])],
                   {'reduction': r, 'margin': 0.1})
    plain_case('m_gaussian_nll_full', nn.GaussianNLLLoss, pair + [('pos', [3, 4])], {'full': True, 'eps': 1e-3})
    tgt = ('data', [0, 2, 1, 2, 1], 'int32')
    w3 = ('const', 'pos', [3])
    for r in ['mean', 'sum', 'none']:
        plain_case('m_cross_entropy', lambda **k: nn.CrossEntropyLoss(**k), [('randn', [5, 3]), tgt],
                   {'reduction': r, 'ignore_index': 1, 'label_smoothing': 0.1})
        plain_case('m_nll', nn.NLLLoss, [('randn', [5, 3]), tgt], {'reduction': r, 'ignore_index': 2})

    def weighted(name, cls, extra):
        def fn(x, t, w, **k):
            mod = cls(weight=w, **{key: v for key, v in k.items() if key != 'train'})
            return mod(x, t)
        case(name, fn, [('randn', [5, 3]), tgt, w3], kwargs=dict(extra, train=True))

    weighted('m_cross_entropy_weight', nn.CrossEntropyLoss, {'label_smoothing': 0.2})
    weighted('m_nll_weight', nn.NLLLoss, {'reduction': 'sum'})

    def bce(x, t, **k):
        return nn.BCELoss(reduction=k['reduction'])(torch.sigmoid(x), t)

    def bce_w(x, t, w, **k):
        return nn.BCELoss(weight=w)(torch.sigmoid(x), t)

    def bce_logits(x, t, w, pw, **k):
        return nn.BCEWithLogitsLoss(weight=w, pos_weight=pw, reduction=k['reduction'])(x, t)

    def kl(x, t, **k):
        return nn.KLDivLoss(reduction=k['reduction'], log_target=k['log_target'])(
            torch.log_softmax(x, 1), torch.log_softmax(t, 1) if k['log_target'] else torch.softmax(t, 1))

    for r in ['mean', 'sum', 'none']:
        case('m_bce', bce, [('randn', [3, 4]), ('const', 'unit', [3, 4])], kwargs={'reduction': r})
        case('m_bce_logits', bce_logits, [('randn', [3, 4]), ('const', 'unit', [3, 4]), ('const', 'pos', [4]),
                                          ('const', 'pos', [4])], kwargs={'reduction': r})
    case('m_bce_weight', bce_w, [('randn', [3, 4]), ('const', 'unit', [3, 4]), ('const', 'pos', [3, 4])])
    for r in ['mean', 'sum', 'none', 'batchmean']:
        for lt in [False, True]:
            case('m_kl_div', kl, [('randn', [3, 4]), ('randn', [3, 4])], kwargs={'reduction': r, 'log_target': lt})


def define_ops(case, torch):
    """Tensor ops the other case files leave out: creation (a one-element input gives the dtype),
    the clip alias and max pooling's indices."""
    d = [('const', 'data', [0.0])]
    for start, end, step in [(0.0, 1.0, 0.1), (-1.5, 2.25, 0.25), (3.0, -1.0, -0.7), (0.0, 5.0, 1.0)]:
        case('arange', lambda z, **k: torch.arange(k['start'], k['end'], k['step'], dtype=z.dtype), d, grad=False,
             kwargs={'start': start, 'end': end, 'step': step})
    for start, end, steps in [(-1.0, 1.0, 7), (0.0, 1.0, 1), (2.0, -3.0, 5), (0.1, 0.7, 4)]:
        case('linspace', lambda z, **k: torch.linspace(k['start'], k['end'], k['steps'], dtype=z.dtype), d,
             grad=False, kwargs={'start': start, 'end': end, 'steps': steps})
    case('eye', lambda z, **k: torch.eye(k['n'], k['m'], dtype=z.dtype), d, grad=False, kwargs={'n': 3, 'm': 3})
    case('eye', lambda z, **k: torch.eye(k['n'], k['m'], dtype=z.dtype), d, grad=False, kwargs={'n': 2, 'm': 4})
    case('full', lambda z, **k: torch.full(k['shape'], k['value'], dtype=z.dtype), d, grad=False,
         kwargs={'shape': [2, 3], 'value': 0.3})
    case('zeros', lambda z, **k: torch.zeros(k['shape'], dtype=z.dtype), d, grad=False, kwargs={'shape': [2, 0, 3]})
    case('ones', lambda z, **k: torch.ones(k['shape'], dtype=z.dtype), d, grad=False, kwargs={'shape': [3, 2]})
    case('zeros_like', torch.zeros_like, [('randn', [2, 3])], grad=False)
    case('ones_like', torch.ones_like, [('randn', [2, 3])], grad=False)
    case('full_like', lambda x, **k: torch.full_like(x, k['value']), [('randn', [2, 3])], grad=False,
         kwargs={'value': -1.25})
    case('clip', lambda x, **k: torch.clip(x, k['min'], k['max']), [('randn', [3, 4])],
         kwargs={'min': -0.5, 'max': 0.4})
    F = torch.nn.functional
    for mode, size, scale, align in [('linear', None, 1.5, False), ('linear', [7], None, True),
                                     ('bilinear', None, 2.0, False), ('bilinear', [3, 5], None, False),
                                     ('nearest', [5, 3], None, None), ('nearest', None, 0.5, None)]:
        shape = [2, 3, 5] if mode == 'linear' else [1, 2, 4, 4]
        case('interpolate', lambda x, **k: F.interpolate(x, size=k['size'], scale_factor=k['scale'], mode=k['mode'],
                                                         align_corners=k['align']),
             [('randn', shape)], kwargs={'mode': mode, 'size': size, 'scale': scale, 'align': align})

    def clip_norm(g1, g2, **k):
        p1 = torch.zeros_like(g1, requires_grad=True)
        p2 = torch.zeros_like(g2, requires_grad=True)
        p1.grad, p2.grad = g1.clone(), g2.clone()
        norm = float(k['norm_type'])  # 'inf' is kept a string: JSON has no Infinity
        total = torch.nn.utils.clip_grad_norm_([p1, p2], k['max_norm'], norm)
        return p1.grad, p2.grad, total

    def clip_value(g1, g2, **k):
        p1 = torch.zeros_like(g1, requires_grad=True)
        p2 = torch.zeros_like(g2, requires_grad=True)
        p1.grad, p2.grad = g1.clone(), g2.clone()
        torch.nn.utils.clip_grad_value_([p1, p2], k['clip_value'])
        return p1.grad, p2.grad

    for max_norm, norm_type in [(1.0, 2.0), (0.5, 1.0), (0.3, 'inf'), (100.0, 2.0), (0.7, 3.0)]:
        case('clip_grad_norm', clip_norm, [('randn', [3, 4]), ('randn', [5])], grad=False,
             kwargs={'max_norm': max_norm, 'norm_type': norm_type})
    case('clip_grad_value', clip_value, [('randn', [3, 4]), ('randn', [5])], grad=False, kwargs={'clip_value': 0.4})
    case('max_pool2d_with_indices',
         lambda x: torch.nn.functional.max_pool2d(x, 3, stride=2, padding=1, return_indices=True),
         [('randn', [2, 2, 5, 6])])


def define_new_layers(case, torch):
    """The layers added after the suite was written (activations, instance norm, 1-D transposed
    convolution, adaptive max pooling, pixel shuffle, upsampling, the transformer decoder layer)."""
    nn = torch.nn
    module_case = _module_case(case, torch)
    xa = [('randn', [3, 6])]
    module_case('n_prelu', lambda: nn.PReLU(3, init=0.1), [('randn', [2, 3, 4])])
    module_case('n_instancenorm1d', lambda: nn.InstanceNorm1d(3, affine=True), [('randn', [2, 3, 5])])
    module_case('n_conv_transpose1d', lambda: nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1, output_padding=1),
                [('randn', [2, 3, 5])])
    module_case('n_transformer_decoder_layer',
                lambda: nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True),
                [('randn', [2, 3, 8]), ('randn', [2, 4, 8])])
    module_case('n_transformer_decoder',
                lambda: nn.TransformerDecoder(
                    nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True,
                                               norm_first=True), 2, norm=nn.LayerNorm(8)),
                [('randn', [2, 3, 8]), ('randn', [2, 4, 8])])
    module_case('n_transformer',
                lambda: nn.Transformer(8, 2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16,
                                       dropout=0.0, batch_first=True),
                [('randn', [2, 4, 8]), ('randn', [2, 3, 8])])
    module_case('n_weight_norm', lambda: nn.utils.weight_norm(nn.Linear(3, 4)), [('randn', [2, 3])])
    module_case('n_weight_norm_conv', lambda: nn.utils.weight_norm(nn.Conv1d(2, 3, 2), dim=None), [('randn', [1, 2, 5])])
    for name, make in [('n_relu6', nn.ReLU6), ('n_hardtanh', lambda: nn.Hardtanh(-0.5, 0.8)),
                       ('n_hardswish', nn.Hardswish), ('n_hardsigmoid', lambda: _exact_hardsigmoid),
                       ('n_mish', nn.Mish),
                       ('n_logsigmoid', nn.LogSigmoid), ('n_softsign', nn.Softsign),
                       ('n_softmin', lambda: nn.Softmin(1)), ('n_glu', lambda: nn.GLU(-1)),
                       ('n_instancenorm2d', lambda: nn.InstanceNorm2d(3)),
                       ('n_pixel_shuffle', lambda: nn.PixelShuffle(2)),
                       ('n_pixel_unshuffle', lambda: nn.PixelUnshuffle(2)),
                       ('n_upsample_nearest', lambda: nn.Upsample(scale_factor=2, mode='nearest')),
                       ('n_upsample_bilinear', lambda: nn.Upsample(size=[5, 7], mode='bilinear', align_corners=True)),
                       ('n_adaptive_maxpool1d', lambda: nn.AdaptiveMaxPool1d(3, return_indices=True)),
                       ('n_adaptive_maxpool2d', lambda: nn.AdaptiveMaxPool2d([3, None], return_indices=True))]:
        shape = {'n_instancenorm2d': [2, 3, 4, 4], 'n_pixel_shuffle': [1, 8, 2, 3], 'n_pixel_unshuffle': [1, 2, 4, 6],
                 'n_upsample_nearest': [1, 2, 3, 3], 'n_upsample_bilinear': [1, 2, 3, 4],
                 'n_adaptive_maxpool1d': [2, 3, 7], 'n_adaptive_maxpool2d': [2, 3, 7, 5]}.get(name)
        case(name, lambda x, make=make: make()(x), [('randn', shape)] if shape else xa)


def define_averaged(case, torch):
    """AveragedModel (SWA's running mean, and EMA through avg_fn) over three snapshots of a Linear:
    the averaged weight and bias and the averaged model's output."""
    from torch.optim.swa_utils import AveragedModel

    def averaged(x, w1, b1, w2, b2, w3, b3, **k):
        m = torch.nn.Linear(3, 2).to(x.dtype)
        avg_fn = (lambda a, p, n: 0.8 * a + 0.2 * p) if k['ema'] else None
        swa = AveragedModel(m, avg_fn=avg_fn)
        for w, b in [(w1, b1), (w2, b2), (w3, b3)]:
            with torch.no_grad():
                m.weight.copy_(w)
                m.bias.copy_(b)
            swa.update_parameters(m)
        return swa.module.weight, swa.module.bias, swa(x)

    for ema in [False, True]:
        case('n_averaged_model', averaged, [('randn', [4, 3])] + [('randn', [2, 3]), ('randn', [2])] * 3, grad=False,
             kwargs={'ema': ema})


def _exact_hardsigmoid(x):
    # nn.Hardsigmoid's forward, with an exact float64 gradient: PyTorch 1.13's backward kernel
    # multiplies by the float constant 1.0f / 6.0f, 1e-8 off in float64.
    import torch
    return torch.nn.functional.relu6(x + 3) / 6


def _module_case(case, torch):
    def module_case(name, make, x_specs):
        torch.manual_seed(7)
        m = make().double()
        names = [n for n, _ in m.named_parameters()]
        specs = list(x_specs) + [('data', (torch.round(p.detach() * 1e4) / 1e4).tolist()) for _, p in m.named_parameters()]
        nx = len(x_specs)

        def fn(*args, params=None, train=None):
            mod = make().to(args[nx].dtype)
            for n, a in zip(names, args[nx:]):
                *path, leaf = n.split('.')
                owner = mod
                for part in path:
                    owner = getattr(owner, part)
                del owner._parameters[leaf]
                setattr(owner, leaf, a)
            return mod(*args[:nx])

        case(name, fn, specs, kwargs={'params': names, 'train': True})

    return module_case
