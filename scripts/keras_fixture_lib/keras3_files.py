"""Keras 3 files: the .keras zip (saving_lib._save_model_to_fileobj), its model.weights.h5
(H5IOStore as of 3.6: every saveable gets `<path>/vars`, created even when empty, with attribute
`name`), and the sharded weights of 3.10+ (ShardedH5IOStore: model.weights.json + shards).
"""
import io
import json
import zipfile

import h5py
import numpy as np

# Fixed, so the fixtures are byte-for-byte reproducible (Keras writes the save time).
DATE_SAVED = '2024-10-15@14:03:27'
ZIP_TIME = (2024, 10, 15, 14, 3, 27)


def metadata_json(version):
    return json.dumps({'keras_version': version, 'date_saved': DATE_SAVED})


def weights_h5_bytes(saveables):
    """model.weights.h5 as Keras 3.6 writes it: `vars` groups in visit order, datasets "0", "1", ..."""
    buffer = io.BytesIO()
    with h5py.File(buffer, mode='w') as f:
        for path, name, arrays in saveables:
            group = f.create_group(path).create_group('vars') if path else f.create_group('vars')
            group.attrs['name'] = name  # str: variable-length UTF-8
            for i, value in enumerate(arrays):
                group[str(i)] = as_stored(value)
    return buffer.getvalue()


def as_stored(value):
    """Variables are float32 (the references hold their values as float64); counters stay int."""
    value = np.asarray(value)
    return value.astype(np.float32) if value.dtype == np.float64 else value


def optimizer_saveable(trainable, rng, iterations=3, learning_rate=0.001):
    """Adam's variables as Keras 3.6 lists them: iteration, learning_rate, then momentum and
    velocity of each trainable variable in turn (values are plausible, not from a real run)."""
    arrays = [np.array(iterations, dtype=np.int64), np.array(learning_rate, dtype=np.float32)]
    for var in trainable:
        arrays.append((rng.normal(0, 0.01, var.shape)).astype(np.float32))
        arrays.append((np.abs(rng.normal(0, 1e-4, var.shape))).astype(np.float32))
    return ('optimizer', 'adam', arrays)


def write_keras_zip(path, config, version, weights, compression=zipfile.ZIP_STORED):
    """metadata.json and config.json through ZipFile.open (external_attr 0), then
    model.weights.h5 through writestr (external_attr 0o600 << 16); the empty assets dir adds nothing."""
    with zipfile.ZipFile(path, 'w') as zf:
        for name, text in (('metadata.json', metadata_json(version)), ('config.json', json.dumps(config))):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = compression
            with zf.open(info, 'w') as f:
                f.write(text.encode())
        info = zipfile.ZipInfo('model.weights.h5', date_time=ZIP_TIME)
        info.compress_type = compression
        info.external_attr = 0o600 << 16
        zf.writestr(info, weights)


class ShardedWeights:
    """ShardedH5IOStore (Keras 3.10) writing to a directory: shards `<base>_00000.weights.h5`, ...
    A store made with a name (every Keras saveable has one) creates `<path>/vars` with attribute
    `name` in the current shard at once; when a value does not fit, the shard is closed, the next
    one opened, and that path's `vars` group is created there without attributes."""

    def __init__(self, directory, max_shard_size_gb, base='model'):
        self.directory, self.max_size, self.base = directory, float(max_shard_size_gb), base
        self.index = 0
        self.weight_map = {}
        self.total_bytes = 0.0  # Keras adds count * bits / 8: a float, written as e.g. 472.0
        self.current_size = 0.0
        self._open_shard()

    def _open_shard(self):
        self.shard_name = f'{self.base}_{self.index:05}.weights.h5'
        self.index += 1
        self.file = h5py.File(f'{self.directory}/{self.shard_name}', mode='w')
        self.group = None

    def make(self, path, name=None):
        self.path = path
        self.group = None
        if name is not None:
            self._create_group(name)

    def _create_group(self, name=None):
        self.group = self.file.create_group(self.path).create_group('vars') if self.path else self.file.create_group('vars')
        if name is not None:
            self.group.attrs['name'] = name

    def __setitem__(self, key, value):
        bits = value.dtype.itemsize * 8
        size_gb = value.size * bits / (8.0 * 1024 ** 3)
        self.total_bytes += value.size * bits / 8
        self.current_size += size_gb
        if self.current_size > self.max_size:
            self.file.close()
            self._open_shard()
            self.make(self.path)
            self.current_size = size_gb
        if self.group is None:
            self._create_group()
        self.group[key] = value
        self.weight_map.setdefault(self.group.name, self.shard_name)

    def close(self):
        self.file.close()
        config = {'metadata': {'total_size': self.total_bytes}, 'weight_map': self.weight_map}
        with open(f'{self.directory}/{self.base}.weights.json', 'w') as f:
            f.write(json.dumps(config, indent=4))


def write_sharded(directory, saveables, max_shard_size_gb):
    store = ShardedWeights(directory, max_shard_size_gb)
    for path, name, arrays in saveables:
        store.make(path, name)
        for i, value in enumerate(arrays):
            store[str(i)] = as_stored(value)
    store.close()
