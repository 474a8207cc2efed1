"""The torch.nn.functional cases of scripts/torch-reference.py (layers as their functional forms,
losses, attention, recurrent cells). Each name is a key of packages/train/test/torch-reference-nn.ts."""
import math


def define(case, torch):
    F = torch.nn.functional

    # Layers as functional forms (weights are inputs, so their gradients are compared too).
    case('linear', F.linear, [('randn', [3, 4]), ('randn', [5, 4]), ('randn', [5])])
    case('bilinear', F.bilinear, [('randn', [3, 2]), ('randn', [3, 4]), ('randn', [5, 2, 4]), ('randn', [5])])
    case('conv2d', F.conv2d, [('randn', [2, 3, 6, 6]), ('randn', [4, 3, 3, 3]), ('randn', [4])],
         kwargs={'stride': 2, 'padding': 1})
    case('conv2d', F.conv2d, [('randn', [1, 4, 5, 5]), ('randn', [4, 2, 3, 3]), ('randn', [4])],
         kwargs={'groups': 2, 'dilation': 2, 'padding': 2})
    case('conv1d', F.conv1d, [('randn', [2, 3, 8]), ('randn', [4, 3, 3]), ('randn', [4])], kwargs={'padding': 1})
    case('conv_transpose2d', F.conv_transpose2d, [('randn', [2, 3, 4, 4]), ('randn', [3, 2, 3, 3]), ('randn', [2])],
         kwargs={'stride': 2, 'padding': 1, 'output_padding': 1})
    case('max_pool2d', F.max_pool2d, [('randn', [2, 3, 6, 6])], kwargs={'kernel_size': 2})
    case('max_pool2d', F.max_pool2d, [('randn', [1, 2, 7, 7])], kwargs={'kernel_size': 3, 'stride': 2, 'padding': 1})
    case('avg_pool2d', F.avg_pool2d, [('randn', [1, 2, 7, 7])],
         kwargs={'kernel_size': 3, 'stride': 2, 'padding': 1, 'count_include_pad': False})
    case('adaptive_avg_pool2d', F.adaptive_avg_pool2d, [('randn', [2, 3, 7, 5])], kwargs={'output_size': [3, 2]})
    case('batch_norm_train', lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         [('randn', [4, 3, 5]), ('randn', [3]), ('randn', [3])])
    case('batch_norm_eval', lambda x, m, v, w, b: F.batch_norm(x, m, v, w, b, training=False),
         [('randn', [4, 3, 2, 2]), ('const', 'randn', [3]), ('const', 'pos', [3]), ('randn', [3]), ('randn', [3])])
    def bn_running(x, w, b):
        rm = torch.zeros(3, dtype=x.dtype)
        rv = torch.ones(3, dtype=x.dtype)
        out = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.3)
        return out, rm, rv

    case('batch_norm_running', bn_running, [('randn', [4, 3, 5]), ('randn', [3]), ('randn', [3])])
    case('layer_norm', lambda x, w, b: F.layer_norm(x, [4], w, b), [('randn', [2, 3, 4]), ('randn', [4]), ('randn', [4])])
    case('layer_norm2', lambda x: F.layer_norm(x, [3, 4]), [('randn', [2, 3, 4])])
    case('group_norm', lambda x, w, b: F.group_norm(x, 2, w, b), [('randn', [2, 4, 3]), ('randn', [4]), ('randn', [4])])
    case('embedding', F.embedding, [('data', [[0, 2], [1, 2]], 'int32'), ('randn', [3, 4])])
    case('embedding', F.embedding, [('data', [[0, 2], [1, 1]], 'int32'), ('randn', [3, 4])], kwargs={'padding_idx': 1})
    case('normalize', F.normalize, [('randn', [3, 4])])
    case('selu', F.selu, [('randn', [3, 4])])
    case('max_pool1d', F.max_pool1d, [('randn', [2, 3, 9])], kwargs={'kernel_size': 3, 'stride': 2, 'padding': 1})
    case('avg_pool1d', F.avg_pool1d, [('randn', [2, 3, 9])], kwargs={'kernel_size': 3, 'stride': 2})
    case('adaptive_avg_pool1d', F.adaptive_avg_pool1d, [('randn', [2, 3, 7])], kwargs={'output_size': 3})
    case('sdpa', lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1) @ v,
         [('randn', [2, 3, 4]), ('randn', [2, 5, 4]), ('randn', [2, 5, 6])])
    causal = torch.ones(4, 4, dtype=torch.bool).tril()
    case('sdpa_causal',
         lambda q, k, v: torch.softmax((q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).masked_fill(~causal, -math.inf),
                                       -1) @ v,
         [('randn', [2, 4, 3]), ('randn', [2, 4, 3]), ('randn', [2, 4, 2])])

    # Losses.
    for reduction in ['mean', 'sum', 'none']:
        case('mse_loss', F.mse_loss, [('randn', [3, 4]), ('randn', [3, 4])], kwargs={'reduction': reduction})
    case('nll_loss_weighted', lambda x, t, w: F.nll_loss(torch.log_softmax(x, 1), t, weight=w, reduction='none'),
         [('randn', [4, 3]), ('data', [0, 2, 1, 2], 'int32'), ('const', 'pos', [3])])
    case('cross_entropy_weighted_mean', F.cross_entropy,
         [('randn', [5, 3]), ('data', [0, 2, 1, 2, 0], 'int32'), ('const', 'pos', [3])])
    case('l1_loss_sum', F.l1_loss, [('randn', [3, 4]), ('randn', [3, 4])], kwargs={'reduction': 'sum'})
    case('gaussian_nll_loss_full', lambda x, t, v: F.gaussian_nll_loss(x, t, v, full=True, reduction='sum'),
         [('randn', [3, 4]), ('randn', [3, 4]), ('pos', [3, 1])])
    case('kl_div_log_target', lambda x, t: F.kl_div(torch.log_softmax(x, 1), torch.log_softmax(t, 1),
                                                     reduction='sum', log_target=True),
         [('randn', [3, 4]), ('randn', [3, 4])])
    case('l1_loss', F.l1_loss, [('randn', [3, 4]), ('randn', [3, 4])])
    case('huber_loss', F.huber_loss, [('randn', [3, 4]), ('randn', [3, 4])], kwargs={'delta': 0.5})
    case('smooth_l1_loss', F.smooth_l1_loss, [('randn', [3, 4]), ('randn', [3, 4])], kwargs={'beta': 0.5})
    target = ('data', [0, 2, 1, 2], 'int32')
    case('cross_entropy', F.cross_entropy, [('randn', [4, 3]), target])
    case('cross_entropy', F.cross_entropy, [('randn', [4, 3]), target, ('const', 'pos', [3])],
         kwargs={'ignore_index': 1, 'label_smoothing': 0.1})
    case('cross_entropy', F.cross_entropy, [('randn', [4, 3]), target], kwargs={'reduction': 'sum', 'label_smoothing': 0.2})
    case('cross_entropy_probs', lambda x, t: F.cross_entropy(x, torch.softmax(t, 1)), [('randn', [4, 3]), ('const', 'randn', [4, 3])])
    case('cross_entropy_2d', F.cross_entropy, [('randn', [2, 3, 2, 2]), ('data', [[[0, 1], [2, 2]], [[1, 0], [0, 2]]], 'int32')])
    case('nll_loss', lambda x, t: F.nll_loss(torch.log_softmax(x, 1), t), [('randn', [4, 3]), target])
    case('bce', lambda x, t: F.binary_cross_entropy(torch.sigmoid(x), t), [('randn', [3, 4]), ('const', 'unit', [3, 4])])
    case('bce_weight', lambda x, t, w: F.binary_cross_entropy(torch.sigmoid(x), t, weight=w),
         [('randn', [3, 4]), ('const', 'unit', [3, 4]), ('const', 'pos', [4])])
    case('bce_logits', F.binary_cross_entropy_with_logits, [('randn', [3, 4]), ('const', 'unit', [3, 4])])
    case('bce_logits_pos', lambda x, t, pw: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw),
         [('randn', [3, 4]), ('const', 'unit', [3, 4]), ('const', 'pos', [4])])
    case('bce_logits_zero', F.binary_cross_entropy_with_logits,
         [('data', [[0.0, 0.0, 1.0], [0.0, -2.0, 0.0]]), ('data', [[1.0, 0.0, 1.0], [0.3, 1.0, 0.0]])])
    case('kl_div', lambda x, t: F.kl_div(torch.log_softmax(x, 1), torch.softmax(t, 1), reduction='batchmean'),
         [('randn', [3, 4]), ('randn', [3, 4])])
    case('gaussian_nll_loss', F.gaussian_nll_loss, [('randn', [3, 4]), ('randn', [3, 4]), ('pos', [3, 4])])
    case('cosine_embedding_loss', F.cosine_embedding_loss,
         [('randn', [4, 5]), ('randn', [4, 5]), ('const', 'data', [1.0, -1.0, 1.0, -1.0])], kwargs={'margin': 0.2})


def define_modules(case, torch):
    """Layers with parameters, called with their parameters as inputs (functional_call), so the
    parameter gradients are compared; the Tessera side sets the same fields by name."""
    def module_case(name, make, x_specs, outputs=None):
        torch.manual_seed(7)
        m = make().double()
        names = [n for n, _ in m.named_parameters()]
        specs = list(x_specs) + [('data', (torch.round(p.detach() * 1e4) / 1e4).tolist()) for _, p in m.named_parameters()]
        nx = len(x_specs)

        def fn(*args, params=None):
            # A fresh module whose parameters are replaced by the inputs (plain tensors), so
            # gradients flow to them; RNNs see the change through their __setattr__.
            mod = make().to(args[nx].dtype)  # the parameters' dtype (inputs may be indices)
            mod.train()
            for n, a in zip(names, args[nx:]):
                *path, leaf = n.split('.')
                owner = mod
                for part in path:
                    owner = getattr(owner, part)
                del owner._parameters[leaf]
                setattr(owner, leaf, a)
            out = mod(*args[:nx])
            return outputs(out) if outputs else out

        case(name, fn, specs, kwargs={'params': names})

    flat_lstm = lambda out: (out[0], out[1][0], out[1][1])  # noqa: E731
    module_case('lstm', lambda: torch.nn.LSTM(3, 4, num_layers=2, batch_first=True), [('randn', [2, 5, 3])], flat_lstm)
    module_case('gru', lambda: torch.nn.GRU(3, 4, bidirectional=True), [('randn', [5, 2, 3])])
    module_case('rnn', lambda: torch.nn.RNN(3, 4, nonlinearity='relu'), [('randn', [4, 2, 3])])
    module_case('lstm_cell', lambda: torch.nn.LSTMCell(3, 4), [('randn', [2, 3])])
    module_case('gru_cell', lambda: torch.nn.GRUCell(3, 4), [('randn', [2, 3])])
    module_case('rnn_cell', lambda: torch.nn.RNNCell(3, 4), [('randn', [2, 3])])
    module_case('mha', lambda: torch.nn.MultiheadAttention(6, 2, batch_first=True),
                [('randn', [2, 3, 6]), ('randn', [2, 4, 6]), ('randn', [2, 4, 6])])
    module_case('transformer_encoder_layer',
                lambda: torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True),
                [('randn', [2, 3, 8])])
    module_case('transformer_encoder_layer_norm_first',
                lambda: torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True,
                                                         norm_first=True, activation='gelu'),
                [('randn', [2, 3, 8])])
    module_case('linear_module', lambda: torch.nn.Linear(4, 3), [('randn', [2, 5, 4])])
    module_case('conv2d_module', lambda: torch.nn.Conv2d(2, 3, 3, padding='same', bias=False), [('randn', [1, 2, 5, 5])])
    module_case('batchnorm1d_module', lambda: torch.nn.BatchNorm1d(3), [('randn', [4, 3])])
    module_case('layernorm_module', lambda: torch.nn.LayerNorm([2, 3]), [('randn', [4, 2, 3])])
    module_case('embedding_module', lambda: torch.nn.Embedding(5, 3, padding_idx=0), [('data', [[0, 4], [2, 0]], 'int32')])
    module_case('transformer_encoder',
                lambda: torch.nn.TransformerEncoder(
                    torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True), 2,
                    norm=torch.nn.LayerNorm(8), enable_nested_tensor=False),
                [('randn', [2, 3, 8])])
