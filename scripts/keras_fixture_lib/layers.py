"""The layers the fixtures use: weights, a float64 forward pass with Keras semantics, and each
layer's config and weight layout as every imitated Keras version writes them.

`fmt` names the writer: 'k3.6' / 'k3.10' (Keras 3 get_config), 'k2.12' / 'k2.15' (tf.keras 2 with
new-style nested objects), 'k2.0' / 'k2.1' (Keras 2.0-2.1).
"""
import numpy as np

from .numerics import activation, f32, gru_step, lstm_step, run_rnn, simple_rnn_step

POLICY = {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None}


def is_k3(fmt):
    return fmt.startswith('k3')


def is_old(fmt):
    return fmt in ('k2.0', 'k2.1')


def family(fmt):
    return 'k3' if is_k3(fmt) else 'k2'


_INITIALIZERS = {
    'glorot_uniform': ('GlorotUniform', {'seed': None}),
    'orthogonal': ('Orthogonal', {'gain': 1.0, 'seed': None}),
    'zeros': ('Zeros', {}),
    'uniform': ('RandomUniform', {'minval': -0.05, 'maxval': 0.05, 'seed': None}),
}


def initializer(kind, fmt):
    cls, config = _INITIALIZERS[kind]
    if is_old(fmt):
        # Keras 2.0-2.1 serialized glorot_uniform as the VarianceScaling it returns.
        if kind == 'glorot_uniform':
            return {'class_name': 'VarianceScaling', 'config': {'scale': 1.0, 'mode': 'fan_avg', 'distribution': 'uniform', 'seed': None}}
        return {'class_name': cls, 'config': dict(config)}
    return {'module': 'keras.initializers', 'class_name': cls, 'config': dict(config), 'registered_name': None}


def serialize_new(layer, fmt, with_build=True):
    """serialization_lib.serialize_keras_object of a layer (Keras 3, and tf.keras >= 2.13 nested layers)."""
    entry = {'module': 'keras.layers', 'class_name': layer.cls, 'config': layer.config(fmt), 'registered_name': None}
    if with_build and layer.build_shape is not None:
        entry['build_config'] = {'input_shape': layer.build_shape}
    return entry


def shape_list(shape):
    return None if shape is None else [shape_list(s) if isinstance(s, (list, tuple)) else s for s in shape]


def uniform(rng, shape, bound):
    return f32(rng.uniform(-bound, bound, shape))


class Layer:
    cls = ''
    call_training = None  # Keras 3 node kwarg "training": False when call() defaults it to False
    call_mask = False  # Keras 3 node kwarg "mask" (the layer's call() takes a mask)
    passes_mask = True  # the output keeps the input's mask

    def __init__(self, name, batch_input_shape=None):
        self.name = name
        self.batch_input_shape = batch_input_shape
        self.weights = []  # (label, float64 array of float32 values), in Keras order
        self.build_shape = None
        self.built = False

    def build(self, shapes, rng):
        self.build_shape = shape_list(shapes[0])
        self.built = True

    def output_shapes(self, shapes):
        return [shapes[0]]

    def forward(self, xs, masks, fam):
        return [xs[0]], [masks[0]]

    def own_config(self, fmt):
        return {}

    def base_config(self, fmt):
        config = {'name': self.name, 'trainable': True}
        if is_k3(fmt):
            config['dtype'] = POLICY
            return config
        if self.batch_input_shape is not None:
            config['batch_input_shape'] = shape_list(self.batch_input_shape)
        if not is_old(fmt) or self.batch_input_shape is not None:
            config['dtype'] = 'float32'
        return config

    def config(self, fmt):
        return {**self.base_config(fmt), **self.own_config(fmt)}

    def out_masks(self, in_mask, n_outputs):
        return [in_mask if self.passes_mask else None] * n_outputs

    def k3_saveables(self):
        """(path below the layer, saveable name, arrays) as Keras 3's _save_state visits them."""
        return [('', self.name, [a for _, a in self.weights])]

    def k2_weight_names(self, fmt, prefix=''):
        """Names of the weights in a legacy .h5 (tf.keras: variable names; Keras 3: variable paths)."""
        if is_k3(fmt):
            return [f'{prefix}{self.name}/{label}' for label, _ in self.weights]
        return [f'{self.name}/{label}:0' for label, _ in self.weights]


class InputLayer(Layer):
    cls = 'InputLayer'

    def __init__(self, name, batch_shape, dtype='float32'):
        super().__init__(name)
        self.batch_shape = tuple(batch_shape)
        self.dtype = dtype
        self.built = True

    def config(self, fmt):
        shape = shape_list(self.batch_shape)
        if fmt == 'k3.10':
            return {'batch_shape': shape, 'dtype': self.dtype, 'sparse': False, 'ragged': False, 'name': self.name, 'optional': False}
        if is_k3(fmt):
            return {'batch_shape': shape, 'dtype': self.dtype, 'sparse': False, 'name': self.name}
        return {'batch_input_shape': shape, 'dtype': self.dtype, 'sparse': False, 'ragged': False, 'name': self.name}


class Embedding(Layer):
    cls = 'Embedding'

    def __init__(self, name, input_dim, output_dim, mask_zero=False, input_length=None, **kw):
        super().__init__(name, **kw)
        self.input_dim, self.output_dim, self.mask_zero, self.input_length = input_dim, output_dim, mask_zero, input_length
        self.passes_mask = False

    def build(self, shapes, rng):
        super().build(shapes, rng)
        self.weights = [('embeddings', uniform(rng, (self.input_dim, self.output_dim), 0.6))]

    def output_shapes(self, shapes):
        return [tuple(shapes[0]) + (self.output_dim,)]

    def forward(self, xs, masks, fam):
        ids = np.asarray(xs[0]).astype(np.int64)
        mask = (ids != 0).astype(np.float64) if self.mask_zero else None
        return [self.weights[0][1][ids]], [mask]

    def own_config(self, fmt):
        config = {
            'input_dim': self.input_dim, 'output_dim': self.output_dim,
            'embeddings_initializer': initializer('uniform', fmt), 'embeddings_regularizer': None,
            'activity_regularizer': None, 'embeddings_constraint': None, 'mask_zero': self.mask_zero,
        }
        if not is_k3(fmt):
            config['input_length'] = self.input_length
        return config


class Dense(Layer):
    cls = 'Dense'

    def __init__(self, name, units, activation='linear', **kw):
        super().__init__(name, **kw)
        self.units, self.activation = units, activation

    def build(self, shapes, rng):
        super().build(shapes, rng)
        fan_in = shapes[0][-1]
        self.weights = [('kernel', uniform(rng, (fan_in, self.units), 1.2 / np.sqrt(fan_in))), ('bias', uniform(rng, (self.units,), 0.3))]

    def output_shapes(self, shapes):
        return [tuple(shapes[0][:-1]) + (self.units,)]

    def forward(self, xs, masks, fam):
        kernel, bias = self.weights[0][1], self.weights[1][1]
        return [activation(self.activation, fam)(xs[0] @ kernel + bias)], [masks[0]]

    def own_config(self, fmt):
        config = {
            'units': self.units, 'activation': self.activation, 'use_bias': True,
            'kernel_initializer': initializer('glorot_uniform', fmt), 'bias_initializer': initializer('zeros', fmt),
            'kernel_regularizer': None, 'bias_regularizer': None,
        }
        if not is_k3(fmt):
            config['activity_regularizer'] = None
        config.update({'kernel_constraint': None, 'bias_constraint': None})
        return config


class Recurrent(Layer):
    """LSTM, GRU and SimpleRNN: the layer holds no weights itself; its cell does (Keras 3 `cell`)."""
    call_training = False
    call_mask = True
    gates = 1
    n_states = 1
    cell_cls = ''

    def __init__(self, name, units, activation='tanh', recurrent_activation='sigmoid', return_sequences=False,
                 return_state=False, go_backwards=False, k2_cell=None, **kw):
        super().__init__(name, **kw)
        self.units, self.activation, self.recurrent_activation = units, activation, recurrent_activation
        self.return_sequences, self.return_state, self.go_backwards = return_sequences, return_state, go_backwards
        self.zero_output_for_mask = False
        self.k3_cell = self.cell_cls
        self.k2_cell = k2_cell or self.cell_cls  # tf.keras numbers cells by session: lstm_cell_25

    def bias_shape(self):
        return (self.gates * self.units,)

    def build(self, shapes, rng):
        super().build(shapes, rng)
        fan_in, width = shapes[0][-1], self.gates * self.units
        self.weights = [
            ('kernel', uniform(rng, (fan_in, width), 1.3 / np.sqrt(fan_in))),
            ('recurrent_kernel', uniform(rng, (self.units, width), 1.1 / np.sqrt(self.units))),
            ('bias', uniform(rng, self.bias_shape(), 0.3)),
        ]

    def output_shapes(self, shapes):
        batch, steps = shapes[0][0], shapes[0][1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        return [out] + ([(batch, self.units)] * self.n_states if self.return_state else [])

    def step(self, fam):
        raise NotImplementedError

    def forward(self, xs, masks, fam):
        x = xs[0]
        states = [np.zeros((x.shape[0], self.units)) for _ in range(self.n_states)]
        last, seq, states = run_rnn(self.step(fam), x, states, masks[0], self.go_backwards, self.zero_output_for_mask)
        ys = [seq if self.return_sequences else last] + (list(states) if self.return_state else [])
        return ys, self.out_masks(masks[0], len(ys))

    def out_masks(self, in_mask, n_outputs):
        return [in_mask if self.return_sequences else None] + [None] * (n_outputs - 1)

    def rnn_config(self, fmt):
        config = {'return_sequences': self.return_sequences, 'return_state': self.return_state,
                  'go_backwards': self.go_backwards, 'stateful': False, 'unroll': False}
        if is_k3(fmt):
            config['zero_output_for_mask'] = self.zero_output_for_mask
        elif not is_old(fmt):
            config['time_major'] = False
            if self.zero_output_for_mask:
                config['zero_output_for_mask'] = True
        return config

    def weight_config(self, fmt, with_recurrent_activation=True, unit_forget_bias=False):
        config = {'units': self.units, 'activation': self.activation}
        if with_recurrent_activation:
            config['recurrent_activation'] = self.recurrent_activation
        config.update({'use_bias': True, 'kernel_initializer': initializer('glorot_uniform', fmt),
                       'recurrent_initializer': initializer('orthogonal', fmt), 'bias_initializer': initializer('zeros', fmt)})
        if unit_forget_bias:
            config['unit_forget_bias'] = True
        config.update({'kernel_regularizer': None, 'recurrent_regularizer': None, 'bias_regularizer': None,
                       'activity_regularizer': None, 'kernel_constraint': None, 'recurrent_constraint': None,
                       'bias_constraint': None, 'dropout': 0.0, 'recurrent_dropout': 0.0})
        return config

    def k3_saveables(self):
        return [('', self.name, []), ('cell', self.k3_cell, [a for _, a in self.weights])]

    def k2_weight_names(self, fmt, prefix=''):
        labels = [label for label, _ in self.weights]
        if is_k3(fmt):
            return [f'{prefix}{self.name}/{self.k3_cell}/{label}' for label in labels]
        if is_old(fmt):
            return [f'{self.name}/{label}:0' for label in labels]
        return [f'{prefix}{self.name}/{self.k2_cell}/{label}:0' for label in labels]


class LSTM(Recurrent):
    cls, cell_cls, gates, n_states = 'LSTM', 'lstm_cell', 4, 2

    def step(self, fam):
        (_, w), (_, u), (_, b) = self.weights
        return lstm_step(w, u, b, activation(self.activation, fam), activation(self.recurrent_activation, fam))

    def own_config(self, fmt):
        config = {**self.rnn_config(fmt), **self.weight_config(fmt, unit_forget_bias=True)}
        if is_k3(fmt):
            config['seed'] = None
        else:
            config['implementation'] = 1 if is_old(fmt) else 2
        return config


class GRU(Recurrent):
    cls, cell_cls, gates, n_states = 'GRU', 'gru_cell', 3, 1

    def __init__(self, name, units, reset_after=True, **kw):
        super().__init__(name, units, **kw)
        self.reset_after = reset_after

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def step(self, fam):
        (_, w), (_, u), (_, b) = self.weights
        return gru_step(w, u, b, activation(self.activation, fam), activation(self.recurrent_activation, fam), self.reset_after)

    def own_config(self, fmt):
        config = {**self.rnn_config(fmt), **self.weight_config(fmt)}
        if fmt == 'k2.0':
            # Keras 2.0 knew no reset_after (it means False) and put implementation with the RNN options.
            return {**self.rnn_config(fmt), 'implementation': 0, **self.weight_config(fmt)}
        if is_k3(fmt):
            config.update({'reset_after': self.reset_after, 'seed': None})
        else:
            config.update({'implementation': 1 if is_old(fmt) else 2, 'reset_after': self.reset_after})
        return config


class SimpleRNN(Recurrent):
    cls, cell_cls, gates, n_states = 'SimpleRNN', 'simple_rnn_cell', 1, 1

    def step(self, fam):
        (_, w), (_, u), (_, b) = self.weights
        return simple_rnn_step(w, u, b, activation(self.activation, fam))

    def own_config(self, fmt):
        config = {**self.rnn_config(fmt), **self.weight_config(fmt, with_recurrent_activation=False)}
        if is_k3(fmt):
            config['seed'] = None
        return config


class Bidirectional(Layer):
    cls = 'Bidirectional'
    call_mask = True

    def __init__(self, name, layer, merge_mode='concat', k2_cells=None):
        super().__init__(name)
        self.layer, self.merge_mode = layer, merge_mode
        self.forward_layer = self._copy(f'forward_{layer.name}', False)
        self.backward_layer = self._copy(f'backward_{layer.name}', True)
        if k2_cells:
            self.forward_layer.k2_cell, self.backward_layer.k2_cell = k2_cells

    def _copy(self, name, go_backwards):
        inner = type(self.layer).__new__(type(self.layer))
        inner.__dict__.update({k: v for k, v in self.layer.__dict__.items()})
        inner.name, inner.go_backwards, inner.weights = name, go_backwards, []
        # Bidirectional forces zero_output_for_mask = return_sequences on both directions.
        inner.zero_output_for_mask = self.layer.return_sequences
        return inner

    def build(self, shapes, rng):
        super().build(shapes, rng)
        self.forward_layer.build(shapes, rng)
        self.backward_layer.build(shapes, rng)

    def output_shapes(self, shapes):
        out = self.forward_layer.output_shapes(shapes)[0]
        if self.merge_mode == 'concat':
            return [tuple(out[:-1]) + (2 * out[-1],)]
        return [out, out] if self.merge_mode is None else [out]

    def forward(self, xs, masks, fam):
        y = self.forward_layer.forward(xs, masks, fam)[0][0]
        y_rev = self.backward_layer.forward(xs, masks, fam)[0][0]
        if self.layer.return_sequences:
            y_rev = y_rev[:, ::-1]
        merged = {
            'concat': lambda: [np.concatenate([y, y_rev], axis=-1)],
            'sum': lambda: [y + y_rev],
            'mul': lambda: [y * y_rev],
            'ave': lambda: [(y + y_rev) / 2.0],
            None: lambda: [y, y_rev],
        }[self.merge_mode]()
        return merged, self.out_masks(masks[0], len(merged))

    def out_masks(self, in_mask, n_outputs):
        return [in_mask if self.layer.return_sequences else None] * n_outputs

    def config(self, fmt):
        base = self.base_config(fmt)
        if is_k3(fmt):
            return {**base, 'merge_mode': self.merge_mode, 'layer': serialize_new(self.forward_layer, fmt),
                    'backward_layer': serialize_new(self.backward_layer, fmt)}
        # tf.keras serializes the layer it was given (never built), then merge_mode.
        return {**base, 'layer': serialize_new(self.layer, fmt, with_build=False), 'merge_mode': self.merge_mode}

    def k3_saveables(self):
        out = [('', self.name, [])]
        for attr, inner in (('backward_layer', self.backward_layer), ('forward_layer', self.forward_layer)):
            out += [(f'{attr}/{path}' if path else attr, name, arrays) for path, name, arrays in inner.k3_saveables()]
        return out

    @property
    def weights_in_order(self):
        return self.forward_layer.weights + self.backward_layer.weights

    def k2_weight_names(self, fmt, prefix=''):
        return (self.forward_layer.k2_weight_names(fmt, f'{prefix}{self.name}/')
                + self.backward_layer.k2_weight_names(fmt, f'{prefix}{self.name}/'))


class TimeDistributed(Layer):
    cls = 'TimeDistributed'
    call_mask = True

    def __init__(self, name, layer):
        super().__init__(name)
        self.layer = layer

    def build(self, shapes, rng):
        super().build(shapes, rng)
        child = [shapes[0][0]] + list(shapes[0][2:])
        self.layer.build([child], rng)

    def output_shapes(self, shapes):
        child = self.layer.output_shapes([(shapes[0][0],) + tuple(shapes[0][2:])])[0]
        return [(child[0], shapes[0][1]) + tuple(child[1:])]

    def forward(self, xs, masks, fam):
        return [self.layer.forward(xs, [None], fam)[0][0]], [masks[0]]

    def config(self, fmt):
        return {**self.base_config(fmt), 'layer': serialize_new(self.layer, fmt)}

    def k3_saveables(self):
        return [('', self.name, []), ('layer', self.layer.name, [a for _, a in self.layer.weights])]

    @property
    def weights_in_order(self):
        return self.layer.weights

    def k2_weight_names(self, fmt, prefix=''):
        # The wrapper builds the inner layer inside its own name scope: time_distributed/kernel:0.
        return [f'{self.name}/{label}:0' for label, _ in self.layer.weights]


class Dropout(Layer):
    cls = 'Dropout'
    call_training = False

    def __init__(self, name, rate, **kw):
        super().__init__(name, **kw)
        self.rate = rate

    def own_config(self, fmt):
        if is_k3(fmt):
            return {'rate': self.rate, 'seed': None, 'noise_shape': None}
        return {'rate': self.rate, 'noise_shape': None, 'seed': None}


class SpatialDropout1D(Dropout):
    cls = 'SpatialDropout1D'

    def own_config(self, fmt):
        return {'rate': self.rate, 'seed': None}


class Masking(Layer):
    cls = 'Masking'

    def __init__(self, name, mask_value=0.0):
        super().__init__(name)
        self.mask_value = mask_value

    def forward(self, xs, masks, fam):
        keep = np.any(xs[0] != self.mask_value, axis=-1)
        return [xs[0] * keep[..., None]], [keep.astype(np.float64)]

    def own_config(self, fmt):
        return {'mask_value': self.mask_value}


class Concatenate(Layer):
    cls = 'Concatenate'
    passes_mask = False

    def __init__(self, name, axis=-1):
        super().__init__(name)
        self.axis = axis

    def build(self, shapes, rng):
        self.build_shape = [shape_list(s) for s in shapes]
        self.built = True

    def output_shapes(self, shapes):
        return [tuple(shapes[0][:-1]) + (sum(s[-1] for s in shapes),)]

    def forward(self, xs, masks, fam):
        assert all(m is None for m in masks), 'the fixtures concatenate unmasked tensors only'
        return [np.concatenate(xs, axis=self.axis)], [None]

    def own_config(self, fmt):
        return {'axis': self.axis}


class Flatten(Layer):
    cls = 'Flatten'
    passes_mask = False

    def output_shapes(self, shapes):
        return [(shapes[0][0], int(np.prod(shapes[0][1:])))]

    def forward(self, xs, masks, fam):
        return [xs[0].reshape(xs[0].shape[0], -1)], [None]

    def own_config(self, fmt):
        return {'data_format': 'channels_last'}


class Activation(Layer):
    cls = 'Activation'

    def __init__(self, name, activation, **kw):
        super().__init__(name, **kw)
        self.activation = activation

    def forward(self, xs, masks, fam):
        return [activation(self.activation, fam)(xs[0])], [masks[0]]

    def own_config(self, fmt):
        return {'activation': self.activation}


class RepeatVector(Layer):
    cls = 'RepeatVector'
    passes_mask = False

    def __init__(self, name, n):
        super().__init__(name)
        self.n = n

    def output_shapes(self, shapes):
        return [(shapes[0][0], self.n, shapes[0][1])]

    def forward(self, xs, masks, fam):
        return [np.repeat(xs[0][:, None, :], self.n, axis=1)], [None]

    def own_config(self, fmt):
        return {'n': self.n}


class Reshape(Layer):
    cls = 'Reshape'
    passes_mask = False

    def __init__(self, name, target_shape):
        super().__init__(name)
        self.target_shape = tuple(target_shape)

    def output_shapes(self, shapes):
        return [(shapes[0][0],) + self.target_shape]

    def forward(self, xs, masks, fam):
        return [xs[0].reshape((xs[0].shape[0],) + self.target_shape)], [None]

    def own_config(self, fmt):
        return {'target_shape': list(self.target_shape)}


class GlobalAveragePooling1D(Layer):
    cls = 'GlobalAveragePooling1D'
    call_mask = True
    passes_mask = False

    def output_shapes(self, shapes):
        return [(shapes[0][0], shapes[0][2])]

    def forward(self, xs, masks, fam):
        x, mask = xs[0], masks[0]
        if mask is None:
            return [x.mean(axis=1)], [None]
        # Keras averages the unmasked steps only.
        m = mask[..., None]
        return [(x * m).sum(axis=1) / m.sum(axis=1)], [None]

    def own_config(self, fmt):
        return {} if is_old(fmt) else {'data_format': 'channels_last', 'keepdims': False}


class GlobalMaxPooling1D(GlobalAveragePooling1D):
    cls = 'GlobalMaxPooling1D'
    call_mask = False

    def forward(self, xs, masks, fam):
        assert masks[0] is None, 'the fixtures max-pool unmasked tensors only'
        return [xs[0].max(axis=1)], [None]


def weights_of(layer):
    """A layer's weights in Keras order (wrappers: those of what they wrap)."""
    return getattr(layer, 'weights_in_order', layer.weights)
