#!/usr/bin/env python3
"""Reference fixtures from ONNX's own numpy references of LSTM (with peepholes), GRU and RNN.

Usage: /usr/bin/python3 scripts/onnx_fixtures.py test/fixtures/onnx
(Debian's python3-onnx 1.12: `apt-get install -y python3-onnx`). Writes OUT_DIR/onnx.json.

The references are LSTM_Helper, GRU_Helper and RNN_Helper of onnx/backend/test/case/node/{lstm,gru,rnn}.py,
the code that produces ONNX's backend test data (test_lstm_with_peepholes, test_gru_seq_length, ...).
Sizes: T steps, batch, I inputs, H hidden. Every array keeps ONNX's name and layout (layout = 0), flattened row-major: X [T, B, I], W [1, G·H, I], R [1, G·H, H],
B [1, 2·G·H] (Wb then Rb), P [1, 3H] (p_i, p_o, p_f), initial_h / initial_c [1, B, H], Y [T, 1, B, H],
Y_h / Y_c [1, B, H]; ONNX's gate orders: LSTM i, o, f, c; GRU z, r, h. The test maps them to lstm-wasm's.

direction: the helpers run forward only; "reverse" runs each sample's valid steps reversed through them and
puts each output back at its own time, as ONNX's reverse direction does; "bidirectional" (one case) is both,
with weights [2, ...] (index 0 forward, 1 reverse) and Y [T, 2, B, H].

sequence_lens: these helpers (and ONNX 1.12) have no sequence_lens, so the cases with lengths are
computed as ONNX defines them, from the same helpers: sample b is run alone over its first lens[b]
steps; Y_h is the state after its last valid step, and Y holds zeros at the steps past its length
(what onnxruntime writes there: microsoft/onnxruntime#1193, #12492). The X rows past a sample's
length are zeros (ONNX ignores them), so a Masking layer finds them.
"""
import json
import os
import sys

import numpy as np

# onnx 1.12's case files use np.float, removed in numpy 1.24
if not hasattr(np, 'float'):
    np.float = float  # type: ignore[attr-defined]

from onnx.backend.test.case.node.gru import GRU_Helper  # noqa: E402
from onnx.backend.test.case.node.lstm import LSTM_Helper  # noqa: E402
from onnx.backend.test.case.node.rnn import RNN_Helper  # noqa: E402

HELPER = {'lstm': LSTM_Helper, 'gru': GRU_Helper, 'rnn': RNN_Helper}
GATES = {'lstm': 4, 'gru': 3, 'rnn': 1}


def f32(a):
    """float32-representable values, computed with in float64 (the helpers keep the dtype they are given)."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def run(family, inputs):
    """The helper's (Y, Y_h, Y_c) for one direction; Y_c (LSTM) is the helper's last C_t."""
    helper = HELPER[family](**{k: v.copy() for k, v in inputs.items()})
    y, y_h = helper.step()
    return y, y_h


def lstm_c(inputs, steps):
    """LSTM_Helper returns no Y_c: the cell state after `steps` steps, recomputed with its own equations
    (and its h checked against the helper's Y_h, so the recomputation is the helper's)."""
    h = LSTM_Helper(**{k: v.copy() for k, v in inputs.items()})
    p_i, p_o, p_f = np.split(h.P, 3)
    H_t, C_t = h.H_0, h.C_0
    for x in np.split(h.X, h.X.shape[0], axis=0)[:steps]:
        gates = np.dot(x, h.W.T) + np.dot(H_t, h.R.T) + np.add(*np.split(h.B, 2))
        i, o, f, c = np.split(gates, 4, -1)
        i = h.f(i + p_i * C_t)
        f = h.f(f + p_f * C_t)
        C = f * C_t + i * h.g(c)
        o = h.f(o + p_o * C)
        H_t, C_t = o * h.h(C), C
    _, y_h = run('lstm', {k: (v[:steps] if k == 'X' else v) for k, v in inputs.items()})
    assert np.allclose(H_t, y_h[0], rtol=0, atol=1e-12), 'the Y_c recomputation differs from LSTM_Helper'
    return C_t


def with_lens(family, inputs, lens, reverse):
    """(Y [T, 1, B, H], Y_h, Y_c [1, B, H]) of one direction over right-padded samples: each sample alone
    over its first lens[b] steps (reverse: those steps from the last to the first, Y at each step's own time)."""
    T, B = inputs['X'].shape[:2]
    H = inputs['R'].shape[-1]
    y = np.zeros((T, 1, B, H))
    y_h = np.zeros((1, B, H))
    y_c = np.zeros((1, B, H))
    for b in range(B):
        one = {k: (v[:lens[b], b:b + 1] if k == 'X' else v[:, b:b + 1] if k.startswith('initial') else v) for k, v in inputs.items()}
        if reverse:
            one['X'] = one['X'][::-1].copy()
        yb, yhb = run(family, one)
        y[:lens[b], :, b:b + 1, :] = yb[::-1] if reverse else yb
        y_h[:, b, :] = yhb[:, 0, :]
        if family == 'lstm':
            y_c[:, b, :] = lstm_c(one, lens[b])[0]
    return y, y_h, y_c


def bidirectional_case(name, rs, T, B, I, H, lens, scale=0.5):
    """ONNX direction "bidirectional" (LSTM with peepholes): the forward and reverse directions, each with
    its own W, R, B, P and initial states (index 0 forward, 1 reverse); Y [T, 2, B, H], Y_h / Y_c [2, B, H]."""
    x = f32(rs.randn(T, B, I))
    for b in range(B):
        x[lens[b]:, b, :] = 0
    inputs = {
        'X': x,
        'W': f32(rs.randn(2, 4 * H, I) * scale),
        'R': f32(rs.randn(2, 4 * H, H) * scale),
        'B': f32(rs.randn(2, 8 * H) * scale),
        'initial_h': f32(rs.randn(2, B, H) * scale),
        'initial_c': f32(rs.randn(2, B, H) * scale),
        'P': f32(rs.randn(2, 3 * H) * scale),
    }
    runs = [with_lens('lstm', {k: (v if k == 'X' else v[d:d + 1]) for k, v in inputs.items()}, lens, d == 1) for d in (0, 1)]
    out = {'name': name, 'family': 'lstm', 'T': T, 'batch': B, 'I': I, 'H': H, 'linear_before_reset': 0, 'direction': 'bidirectional',
           'sequence_lens': list(lens),
           'Y': flat(np.concatenate([r[0] for r in runs], axis=1)),
           'Y_h': flat(np.concatenate([r[1] for r in runs], axis=0)),
           'Y_c': flat(np.concatenate([r[2] for r in runs], axis=0))}
    for k, v in inputs.items():
        out[k] = flat(v)
    return out


def case(family, name, rs, T, B, I, H, peepholes=False, lens=None, lbr=0, initial=True, scale=0.5, reverse=False):
    G = GATES[family]
    x = f32(rs.randn(T, B, I))
    inputs = {
        'X': x,
        'W': f32(rs.randn(1, G * H, I) * scale),
        'R': f32(rs.randn(1, G * H, H) * scale),
        'B': f32(rs.randn(1, 2 * G * H) * scale),
    }
    if initial:
        inputs['initial_h'] = f32(rs.randn(1, B, H) * scale)
        if family == 'lstm':
            inputs['initial_c'] = f32(rs.randn(1, B, H) * scale)
    if peepholes:
        inputs['P'] = f32(rs.randn(1, 3 * H) * scale)
    if family == 'gru':
        inputs['linear_before_reset'] = np.array([lbr])
    out = {'name': name, 'family': family, 'T': T, 'batch': B, 'I': I, 'H': H, 'linear_before_reset': lbr, 'direction': 'reverse' if reverse else 'forward'}
    if lens is None:
        y, y_h = run(family, inputs)
        out['Y'], out['Y_h'] = flat(y), flat(y_h)
        if family == 'lstm':
            out['Y_c'] = flat(lstm_c(inputs, T))
    else:
        for b in range(B):
            x[lens[b]:, b, :] = 0
        y, y_h, y_c = with_lens(family, inputs, lens, reverse)
        out['sequence_lens'] = list(lens)
        out['Y'], out['Y_h'] = flat(y), flat(y_h)
        if family == 'lstm':
            out['Y_c'] = flat(y_c)
    for k, v in inputs.items():
        if k != 'linear_before_reset':
            out[k] = flat(v)
    return out


def onnx_peepholes_case():
    """ONNX's own test_lstm_with_peepholes inputs (constant weights, zero states)."""
    x = np.array([[[1., 2., 3., 4.], [5., 6., 7., 8.]]])
    H, I = 3, 4
    inputs = {
        'X': x, 'W': 0.1 * np.ones((1, 4 * H, I)), 'R': 0.1 * np.ones((1, 4 * H, H)), 'B': np.zeros((1, 8 * H)),
        'initial_h': np.zeros((1, 2, H)), 'initial_c': np.zeros((1, 2, H)), 'P': 0.1 * np.ones((1, 3 * H)),
    }
    y, y_h = run('lstm', inputs)
    out = {'name': 'test_lstm_with_peepholes', 'family': 'lstm', 'T': 1, 'batch': 2, 'I': I, 'H': H, 'linear_before_reset': 0, 'direction': 'forward',
           'Y': flat(y), 'Y_h': flat(y_h), 'Y_c': flat(lstm_c(inputs, 1))}
    for k, v in inputs.items():
        out[k] = flat(v)
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures/onnx'
    os.makedirs(out_dir, exist_ok=True)
    rs = np.random.RandomState(13)
    cases = [
        onnx_peepholes_case(),
        case('lstm', 'lstm peepholes', rs, T=4, B=3, I=3, H=3, peepholes=True),
        case('lstm', 'lstm peepholes, no initial state', rs, T=3, B=2, I=2, H=4, peepholes=True, initial=False),
        case('lstm', 'lstm peepholes, sequence_lens', rs, T=5, B=3, I=2, H=3, peepholes=True, lens=[5, 3, 1]),
        case('lstm', 'lstm sequence_lens', rs, T=5, B=3, I=2, H=3, lens=[2, 5, 4]),
        case('lstm', 'lstm peepholes, sequence_lens, reverse', rs, T=5, B=3, I=2, H=3, peepholes=True, lens=[4, 5, 2], reverse=True),
        case('gru', 'gru sequence_lens, linear_before_reset 0', rs, T=5, B=3, I=3, H=4, lens=[5, 3, 1]),
        case('gru', 'gru sequence_lens, linear_before_reset 1', rs, T=5, B=3, I=3, H=4, lens=[1, 4, 5], lbr=1),
        case('rnn', 'rnn sequence_lens', rs, T=5, B=3, I=3, H=4, lens=[5, 2, 3]),
        bidirectional_case('lstm peepholes, sequence_lens, bidirectional', rs, T=4, B=3, I=2, H=3, lens=[4, 2, 3]),
    ]
    import onnx
    doc = {'generator': f'scripts/onnx_fixtures.py, onnx {onnx.__version__}, numpy {np.__version__}', 'cases': cases}
    path = os.path.join(out_dir, 'onnx.json')
    with open(path, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {path}: {len(cases)} cases')


if __name__ == '__main__':
    main()
