#!/usr/bin/python3
"""Reference for one training step, from real PyTorch (Debian's python3-torch, float64).

For LSTM, GRU (= Keras resetAfter) and SimpleRNN (tanh): a single recurrent layer whose last h is
the model output, MSE against a random target, one SGD step with lr 1. Writes the initial weights
and the weights after the step in Keras layout, with x and y, to OUT/train-step-<cell>.json.

Run: /usr/bin/python3 scripts/torch_train_step_fixtures.py test/fixtures/torch
"""
import json
import sys
import torch

torch.manual_seed(20261127)
torch.set_default_dtype(torch.float64)
B, T, I, U = 3, 5, 4, 6


def blocks(w, n, order):
    """Reorders the n gate blocks of a PyTorch [n*U, ...] tensor."""
    parts = list(torch.chunk(w, n, dim=0))
    return torch.cat([parts[i] for i in order], dim=0)


def keras_weights(cell, m):
    """PyTorch layer weights -> Keras [kernel, recurrent_kernel, bias]."""
    wi, wh = m.weight_ih_l0.detach(), m.weight_hh_l0.detach()
    bi, bh = m.bias_ih_l0.detach(), m.bias_hh_l0.detach()
    if cell == 'gru':
        order = [1, 0, 2]  # PyTorch r, z, n -> Keras z, r, h
        return [blocks(wi, 3, order).T.clone(), blocks(wh, 3, order).T.clone(), torch.stack([blocks(bi, 3, order), blocks(bh, 3, order)])]
    return [wi.T.clone(), wh.T.clone(), bi + bh]  # LSTM i,f,g,o is Keras i,f,c,o


def keras_grads_step(cell, m, lr=1.0):
    """Weights after `w -= lr * grad`, in Keras layout (the bias sum gets both bias gradients)."""
    with torch.no_grad():
        for p in m.parameters():
            p -= lr * p.grad
    return keras_weights(cell, m)


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def make(cell):
    mod = {'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU, 'rnn': torch.nn.RNN}[cell]
    m = mod(I, U, batch_first=True)
    x = torch.randn(B, T, I)
    y = torch.randn(B, U)
    before = keras_weights(cell, m)
    out, _ = m(x)
    loss = torch.nn.functional.mse_loss(out[:, -1, :], y)
    loss.backward()
    if cell == 'gru':
        after = keras_grads_step(cell, m)
    else:
        # Keras' single bias b = b_ih + b_hh moves by -lr * dL/db once (not twice): its gradient
        # equals each PyTorch bias's gradient, so the Keras step is b - lr * grad(b_ih).
        with torch.no_grad():
            b_after = m.bias_ih_l0 + m.bias_hh_l0 - m.bias_ih_l0.grad
        after = keras_grads_step(cell, m)
        after[2] = b_after
    return {
        'generator': f'scripts/torch_train_step_fixtures.py, torch {torch.__version__}',
        'cell': cell, 'B': B, 'T': T, 'I': I, 'U': U, 'lr': 1.0, 'loss': float(loss),
        'x': flat(x), 'y': flat(y),
        'before': [{'shape': list(w.shape), 'values': flat(w)} for w in before],
        'after': [{'shape': list(w.shape), 'values': flat(w)} for w in after],
    }


out = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures/torch'
for cell in ['lstm', 'gru', 'rnn']:
    with open(f'{out}/train-step-{cell}.json', 'w') as f:
        json.dump(make(cell), f)
    print('wrote', f'{out}/train-step-{cell}.json')
