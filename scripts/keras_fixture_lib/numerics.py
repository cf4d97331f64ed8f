"""Float64 numpy references of the Keras layers the fixtures use (Keras semantics, not PyTorch's).

Every weight and input is float32-representable; the arithmetic is float64.
"""
import numpy as np


def f32(a):
    """Rounds to float32-representable values, kept as float64."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# Keras 3's hard_sigmoid is relu6(x + 3) / 6; Keras 2 (and TF.js) used 0.2x + 0.5.
HARD_SIGMOID = {
    'k3': lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    'k2': lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0),
}


def activation(name, family):
    """The activation `name` as Keras `family` ('k3' or 'k2') computes it."""
    table = {
        'linear': lambda x: x,
        'tanh': np.tanh,
        'sigmoid': sigmoid,
        'relu': lambda x: np.maximum(x, 0.0),
        'softmax': softmax,
        'hard_sigmoid': HARD_SIGMOID[family],
    }
    return table[name]


def run_rnn(step, x, states, mask=None, go_backwards=False, zero_output_for_mask=False):
    """Keras backend.rnn: (last_output, outputs [B,T,U] in processing order, final states).

    go_backwards reverses the inputs and the mask, and the outputs stay in processing order.
    A masked step keeps the previous states and repeats the previous output (zeros before the
    first step), or outputs zeros when zero_output_for_mask.
    """
    if go_backwards:
        x = x[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]
    outputs = []
    prev = None
    for t in range(x.shape[1]):
        out, new_states = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t].astype(bool)[:, None]
            if prev is None:
                prev = np.zeros_like(out)
            out = np.where(keep, out, 0.0 if zero_output_for_mask else prev)
            new_states = [np.where(keep, n, s) for n, s in zip(new_states, states)]
        prev = out
        states = new_states
        outputs.append(out)
    return outputs[-1], np.stack(outputs, axis=1), states


def lstm_step(kernel, recurrent_kernel, bias, act, rec_act):
    """Keras LSTM cell: gates i, f, c, o along the last axis."""
    def step(x, states):
        h, c = states
        i, f, g, o = np.split(x @ kernel + h @ recurrent_kernel + bias, 4, axis=-1)
        c = rec_act(f) * c + rec_act(i) * act(g)
        h = rec_act(o) * act(c)
        return h, [h, c]
    return step


def gru_step(kernel, recurrent_kernel, bias, act, rec_act, reset_after):
    """Keras GRU cell: gates z, r, h; reset_after applies r after the recurrent product (bias [2, 3U])."""
    def step(x, states):
        h = states[0]
        if reset_after:
            xz, xr, xh = np.split(x @ kernel + bias[0], 3, axis=-1)
            hz, hr, hh = np.split(h @ recurrent_kernel + bias[1], 3, axis=-1)
            z, r = rec_act(xz + hz), rec_act(xr + hr)
            candidate = act(xh + r * hh)
        else:
            xz, xr, xh = np.split(x @ kernel + bias, 3, axis=-1)
            uz, ur, uh = np.split(recurrent_kernel, 3, axis=-1)
            z, r = rec_act(xz + h @ uz), rec_act(xr + h @ ur)
            candidate = act(xh + (r * h) @ uh)
        h = z * h + (1.0 - z) * candidate
        return h, [h]
    return step


def simple_rnn_step(kernel, recurrent_kernel, bias, act):
    def step(x, states):
        h = act(x @ kernel + bias + states[0] @ recurrent_kernel)
        return h, [h]
    return step
