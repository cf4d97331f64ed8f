"""Proves the numpy recurrent references against PyTorch (float64) before any fixture is written.

torch.nn.LSTM / GRU / RNN run the same weights converted from Keras layout; masks are checked
through what they mean for right-padded rows (the state after the last real step equals PyTorch
on the truncated sequence; masked steps repeat the last output), and GRU reset_after=False,
which PyTorch lacks, through reset_after=True with the reset gate saturated at exactly 1; the
Bidirectional wrapper (direction reversal, masked steps) against a packed bidirectional LSTM.
"""
import numpy as np
import torch

from .numerics import activation, gru_step, lstm_step, run_rnn, simple_rnn_step

TANH, SIGMOID = activation('tanh', 'k3'), activation('sigmoid', 'k3')


def _close(a, b, what, tol=1e-12):
    diff = np.abs(np.asarray(a) - np.asarray(b))
    err = float(diff.max()) if diff.size else 0.0
    assert err < tol, f'{what}: numpy reference differs from PyTorch by {err}'


def _torch_run(module, x):
    with torch.no_grad():
        out, state = module(torch.from_numpy(x))
    return out.numpy(), state


def _set(param, value):
    with torch.no_grad():
        param.copy_(torch.from_numpy(np.ascontiguousarray(value)))


def _lstm_module(w, u, b):
    m = torch.nn.LSTM(w.shape[0], u.shape[0], batch_first=True).double()
    _set(m.weight_ih_l0, w.T)  # PyTorch gates i, f, g, o = Keras i, f, c, o
    _set(m.weight_hh_l0, u.T)
    _set(m.bias_ih_l0, b)
    _set(m.bias_hh_l0, np.zeros_like(b))
    return m


def _gru_module(w, u, b):
    units = u.shape[0]
    order = lambda a: np.concatenate([a[..., units:2 * units], a[..., :units], a[..., 2 * units:]], axis=-1)
    m = torch.nn.GRU(w.shape[0], units, batch_first=True).double()
    _set(m.weight_ih_l0, order(w).T)  # PyTorch r, z, n; Keras z, r, h
    _set(m.weight_hh_l0, order(u).T)
    _set(m.bias_ih_l0, order(b[0]))
    _set(m.bias_hh_l0, order(b[1]))
    return m


def _rnn_module(w, u, b):
    m = torch.nn.RNN(w.shape[0], u.shape[0], batch_first=True, nonlinearity='tanh').double()
    _set(m.weight_ih_l0, w.T)
    _set(m.weight_hh_l0, u.T)
    _set(m.bias_ih_l0, b)
    _set(m.bias_hh_l0, np.zeros_like(b))
    return m


def _check_cell(name, step, module, x, n_states, lengths):
    """Unmasked, go_backwards and right-padded masked runs of `step` against `module`."""
    units = module.hidden_size
    zeros = [np.zeros((x.shape[0], units)) for _ in range(n_states)]
    _, seq, _ = run_rnn(step, x, zeros)
    _close(seq, _torch_run(module, x)[0], f'{name} outputs')
    _, seq_b, _ = run_rnn(step, x, zeros, go_backwards=True)
    _close(seq_b, _torch_run(module, x[:, ::-1].copy())[0], f'{name} go_backwards outputs')

    mask = (np.arange(x.shape[1])[None, :] < np.asarray(lengths)[:, None]).astype(np.float64)
    last, seq_m, _ = run_rnn(step, x, zeros, mask=mask)
    last_b, _, _ = run_rnn(step, x, zeros, mask=mask, go_backwards=True)
    for row, n in enumerate(lengths):
        ref = _torch_run(module, x[row:row + 1, :n].copy())[0][0]
        _close(seq_m[row, :n], ref, f'{name} masked outputs, row {row}')
        _close(seq_m[row, n:], np.repeat(ref[-1:], x.shape[1] - n, axis=0), f'{name} masked steps repeat the last output, row {row}')
        _close(last[row], ref[-1], f'{name} masked last output, row {row}')
        ref_b = _torch_run(module, x[row:row + 1, :n][:, ::-1].copy())[0][0]
        _close(last_b[row], ref_b[-1], f'{name} masked go_backwards last output, row {row}')


def _check_bidirectional(rng):
    """layers.Bidirectional(LSTM, return_sequences) with a right-padding mask against a packed
    bidirectional torch.nn.LSTM: the backward direction starts at each row's last real step, and
    padded steps output zeros (Keras forces zero_output_for_mask in both directions)."""
    from .layers import LSTM, Bidirectional

    layer = Bidirectional('bidirectional', LSTM('lstm', 3, return_sequences=True), 'concat')
    layer.build([(None, 5, 4)], rng)
    x = rng.normal(0, 1, (3, 5, 4))
    lengths = [5, 3, 2]
    mask = (np.arange(5)[None, :] < np.asarray(lengths)[:, None]).astype(np.float64)
    ours = layer.forward([x], [mask], 'k3')[0][0]

    m = torch.nn.LSTM(4, 3, batch_first=True, bidirectional=True).double()
    for suffix, inner in (('', layer.forward_layer), ('_reverse', layer.backward_layer)):
        (_, w), (_, u), (_, b) = inner.weights
        _set(getattr(m, f'weight_ih_l0{suffix}'), w.T)
        _set(getattr(m, f'weight_hh_l0{suffix}'), u.T)
        _set(getattr(m, f'bias_ih_l0{suffix}'), b)
        _set(getattr(m, f'bias_hh_l0{suffix}'), np.zeros_like(b))
    packed = torch.nn.utils.rnn.pack_padded_sequence(torch.from_numpy(x), lengths, batch_first=True, enforce_sorted=False)
    with torch.no_grad():
        theirs = torch.nn.utils.rnn.pad_packed_sequence(m(packed)[0], batch_first=True, total_length=5)[0].numpy()
    _close(ours, theirs, 'Bidirectional(LSTM) masked concat')


def check_recurrent_references(rng):
    """Asserts numpy LSTM, GRU (both variants) and SimpleRNN agree with PyTorch; raises otherwise."""
    batch, steps, features, units = 3, 5, 4, 3
    x = rng.normal(0, 1, (batch, steps, features))
    lengths = [5, 3, 1]
    weights = lambda g: (rng.normal(0, 0.5, (features, g * units)), rng.normal(0, 0.5, (units, g * units)))

    w, u = weights(4)
    b = rng.normal(0, 0.3, 4 * units)
    _check_cell('LSTM', lstm_step(w, u, b, TANH, SIGMOID), _lstm_module(w, u, b), x, 2, lengths)

    w, u = weights(3)
    b = rng.normal(0, 0.3, (2, 3 * units))
    _check_cell('GRU reset_after', gru_step(w, u, b, TANH, SIGMOID, True), _gru_module(w, u, b), x, 1, lengths)

    # reset_after=False equals reset_after=True when r is exactly 1 and the recurrent biases are 0.
    b_flat = rng.normal(0, 0.3, 3 * units)
    b_flat[units:2 * units] = 60.0
    b_after = np.stack([b_flat, np.zeros(3 * units)])
    zeros = [np.zeros((batch, units))]
    _, before, _ = run_rnn(gru_step(w, u, b_flat, TANH, SIGMOID, False), x, zeros)
    _, after, _ = run_rnn(gru_step(w, u, b_after, TANH, SIGMOID, True), x, zeros)
    _close(before, after, 'GRU reset_after=False with a saturated reset gate')
    _close(after, _torch_run(_gru_module(w, u, b_after), x)[0], 'GRU (saturated reset gate)')

    w, u = weights(1)
    b = rng.normal(0, 0.3, units)
    _check_cell('SimpleRNN', simple_rnn_step(w, u, b, TANH), _rnn_module(w, u, b), x, 1, lengths)

    _check_bidirectional(rng)

    z = np.linspace(-5, 5, 41)
    _close(activation('hard_sigmoid', 'k3')(z), (torch.nn.functional.relu6(torch.from_numpy(z) + 3) / 6).numpy(), 'Keras 3 hard_sigmoid')
    _close(activation('hard_sigmoid', 'k2')(z), torch.clamp(0.2 * torch.from_numpy(z) + 0.5, 0, 1).numpy(), 'Keras 2 hard_sigmoid')
