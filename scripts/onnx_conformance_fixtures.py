#!/usr/bin/env python3
"""ONNX's own operator conformance cases for LSTM, GRU and RNN, as lw.loadModel's ONNX import must pass them.

Usage: /usr/bin/python3 scripts/onnx_conformance_fixtures.py test/fixtures/onnx/conformance
(Debian's python3-onnx 1.12). Runs the case generators of onnx/backend/test/case/node/{lstm,gru,rnn}.py
(the code that writes onnx/backend/test/data/node/test_*), catching each expect() call, and writes
OUT_DIR/<case>.onnx (the model exactly as ONNX's test data holds it) and OUT_DIR/<case>.json:
{ "inputs": [{ "name", "dtype", "shape", "data" }], "outputs": [{ "name", "shape", "data" }],
  "rtol", "atol" } with data flat, row-major. The cases' weights are graph inputs, not initializers.
"""
import json
import os
import sys

import numpy as np

# onnx 1.12's case files use np.float, removed in numpy 1.24
if not hasattr(np, 'float'):
    np.float = float  # type: ignore[attr-defined]

import onnx  # noqa: E402
from onnx.backend.test.case import node as node_cases  # noqa: E402
from onnx.backend.test.case.node import gru, lstm, rnn  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures/onnx/conformance'
CASES = {
    'test_lstm_defaults', 'test_lstm_with_initial_bias', 'test_lstm_with_peepholes', 'test_lstm_batchwise',
    'test_gru_defaults', 'test_gru_with_initial_bias', 'test_gru_seq_length', 'test_gru_batchwise',
    'test_simple_rnn_defaults', 'test_simple_rnn_with_initial_bias', 'test_simple_rnn_batchwise', 'test_rnn_seq_length',
}


def array(name, a):
    return {'name': name, 'dtype': str(a.dtype), 'shape': list(a.shape), 'data': a.flatten().tolist()}


def main():
    os.makedirs(OUT, exist_ok=True)
    np.random.seed(0)  # the seq_length cases draw their weights
    node_cases._NodeTestCases.clear()
    for module, cls in ((lstm, lstm.LSTM), (gru, gru.GRU), (rnn, rnn.RNN)):
        for attr in dir(cls):
            if attr.startswith('export'):
                getattr(cls, attr)()
    written = set()
    for case in node_cases._NodeTestCases:
        if case.name not in CASES:
            continue
        model = case.model
        (inputs, outputs), = case.data_sets
        graph = model.graph
        onnx.save(model, os.path.join(OUT, case.name + '.onnx'))
        data = {
            'inputs': [array(i.name, a) for i, a in zip(graph.input, inputs)],
            'outputs': [array(o.name, a) for o, a in zip(graph.output, outputs)],
            'rtol': case.rtol, 'atol': case.atol,
        }
        with open(os.path.join(OUT, case.name + '.json'), 'w') as f:
            json.dump(data, f)
        written.add(case.name)
        print(case.name, 'opset', model.opset_import[0].version, [i.name for i in graph.input], '→', [o.name for o in graph.output])
    missing = CASES - written
    if missing:
        sys.exit(f'cases not generated: {sorted(missing)}')


if __name__ == '__main__':
    main()
