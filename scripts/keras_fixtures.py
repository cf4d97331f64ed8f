#!/usr/bin/env python3
"""Keras model files written without Keras, field for field, with float64 reference predictions.

Usage: /usr/bin/python3 scripts/keras_fixtures.py test/fixtures/keras   (npm run fixtures:keras)
Needs numpy, h5py (Debian python3-h5py) and torch (to prove the references first).

Writes, for each fixture in scripts/keras_fixture_lib/fixtures.py, the model file (.keras zip,
legacy .h5, an .h5 named .keras, or a directory with sharded weights) and <name>.expected.json:
  {"file", "format", "keras_version", "inputs": [one nested list per model input],
   "input_dtype": "int" | "float" (a list for several inputs), "outputs": [one per model output],
   "tolerance", "notes"}
Weights and inputs are float32 values; the outputs are computed in float64 by the numpy layers of
keras_fixture_lib, whose LSTM, GRU and SimpleRNN are asserted against PyTorch before anything is
written. What each writer imitates, and from which Keras source, is in test/fixtures/keras/README.md.
"""
import json
import os
import shutil
import sys
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from keras_fixture_lib.fixtures import ALL, trainable  # noqa: E402
from keras_fixture_lib.keras3_files import metadata_json, optimizer_saveable, weights_h5_bytes, write_keras_zip, write_sharded  # noqa: E402
from keras_fixture_lib.layers import is_k3  # noqa: E402
from keras_fixture_lib.legacy_h5 import legacy_h5_bytes  # noqa: E402
from keras_fixture_lib.torch_check import check_recurrent_references  # noqa: E402

TOLERANCE = 1e-5
SHARD_BYTES = 450  # puts the GRU (432 bytes) in the first shard and the Dense in the second


def k3_config(fixture):
    config = fixture.model.k3_serialized(fixture.fmt)
    if 'compile_config' in fixture.extra:
        config['compile_config'] = fixture.extra['compile_config']
    return config


def k3_saveables(fixture):
    saveables = fixture.model.k3_saveables()
    if fixture.extra.get('optimizer'):
        saveables.append(optimizer_saveable(trainable(fixture.model), np.random.default_rng(7)))
    return saveables


def write_model(fixture, out_dir):
    path = os.path.join(out_dir, fixture.file)
    if fixture.extra.get('sharded'):
        directory = os.path.dirname(path)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        with open(os.path.join(directory, 'metadata.json'), 'w') as f:
            f.write(metadata_json(fixture.version))
        with open(os.path.join(directory, 'config.json'), 'w') as f:
            f.write(json.dumps(k3_config(fixture)))
        write_sharded(directory, k3_saveables(fixture), SHARD_BYTES / 1024 ** 3)
    elif fixture.file.endswith('.keras') and is_k3(fixture.fmt):
        compression = zipfile.ZIP_DEFLATED if fixture.extra.get('deflate') else zipfile.ZIP_STORED
        write_keras_zip(path, k3_config(fixture), fixture.version, weights_h5_bytes(k3_saveables(fixture)), compression)
    else:
        data = legacy_h5_bytes(fixture.model, fixture.fmt, fixture.version, fixture.extra.get('training_config'),
                               fixture.extra.get('optimizer_weights'), fixture.extra.get('split_layer_names'))
        with open(path, 'wb') as f:
            f.write(data)


def as_list(x, dtype):
    return x.astype(np.int64).tolist() if dtype == 'int' else x.tolist()


def expected(fixture):
    outputs = fixture.model.evaluate(fixture.inputs)
    for i, y in enumerate(outputs):
        # Saturated outputs (exact 0 or 1 from a clamp or relu) would hide errors in what precedes them.
        assert np.all(np.isfinite(y)) and not np.any(np.isin(np.abs(y), (0.0, 1.0))), f'{fixture.name}: output {i} saturates'
    dtypes = fixture.input_dtype if isinstance(fixture.input_dtype, list) else [fixture.input_dtype] * len(fixture.inputs)
    return {
        'file': fixture.file,
        'format': 'keras-dir-sharded' if fixture.extra.get('sharded') else ('keras-zip' if fixture.file.endswith('.keras') and is_k3(fixture.fmt) else 'hdf5'),
        'keras_version': fixture.version,
        'inputs': [as_list(x, d) for x, d in zip(fixture.inputs, dtypes)],
        'input_dtype': fixture.input_dtype,
        'outputs': [y.tolist() for y in outputs],
        'tolerance': TOLERANCE,
        'notes': fixture.notes,
    }


def main(out_dir):
    check_recurrent_references(np.random.default_rng(0))
    os.makedirs(out_dir, exist_ok=True)
    for make in ALL:
        fixture = make()
        write_model(fixture, out_dir)
        with open(os.path.join(out_dir, f'{fixture.name}.expected.json'), 'w') as f:
            json.dump(expected(fixture), f, indent=1)
            f.write('\n')
        print(f'wrote {fixture.file}')


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
