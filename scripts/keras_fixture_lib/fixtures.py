"""The fixture models. Each function returns a Fixture: its model, inputs, and how to write it."""
import numpy as np

from .layers import (LSTM, GRU, Activation, Bidirectional, Concatenate, Dense, Dropout, Embedding, Flatten,
                     GlobalAveragePooling1D, GlobalMaxPooling1D, InputLayer, Masking, RepeatVector, Reshape,
                     SimpleRNN, SpatialDropout1D, TimeDistributed, weights_of)
from .numerics import f32
from .models import Functional, Sequential


class Fixture:
    def __init__(self, name, file, model, inputs, input_dtype, fmt, version, notes, **extra):
        self.name, self.file, self.model, self.fmt, self.version, self.notes = name, file, model, fmt, version, notes
        self.inputs = [np.asarray(x, dtype=np.float64) for x in inputs]
        self.input_dtype = input_dtype
        self.extra = extra


def floats(rng, shape):
    return f32(rng.uniform(-1, 1, shape))


def trainable(model):
    return [a for layer in model.layers for _, a in weights_of(layer)]


# --- Keras 3 ---------------------------------------------------------------------------------------

def k3_compile_config():
    adam = {'name': 'adam', 'learning_rate': 0.0010000000474974513, 'weight_decay': None, 'clipnorm': None,
            'global_clipnorm': None, 'clipvalue': None, 'use_ema': False, 'ema_momentum': 0.99,
            'ema_overwrite_frequency': None, 'loss_scale_factor': None, 'gradient_accumulation_steps': None,
            'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-07, 'amsgrad': False}
    return {'optimizer': {'module': 'keras.optimizers', 'class_name': 'Adam', 'config': adam, 'registered_name': None},
            'loss': 'mse', 'loss_weights': None, 'metrics': ['mae'], 'weighted_metrics': None,
            'run_eagerly': False, 'steps_per_execution': 1, 'jit_compile': False}


def k3_sequential_masking_lstm():
    rng = np.random.default_rng(101)
    model = Sequential('sequential', InputLayer('input_layer', (None, 5, 3)), [
        Masking('masking'),
        LSTM('encoder', 6, return_sequences=True),
        LSTM('summary', 4, go_backwards=True),
        Dense('head', 2, activation='hard_sigmoid'),
    ], rng, 'k3')
    x = floats(rng, (3, 5, 3))
    x[1, 3:] = 0.0
    x[2, 1:] = 0.0
    return Fixture('k3_sequential_masking_lstm', 'k3_sequential_masking_lstm.keras', model, [x], 'float', 'k3.6', '3.6.0',
                   'Keras 3.6 .keras (zip, stored). Sequential (its InputLayer is in config.json but has no weights '
                   'entry), Masking of trailing all-zero steps, LSTM return_sequences, LSTM go_backwards (last output), '
                   'Dense hard_sigmoid (Keras 3: relu6(x+3)/6). Layer names differ from the class-based weight paths '
                   '(encoder -> layers/lstm, summary -> layers/lstm_1, head -> layers/dense). Compiled with Adam: '
                   'compile_config, and optimizer/vars (iteration, learning_rate, then momentum and velocity per variable).',
                   compile_config=k3_compile_config(), optimizer=True)


def k3_functional_embedding_bilstm():
    rng = np.random.default_rng(102)
    g = Functional('functional', rng, 'k3')
    tokens = g.input('tokens', (6,), 'int32')
    x = g(Embedding('embedding', 12, 4, mask_zero=True), tokens)
    x = g(Bidirectional('bidirectional', LSTM('lstm', 3, return_sequences=True), 'concat'), x)
    x = g(GlobalAveragePooling1D('global_average_pooling1d'), x)
    x = g(Dropout('dropout', 0.3), x)
    y = g(Dense('dense', 2, activation='softmax'), x)
    ids = [[3, 7, 1, 9, 0, 0], [5, 11, 2, 0, 0, 0], [8, 4, 6, 2, 10, 1]]
    return Fixture('k3_functional_embedding_bilstm', 'k3_functional_embedding_bilstm.keras', g.finish(tokens, y), [ids], 'int',
                   'k3.6', '3.6.0',
                   'Keras 3.6 .keras. Functional, int32 token input, Embedding mask_zero (the mask is a NotEqual '
                   'operation entry in config.json layers, named not_equal, with no weights), Bidirectional(LSTM, '
                   'return_sequences) merge concat (masked steps output zeros in both directions), '
                   'GlobalAveragePooling1D over unmasked steps only, Dropout, Dense softmax. Node kwargs carry '
                   '"mask" tensors (keras_history ["not_equal", 0, 0]) and "training": false.')


def k3_functional_multi_io():
    rng = np.random.default_rng(103)
    g = Functional('functional', rng, 'k3')
    tokens = g.input('tokens', (5,), 'float32')
    features = g.input('features', (4, 2), 'float32')
    x = g(Embedding('embedding', 10, 3), tokens)
    out, h, c = g(LSTM('lstm', 4, return_state=True), x)
    s = g(SimpleRNN('simple_rnn', 3, go_backwards=True, return_sequences=True), features)
    s = g(GlobalMaxPooling1D('global_max_pooling1d'), s)
    m = g(Concatenate('concatenate'), [c, s])
    m = g(Dense('mix', 3, activation='relu'), m)
    score = g(Dense('score', 1), m)
    r = g(RepeatVector('repeat_vector', 2), h)
    r = g(TimeDistributed('time_distributed', Dense('dense', 2)), r)
    r = g(Flatten('flatten'), r)
    r = g(Activation('activation', 'tanh'), r)
    ids = [[1, 4, 4, 9, 2], [7, 0, 3, 3, 5]]
    return Fixture('k3_functional_multi_io', 'k3_functional_multi_io.keras', g.finish([tokens, features], [score, r]),
                   [ids, floats(rng, (2, 4, 2))], ['int', 'float'], 'k3.6', '3.6.0',
                   'Keras 3.6 .keras. Functional with two inputs (float32-declared token ids, float sequences) and two '
                   'outputs: input_layers / output_layers are lists of [name, node, tensor]. LSTM return_state '
                   '(outputs 0, 1, 2 = output, h, c; c feeds Concatenate, h feeds RepeatVector), SimpleRNN '
                   'go_backwards return_sequences (outputs stay in reversed time order), GlobalMaxPooling1D, '
                   'Concatenate, three Dense layers named mix, score and dense (TimeDistributed) whose weight paths '
                   'follow model.layers order (layers/dense = mix, layers/dense_1 = score), Flatten, Activation tanh.')


def k3_functional_nested_sequential():
    rng = np.random.default_rng(104)
    g = Functional('functional', rng, 'k3')
    series = g.input('series', (5, 3))
    inner = Sequential('sequential', InputLayer('input_layer', (None, 5, 3)), [
        GRU('gru', 4, reset_after=False, return_sequences=True),
        SpatialDropout1D('spatial_dropout1d', 0.2),
    ], rng, 'k3')
    x = g(inner, series)
    x = g(GlobalAveragePooling1D('global_average_pooling1d'), x)
    x = g(Dense('dense', 4, activation='hard_sigmoid'), x)
    y = g(Reshape('reshape', (2, 2)), x)
    return Fixture('k3_functional_nested_sequential', 'k3_functional_nested_sequential.keras', g.finish([series], [y]),
                   [floats(rng, (2, 5, 3))], 'float', 'k3.6', '3.6.0',
                   'Keras 3.6 .keras. Functional built as keras.Model([x], [y]): input_layers and output_layers are '
                   'lists of one [name, node, tensor]. A Sequential used as a layer (its config nested whole, its '
                   'weights under layers/sequential/layers/...; it has its own InputLayer, named like the outer '
                   'one would be), GRU reset_after=false (bias [3U]), SpatialDropout1D, GlobalAveragePooling1D, '
                   'Dense hard_sigmoid (Keras 3 formula), Reshape to [2, 2].')


def k3_functional_bidirectional_modes():
    rng = np.random.default_rng(105)
    g = Functional('functional', rng, 'k3')
    x = g.input('sequence', (4, 3))
    a = g(Bidirectional('bidirectional', GRU('gru', 3, return_sequences=True), 'sum'), x)
    fw, bw = g(Bidirectional('bidirectional_1', LSTM('lstm', 2), None), a)
    return Fixture('k3_functional_bidirectional_modes', 'k3_functional_bidirectional_modes.keras', g.finish(x, [fw, bw]),
                   [floats(rng, (3, 4, 3))], 'float', 'k3.6', '3.6.0',
                   'Keras 3.6 .keras. Bidirectional(GRU reset_after, return_sequences) merge sum, then '
                   'Bidirectional(LSTM) merge_mode null: two output tensors of one layer, the model outputs '
                   '[["bidirectional_1", 0, 0], ["bidirectional_1", 0, 1]] (forward, backward).')


def k3_sequential_deflate():
    rng = np.random.default_rng(106)
    model = Sequential('sequential', InputLayer('input_layer', (None, 6), 'int32'), [
        Embedding('embedding', 15, 4),
        SimpleRNN('simple_rnn', 5, return_sequences=True),
        TimeDistributed('time_distributed', Dense('dense', 3)),
        Flatten('flatten'),
        Dense('dense_1', 2),
    ], rng, 'k3')
    ids = [[1, 2, 3, 4, 5, 6], [14, 0, 7, 7, 2, 9]]
    return Fixture('k3_sequential_deflate', 'k3_sequential_deflate.keras', model, [ids], 'int', 'k3.6', '3.6.0',
                   'Keras 3.6 .keras content in a zip whose entries are deflate-compressed (Keras itself writes them '
                   'stored; re-zipped archives are deflated). Sequential, int32 InputLayer, Embedding without mask, '
                   'SimpleRNN return_sequences, TimeDistributed(Dense) (weights under layers/time_distributed/layer), '
                   'Flatten, Dense.', deflate=True)


def k3_sharded_gru():
    rng = np.random.default_rng(107)
    model = Sequential('sequential', InputLayer('input_layer', (None, 4, 3)), [
        GRU('gru', 4),
        Dense('dense', 2),
    ], rng, 'k3')
    return Fixture('k3_sharded_gru', 'k3_sharded_gru/model.weights.json', model, [floats(rng, (2, 4, 3))], 'float',
                   'k3.10', '3.10.0',
                   'Keras 3.10 sharded weights in a model directory: config.json and metadata.json as '
                   'model.save(dir, zipped=False) writes them, and instead of model.weights.h5 what '
                   'model.save_weights(dir + "/model.weights.json", max_shard_size=450 / 1024**3) writes: '
                   'model.weights.json (metadata.total_size in bytes, weight_map from "/<path>/vars" to its shard) '
                   'and shards model_00000.weights.h5 (GRU) and model_00001.weights.h5 (Dense). Load it through '
                   'model.weights.json (or the directory).', sharded=True)


def k3_legacy_sequential():
    rng = np.random.default_rng(108)
    model = Sequential('sequential', InputLayer('input_layer', (None, 5, 2)), [
        LSTM('lstm', 4),
        Dense('dense', 1),
    ], rng, 'k3')
    adam = k3_compile_config()['optimizer']['config']
    training = {'loss': 'mse', 'loss_weights': None, 'metrics': ['mae'], 'weighted_metrics': None, 'run_eagerly': False,
                'steps_per_execution': 1, 'jit_compile': False, 'optimizer_config': {'class_name': 'Adam', 'config': adam}}
    optimizer = [('adam/iteration', np.array(0, dtype=np.int64)), ('adam/learning_rate', np.array(0.001, dtype=np.float32))]
    return Fixture('k3_legacy_sequential', 'k3_legacy_sequential.h5', model, [floats(rng, (2, 5, 2))], 'float',
                   'k3.6', '3.6.0',
                   'Keras 3.6 model.save("m.h5") (legacy_h5_format): model_config with legacy layer entries '
                   '(class_name + config, no module) holding Keras 3 configs (DTypePolicy dtype, batch_shape); '
                   'weight_names are Keras 3 variable paths prefixed by the model name '
                   '(sequential/lstm/lstm_cell/kernel, no ":0"); compiled: training_config and optimizer_weights '
                   '(adam/iteration, adam/learning_rate).', training_config=training, optimizer_weights=optimizer)


# --- Keras 2 ---------------------------------------------------------------------------------------

def k2_15_adam():
    return {'class_name': 'Custom>Adam', 'config': {
        'name': 'Adam', 'weight_decay': None, 'clipnorm': None, 'global_clipnorm': None, 'clipvalue': None,
        'use_ema': False, 'ema_momentum': 0.99, 'ema_overwrite_frequency': None, 'jit_compile': False,
        'is_legacy_optimizer': False, 'learning_rate': 0.0010000000474974513, 'beta_1': 0.9, 'beta_2': 0.999,
        'epsilon': 1e-07, 'amsgrad': False}}


def k2_15_functional_bidirectional():
    rng = np.random.default_rng(201)
    g = Functional('model', rng, 'k2')
    tokens = g.input('input_1', (6,), 'float32')
    x = g(Embedding('embedding', 12, 4, mask_zero=True), tokens)
    x = g(Bidirectional('bidirectional', LSTM('lstm', 3, return_sequences=True), 'mul', k2_cells=('lstm_cell_1', 'lstm_cell_2')), x)
    x = g(Bidirectional('bidirectional_1', GRU('gru', 3), 'ave', k2_cells=('gru_cell_1', 'gru_cell_2')), x)
    y = g(Dense('dense', 2, activation='hard_sigmoid'), x)
    training = {'loss': 'mse', 'metrics': ['mae'], 'weighted_metrics': None, 'loss_weights': None, 'optimizer_config': k2_15_adam()}
    ids = [[4, 9, 1, 0, 0, 0], [2, 2, 7, 11, 5, 0], [10, 3, 0, 0, 0, 0]]
    return Fixture('k2_15_functional_bidirectional', 'k2_15_functional_bidirectional.h5', g.finish(tokens, y), [ids], 'int',
                   'k2.15', '2.15.0',
                   'tf.keras 2.15 model.save("m.h5"). Functional (class_name "Functional"), float32-declared token '
                   'input, Embedding mask_zero, Bidirectional(LSTM return_sequences) merge mul, '
                   'Bidirectional(GRU reset_after) merge ave, Dense hard_sigmoid (Keras 2: 0.2x+0.5). Weight names '
                   'bidirectional/forward_lstm/lstm_cell_1/kernel:0 ... (forward then backward). Compiled, not '
                   'trained: training_config (optimizer "Custom>Adam"), optimizer_weights holds iteration:0.',
                   training_config=training, optimizer_weights=[('iteration:0', np.array(0, dtype=np.int64))])


def k2_15_sequential_many_layers():
    rng = np.random.default_rng(202)
    model = Sequential('sequential', InputLayer('lstm_input', (None, 5, 3)), [
        LSTM('lstm', 5, return_sequences=True, k2_cell='lstm_cell_25', batch_input_shape=(None, 5, 3)),
        Dropout('dropout', 0.25),
        TimeDistributed('time_distributed', Dense('dense', 4)),
        Activation('activation', 'relu'),
        SimpleRNN('simple_rnn', 3, return_sequences=True),
        GlobalAveragePooling1D('global_average_pooling1d'),
        Dense('dense_1', 4, activation='tanh'),
        RepeatVector('repeat_vector', 2),
        Flatten('flatten'),
        Dense('dense_2', 2, activation='hard_sigmoid'),
        Activation('activation_1', 'linear'),
        Dropout('dropout_1', 0.1),
    ], rng, 'k2')
    return Fixture('k2_15_sequential_many_layers', 'k2_15_sequential_many_layers.h5', model, [floats(rng, (2, 5, 3))],
                   'float', 'k2.15', '2.15.0',
                   'tf.keras 2.15 Sequential of 12 layers. model_weights layer_names is split into layer_names0, '
                   'layer_names1, layer_names2 (fixed-length strings, np.array_split of one array) the way '
                   'save_attributes_to_hdf5_group splits attributes over 64512 bytes; this list is smaller, so the '
                   'split is forced (3 chunks) to exercise the reader. The LSTM layer "lstm" holds '
                   'lstm/lstm_cell_25/kernel:0 (cells are numbered per session, unlike the layer). TimeDistributed '
                   'weights are time_distributed/kernel:0. Layers without weights store weight_names as an empty '
                   'float64 array.', split_layer_names=3)


def k2_1_6_sequential_embedding_lstm():
    rng = np.random.default_rng(203)
    model = Sequential('sequential_1', InputLayer('embedding_1_input', (None, 5)), [
        Embedding('embedding_1', 10, 4, mask_zero=True, input_length=5, batch_input_shape=(None, 5)),
        LSTM('lstm_1', 4, recurrent_activation='hard_sigmoid'),
        Dropout('dropout_1', 0.5),
        Dense('dense_1', 3),
        Activation('activation_1', 'hard_sigmoid'),
    ], rng, 'k2')
    adam = {'lr': 0.0010000000474974513, 'beta_1': 0.8999999761581421, 'beta_2': 0.9990000128746033, 'decay': 0.0,
            'epsilon': 1e-07, 'amsgrad': False}
    training = {'optimizer_config': {'class_name': 'Adam', 'config': adam}, 'loss': 'categorical_crossentropy',
                'metrics': ['accuracy'], 'sample_weight_mode': None, 'loss_weights': None}
    ids = [[2, 5, 9, 0, 0], [7, 1, 0, 0, 0], [3, 3, 8, 6, 4]]
    return Fixture('k2_1_6_sequential_embedding_lstm', 'k2_1_6_sequential_embedding_lstm.h5', model, [ids], 'int',
                   'k2.1', '2.1.6',
                   'Keras 2.1.6 (TensorFlow backend, h5py 2.x) model.save: every string attribute is a fixed-length '
                   'NULL-padded byte string (numpy S), model_config is {"class_name": "Sequential", "config": [...]} '
                   '(a bare list of layers; the first has batch_input_shape and dtype float32 for token ids), weight '
                   'names lstm_1/kernel:0 (no cell scope), LSTM recurrent_activation hard_sigmoid (the 2.0-2.2 default, '
                   '0.2x+0.5), implementation 1, Embedding mask_zero, Activation hard_sigmoid. Compiled before saving, '
                   'never trained: training_config, no optimizer_weights.', training_config=training)


def k2_0_8_sequential_gru():
    rng = np.random.default_rng(204)
    model = Sequential('sequential_1', InputLayer('gru_1_input', (None, 5, 3)), [
        GRU('gru_1', 4, reset_after=False, recurrent_activation='hard_sigmoid', return_sequences=True, batch_input_shape=(None, 5, 3)),
        GlobalAveragePooling1D('global_average_pooling1d_1'),
        Dense('dense_1', 2),
    ], rng, 'k2')
    return Fixture('k2_0_8_sequential_gru', 'k2_0_8_sequential_gru.h5', model, [floats(rng, (2, 5, 3))], 'float',
                   'k2.0', '2.0.8',
                   'Keras 2.0.8 model.save of an uncompiled Sequential (bare-list config, fixed-length strings, no '
                   'training_config): a GRU config without reset_after (Keras had none: it means false, bias [3U]), '
                   'implementation 0, recurrent_activation hard_sigmoid; GlobalAveragePooling1D whose config is only '
                   'name and trainable.')


def k2_12_hdf5_named_keras():
    rng = np.random.default_rng(205)
    model = Sequential('sequential', InputLayer('gru_input', (None, 4, 2)), [
        GRU('gru', 3, batch_input_shape=(None, 4, 2)),
        Dense('dense', 1),
    ], rng, 'k2')
    return Fixture('k2_12_hdf5_named_keras', 'k2_12_hdf5_named_keras.keras', model, [floats(rng, (3, 4, 2))], 'float',
                   'k2.12', '2.12.0',
                   'A legacy HDF5 file named .keras (tf.keras 2.12 model.save("m.keras", save_format="h5")): detect '
                   'the format from the bytes (HDF5 signature), not the name. Sequential GRU reset_after (bias [2, 3U]), Dense.')


ALL = [k3_sequential_masking_lstm, k3_functional_embedding_bilstm, k3_functional_multi_io, k3_functional_nested_sequential,
       k3_functional_bidirectional_modes, k3_sequential_deflate, k3_sharded_gru, k3_legacy_sequential,
       k2_15_functional_bidirectional, k2_15_sequential_many_layers, k2_1_6_sequential_embedding_lstm,
       k2_0_8_sequential_gru, k2_12_hdf5_named_keras]
