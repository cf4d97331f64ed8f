#!/usr/bin/env python3
"""PyTorch models exported with torch.onnx.export (opset 17), for lw.loadModel's ONNX import.

Usage: /usr/bin/python3 scripts/onnx_torch_fixtures.py test/fixtures/onnx/torch
(Debian's python3-torch 1.13). Writes OUT_DIR/<name>.onnx and OUT_DIR/<name>.json:
{ "input": { "name", "dtype", "shape", "data" (flat, row-major, as fed to the ONNX file) },
  "output": { "shape", "data" } } where the output is PyTorch's own, in float64 (the model is cast to
double after export, so the reference is the exported float32 weights computed exactly).

Every export is the call docs/from-python.md shows: named input and output, the batch (and time)
axes dynamic, so torch emits its shape glue instead of folding the example's batch size in.
"""
import json
import os
import sys

import torch
from torch import nn

OUT = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures/onnx/torch'


class EmbeddingLSTM(nn.Module):
    """nn.Embedding → nn.LSTM(batch_first) → last step → nn.Linear → softmax."""
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(12, 4)
        self.lstm = nn.LSTM(4, 6, batch_first=True)
        self.head = nn.Linear(6, 3)

    def forward(self, ids):
        y, _ = self.lstm(self.embed(ids))
        return torch.softmax(self.head(y[:, -1, :]), dim=-1)


class LastStep(nn.Module):
    """rnn(batch_first) → last step of the sequence output → nn.Linear → activation."""
    def __init__(self, rnn, hidden, act):
        super().__init__()
        self.rnn = rnn
        self.head = nn.Linear(hidden, 2)
        self.act = act

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.act(self.head(y[:, -1, :]))


class FinalState(nn.Module):
    """rnn(batch_first) → h_n[-1] (the last layer's final state) → nn.Linear."""
    def __init__(self, rnn, hidden):
        super().__init__()
        self.rnn = rnn
        self.head = nn.Linear(hidden, 3)

    def forward(self, x):
        _, h = self.rnn(x)
        if isinstance(h, tuple):
            h = h[0]
        return self.head(h[-1])


class BothDirections(nn.Module):
    """bidirectional rnn(batch_first) → torch.cat of h_n's last forward and backward states → nn.Linear."""
    def __init__(self, rnn, hidden):
        super().__init__()
        self.rnn = rnn
        self.head = nn.Linear(2 * hidden, 2)

    def forward(self, x):
        _, h = self.rnn(x)
        if isinstance(h, tuple):
            h = h[0]
        return self.head(torch.cat([h[-2], h[-1]], dim=1))


class Sequences(nn.Module):
    """rnn(batch_first) → every step → nn.Linear on each (MatMul + Add) → relu."""
    def __init__(self, rnn, features):
        super().__init__()
        self.rnn = rnn
        self.head = nn.Linear(features, 2)

    def forward(self, x):
        y, _ = self.rnn(x)
        return torch.relu(self.head(y))


class TimeMajor(nn.Module):
    """nn.LSTM(batch_first=False): x [T, B, I] → y[-1] → nn.Linear."""
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 5)
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[-1])


def cases():
    g = torch.Generator().manual_seed(7)
    floats = lambda *shape: torch.rand(*shape, generator=g) * 4 - 2
    return [
        ('embedding_lstm', EmbeddingLSTM(), torch.randint(0, 12, (3, 5), generator=g), {0: 'batch', 1: 'time'}),
        ('gru_last_step', LastStep(nn.GRU(3, 5, batch_first=True), 5, torch.sigmoid), floats(3, 6, 3), {0: 'batch', 1: 'time'}),
        ('rnn_tanh_final_state', FinalState(nn.RNN(3, 4, batch_first=True), 4), floats(2, 5, 3), {0: 'batch', 1: 'time'}),
        ('lstm_two_layers', FinalState(nn.LSTM(3, 5, num_layers=2, batch_first=True), 5), floats(3, 4, 3), {0: 'batch', 1: 'time'}),
        ('lstm_bidirectional', Sequences(nn.LSTM(3, 4, batch_first=True, bidirectional=True), 8), floats(2, 5, 3), {0: 'batch', 1: 'time'}),
        ('gru_bidirectional_two_layers', Sequences(nn.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True), 8), floats(2, 4, 3), {0: 'batch', 1: 'time'}),
        ('rnn_relu_last_step', LastStep(nn.RNN(3, 4, nonlinearity='relu', batch_first=True), 4, torch.tanh), floats(2, 5, 3), {0: 'batch', 1: 'time'}),
        ('lstm_time_major', TimeMajor(), floats(6, 2, 3), {0: 'time', 1: 'batch'}),
        ('lstm_bidirectional_final_states', BothDirections(nn.LSTM(3, 4, batch_first=True, bidirectional=True), 4), floats(3, 5, 3), {0: 'batch', 1: 'time'}),
        ('gru_bidirectional_two_layers_final_states', BothDirections(nn.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True), 4), floats(2, 4, 3), {0: 'batch', 1: 'time'}),
    ]


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(13)
    for name, module, x, axes in cases():
        module.eval()
        path = os.path.join(OUT, name + '.onnx')
        torch.onnx.export(module, (x,), path, opset_version=17, input_names=['x'], output_names=['y'],
                          dynamic_axes={'x': axes, 'y': {0: 'batch'} if 'batch' in axes.values() and axes.get(0) == 'batch' else {}})
        with torch.no_grad():
            ref = module.double()(x if x.dtype == torch.int64 else x.double())
        data = {
            'input': {'name': 'x', 'dtype': 'int64' if x.dtype == torch.int64 else 'float32',
                      'shape': list(x.shape), 'data': x.flatten().tolist()},
            'output': {'shape': list(ref.shape), 'data': ref.flatten().tolist()},
        }
        with open(os.path.join(OUT, name + '.json'), 'w') as f:
            json.dump(data, f)
        print(name, list(x.shape), '→', list(ref.shape))


if __name__ == '__main__':
    main()
