"""Legacy HDF5 model files (model.save('m.h5')): tf.keras 2.x, Keras 2.0-2.1, and Keras 3's
legacy_h5_format.

Root attributes keras_version, backend, model_config (JSON), training_config (JSON); group
model_weights with attributes layer_names, backend, keras_version and one group per layer whose
attribute weight_names lists dataset paths relative to that group ("lstm/lstm_cell/kernel:0" is
the dataset kernel:0 in subgroups lstm/lstm_cell). A layer without weights stores weight_names as
an empty float64 array (h5py's conversion of []).

String types follow the h5py of each era: Keras 2.0-2.1 ran on h5py 2.x, which stored bytes as
fixed-length NULL-padded strings (numpy S); with h5py >= 3 (tf.keras 2.4+, Keras 3) a Python str
is a variable-length UTF-8 string, bytes and lists of bytes variable-length ASCII strings, and only
the chunks of a split attribute (numpy S arrays) stay fixed-length.
"""
import io
import json

import h5py
import numpy as np

from .layers import is_k3, is_old
from .models import Sequential, legacy_weights

HDF5_OBJECT_HEADER_LIMIT = 64512


def _names(values, fixed):
    encoded = [v.encode('utf8') for v in values]
    if not encoded:
        return []  # h5py stores [] as an empty float64 array
    return np.array(encoded) if fixed else encoded


def save_names(group, name, values, fixed, chunks=None):
    """save_attributes_to_hdf5_group: one attribute, or name0, name1, ... when too big for an
    object header (chunks forces the split on a small list, with the same np.array_split)."""
    data = np.asarray([v.encode('utf8') for v in values])
    n = 1
    while any(c.nbytes > HDF5_OBJECT_HEADER_LIMIT for c in np.array_split(data, n)):
        n += 1
    n = max(n, chunks or 1)
    if n > 1:
        for i, chunk in enumerate(np.array_split(data, n)):
            group.attrs[f'{name}{i}'] = chunk
    else:
        group.attrs[name] = _names(values, fixed)


def legacy_h5_bytes(model, fmt, keras_version, training_config=None, optimizer_weights=None, split_layer_names=None):
    fixed = is_old(fmt)
    text = (lambda s: np.bytes_(s.encode('utf8'))) if fixed else (lambda s: s.encode('utf8'))
    layers = model.layers
    prefix = f'{model.name}/' if is_k3(fmt) and isinstance(model, Sequential) else ''
    buffer = io.BytesIO()
    with h5py.File(buffer, mode='w') as f:
        # model_metadata: str values as they are (h5py >= 3: variable-length UTF-8), dicts as JSON bytes.
        f.attrs['keras_version'] = text(keras_version) if fixed else keras_version
        f.attrs['backend'] = text('tensorflow') if fixed else 'tensorflow'
        f.attrs['model_config'] = text(json.dumps(model.k2_config(fmt)))
        if training_config is not None:
            f.attrs['training_config'] = text(json.dumps(training_config))

        weights = f.create_group('model_weights')
        save_names(weights, 'layer_names', [l.name for l in layers], fixed, split_layer_names)
        weights.attrs['backend'] = text('tensorflow')
        weights.attrs['keras_version'] = text(keras_version)
        # Keras 2.2+ writes the groups sorted by name ("to avoid prefix issues"); 2.0-2.1 in order.
        for layer in (layers if fixed else sorted(layers, key=lambda l: l.name)):
            group = weights.create_group(layer.name)
            names, arrays = legacy_weights(layer, fmt, prefix)
            save_names(group, 'weight_names', names, fixed)
            for name, value in zip(names, arrays):
                group.create_dataset(name, value.shape, dtype=np.float32)[...] = value
        if not fixed:
            save_names(weights.create_group('top_level_model_weights'), 'weight_names', [], fixed)

        if optimizer_weights:
            group = f.create_group('optimizer_weights')
            save_names(group, 'weight_names', [n for n, _ in optimizer_weights], fixed)
            for name, value in optimizer_weights:
                group.create_dataset(name, value.shape, dtype=value.dtype)[()] = value
    return buffer.getvalue()
