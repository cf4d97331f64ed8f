#!/usr/bin/env python3
"""Reference fixtures from real PyTorch for the recurrent kernels (LSTM, GRU, SimpleRNN).

Usage: /usr/bin/python3 scripts/torch_fixtures.py test/fixtures/torch
(Debian's python3-torch, not the python3 first on PATH). Writes OUT_DIR/{lstm,gru,rnn}.json.

Every array is in the kernels' Keras layout (ts/backend/abi.ts), flattened row-major, float64:
  x [B,T,I], kernel [I,G·U], recKernel [U,G·U], bias [G·U] (GRU resetAfter: [2,3U]), h0/c0 [B,U],
  mask [B,T], recMask [B,U], hs [B,T,U], hT/cT [B,U], and the gradients of
      L = Σ wHs·hs + Σ wHT·hT (+ Σ wCT·cT)
  with respect to x, h0, c0, kernel, recKernel, bias. A null field means "absent" (pointer 0).

Two sources of reference values:
- torch.nn.LSTM / GRU / RNN (batch_first, float64), weights converted to Keras layout;
- explicit cells written in torch and differentiated by autograd, for what nn modules cannot
  express (GRU resetAfter=false, mask, goBackwards, recMask). Before anything is written, the
  explicit cells are asserted to reproduce the nn modules (outputs and every gradient) on each
  nn case, so they are themselves checked against PyTorch's layers.
Inputs are rounded to float32-representable values so the f32 wasm backends see the exact same
numbers; each case is also replayed in float32 to check it is well-conditioned for a 1e-5 test.
"""
import json
import os
import sys

import torch

ACT = {'relu': 1, 'tanh': 2, 'sigmoid': 3}
GO_BACKWARDS, RESET_AFTER = 1, 2
DT = torch.float64


def f32(t):
    """Rounds to float32-representable values (kept as float64)."""
    return t.detach().float().double()


def randn(*shape, scale=1.0):
    return f32(torch.randn(*shape, dtype=DT) * scale)


def uniform(*shape, bound):
    return f32((torch.rand(*shape, dtype=DT) * 2 - 1) * bound)


# ---- explicit cells over Keras-layout weights --------------------------------------------------

def act_fn(code):
    return {1: torch.relu, 2: torch.tanh, 3: torch.sigmoid}[code]


def carry(mask, t, new, old):
    """Masked step: carry the old state (mask [B,T] indexed by input time)."""
    if mask is None:
        return new
    return torch.where(mask[:, t:t + 1] > 0, new, old)


def lstm_cell_loop(c, p):
    """Keras LSTM, gates i, f, c, o. p holds x, kernel, recKernel, bias, h0, c0."""
    B, T, _ = p['x'].shape
    U = c['U']
    act, rec = act_fn(c['act']), act_fn(c['recAct'])
    h = p['h0'] if p['h0'] is not None else torch.zeros(B, U, dtype=p['x'].dtype)
    cs = p['c0'] if p['c0'] is not None else torch.zeros(B, U, dtype=p['x'].dtype)
    hs = []
    for s in range(T):
        t = T - 1 - s if c['goBackwards'] else s
        hr = h if p['recMask'] is None else h * p['recMask']
        z = p['x'][:, t] @ p['kernel'] + hr @ p['recKernel']
        if p['bias'] is not None:
            z = z + p['bias']
        i, f, g, o = rec(z[:, :U]), rec(z[:, U:2 * U]), act(z[:, 2 * U:3 * U]), rec(z[:, 3 * U:])
        c_new = f * cs + i * g
        h_new = o * act(c_new)
        h, cs = carry(p['mask'], t, h_new, h), carry(p['mask'], t, c_new, cs)
        hs.append(h)
    return {'hs': torch.stack(hs, 1), 'hT': h, 'cT': cs}


def gru_cell_loop(c, p):
    """Keras GRU, gates z, r, h; h = z·h(t-1) + (1-z)·hh. resetAfter applies r after the recurrent product."""
    B, T, _ = p['x'].shape
    U = c['U']
    act, rec = act_fn(c['act']), act_fn(c['recAct'])
    h = p['h0'] if p['h0'] is not None else torch.zeros(B, U, dtype=p['x'].dtype)
    b = p['bias']
    hs = []
    for s in range(T):
        t = T - 1 - s if c['goBackwards'] else s
        hr = h if p['recMask'] is None else h * p['recMask']
        xg = p['x'][:, t] @ p['kernel']
        if c['resetAfter']:
            hg = hr @ p['recKernel']
            if b is not None:
                xg, hg = xg + b[0], hg + b[1]
            z = rec(xg[:, :U] + hg[:, :U])
            r = rec(xg[:, U:2 * U] + hg[:, U:2 * U])
            hh = act(xg[:, 2 * U:] + r * hg[:, 2 * U:])
        else:
            if b is not None:
                xg = xg + b
            hg = hr @ p['recKernel'][:, :2 * U]
            z = rec(xg[:, :U] + hg[:, :U])
            r = rec(xg[:, U:2 * U] + hg[:, U:])
            hh = act(xg[:, 2 * U:] + (r * hr) @ p['recKernel'][:, 2 * U:])
        h_new = z * h + (1 - z) * hh
        h = carry(p['mask'], t, h_new, h)
        hs.append(h)
    return {'hs': torch.stack(hs, 1), 'hT': h}


def rnn_cell_loop(c, p, preacts=None):
    """Keras SimpleRNN: h = act(x·kernel + h(t-1)·recKernel + bias). Collects live pre-activations in `preacts`."""
    B, T, _ = p['x'].shape
    U = c['U']
    act = act_fn(c['act'])
    h = p['h0'] if p['h0'] is not None else torch.zeros(B, U, dtype=p['x'].dtype)
    hs = []
    for s in range(T):
        t = T - 1 - s if c['goBackwards'] else s
        hr = h if p['recMask'] is None else h * p['recMask']
        z = p['x'][:, t] @ p['kernel'] + hr @ p['recKernel']
        if p['bias'] is not None:
            z = z + p['bias']
        if preacts is not None:
            keep = torch.ones(B, dtype=torch.bool) if p['mask'] is None else p['mask'][:, t] > 0
            preacts.append(z.detach()[keep])
        h = carry(p['mask'], t, act(z), h)
        hs.append(h)
    return {'hs': torch.stack(hs, 1), 'hT': h}


CELL = {'lstm': lstm_cell_loop, 'gru': gru_cell_loop, 'rnn': rnn_cell_loop}
PARAMS = ['x', 'kernel', 'recKernel', 'bias', 'h0', 'c0']
GRAD_NAME = {'x': 'dx', 'kernel': 'dKernel', 'recKernel': 'dRecKernel', 'bias': 'dBias', 'h0': 'dh0', 'c0': 'dc0'}
OUTPUTS = {'hs': 'wHs', 'hT': 'wHT', 'cT': 'wCT'}


def loss_of(out, w):
    return sum((out[k] * w[wk]).sum() for k, wk in OUTPUTS.items() if k in out and w.get(wk) is not None)


def explicit_reference(family, c, inputs, w, dtype=DT):
    """Forward and autograd backward of the explicit cell loop; returns outputs and Keras-layout grads."""
    p = {k: (None if v is None else v.to(dtype)) for k, v in inputs.items()}
    for k in PARAMS:
        if p.get(k) is not None:
            p[k] = p[k].clone().requires_grad_(True)
    wd = {k: (None if v is None else v.to(dtype)) for k, v in w.items()}
    out = CELL[family](c, p)
    loss_of(out, wd).backward()
    res = {k: v.detach().double() for k, v in out.items()}
    for k in PARAMS:
        if p.get(k) is not None:
            res[GRAD_NAME[k]] = p[k].grad.double()
    return res


# ---- nn modules and their conversion to Keras layout -------------------------------------------

def gru_blocks(t, U):
    """PyTorch GRU gate blocks r, z, n (along dim 0) -> Keras order z, r, h."""
    return torch.cat([t[U:2 * U], t[:U], t[2 * U:]], 0)


def nn_reference(family, c, seed):
    """Builds the nn module, draws inputs, runs it; returns (inputs in Keras layout, loss weights, reference)."""
    torch.manual_seed(seed)
    B, T, I, U = c['B'], c['T'], c['I'], c['U']
    if family == 'lstm':
        mod = torch.nn.LSTM(I, U, batch_first=True, bias=c['useBias'])
    elif family == 'gru':
        mod = torch.nn.GRU(I, U, batch_first=True, bias=c['useBias'])
    else:
        mod = torch.nn.RNN(I, U, batch_first=True, bias=c['useBias'], nonlinearity='relu' if c['act'] == 1 else 'tanh')
    mod = mod.double()
    with torch.no_grad():
        for prm in mod.parameters():
            prm.copy_(f32(prm))
    x = randn(B, T, I).requires_grad_(True)
    h0 = randn(B, U, scale=0.5).requires_grad_(True) if c['initialState'] else None
    c0 = randn(B, U, scale=0.5).requires_grad_(True) if c['initialState'] and family == 'lstm' else None
    w = loss_weights(family, c)
    if family == 'lstm':
        hs, (hT, cT) = mod(x, None if h0 is None else (h0[None], c0[None]))
        out = {'hs': hs, 'hT': hT[0], 'cT': cT[0]}
    else:
        hs, hT = mod(x, None if h0 is None else h0[None])
        out = {'hs': hs, 'hT': hT[0]}
    loss_of(out, w).backward()

    wih, whh = mod.weight_ih_l0, mod.weight_hh_l0
    bih = mod.bias_ih_l0 if c['useBias'] else None
    bhh = mod.bias_hh_l0 if c['useBias'] else None
    if family == 'gru':
        kernel, rec = gru_blocks(wih, U).T, gru_blocks(whh, U).T
        dkernel, drec = gru_blocks(wih.grad, U).T, gru_blocks(whh.grad, U).T
        bias = None if bih is None else torch.stack([gru_blocks(bih, U), gru_blocks(bhh, U)])
        dbias = None if bih is None else torch.stack([gru_blocks(bih.grad, U), gru_blocks(bhh.grad, U)])
    else:
        kernel, rec, dkernel, drec = wih.T, whh.T, wih.grad.T, whh.grad.T
        bias = None if bih is None else bih + bhh
        # Both PyTorch biases enter as one sum, so each one's gradient is dL/d(Keras bias).
        if bih is not None:
            assert max_diff(bih.grad, bhh.grad) < 1e-13
        dbias = None if bih is None else bih.grad
    inputs = {'x': x, 'kernel': kernel, 'recKernel': rec, 'bias': bias, 'h0': h0, 'c0': c0,
              'mask': None, 'recMask': None}
    inputs = {k: (None if v is None else v.detach().clone()) for k, v in inputs.items()}
    ref = {k: v.detach() for k, v in out.items()}
    ref.update({'dx': x.grad, 'dKernel': dkernel, 'dRecKernel': drec, 'dBias': dbias,
                'dh0': None if h0 is None else h0.grad, 'dc0': None if c0 is None else c0.grad})
    return inputs, w, {k: (None if v is None else v.detach().clone()) for k, v in ref.items()}


def loss_weights(family, c):
    B, T, U = c['B'], c['T'], c['U']
    w = {'wHs': randn(B, T, U), 'wHT': randn(B, U) if c.get('lossHT', True) else None}
    if family == 'lstm':
        w['wCT'] = randn(B, U) if c.get('lossCT', True) else None
    return w


def explicit_inputs(family, c, seed):
    """Draws inputs for an explicit-cell case: PyTorch's default init range U(-1/sqrt(U), 1/sqrt(U))."""
    torch.manual_seed(seed)
    B, T, I, U = c['B'], c['T'], c['I'], c['U']
    G = {'lstm': 4, 'gru': 3, 'rnn': 1}[family]
    bound = 1 / U ** 0.5
    bias_shape = (2, G * U) if family == 'gru' and c['resetAfter'] else (G * U,)
    inputs = {
        'x': randn(B, T, I),
        'kernel': uniform(I, G * U, bound=bound),
        'recKernel': uniform(U, G * U, bound=bound),
        'bias': uniform(*bias_shape, bound=bound) if c['useBias'] else None,
        'h0': randn(B, U, scale=0.5) if c['initialState'] else None,
        'c0': randn(B, U, scale=0.5) if c['initialState'] and family == 'lstm' else None,
        'mask': torch.tensor(c['maskRows'], dtype=DT) if c.get('maskRows') else None,
        # Keras recurrent dropout at rate 0.2: entries 0 or 1/(1-0.2) = 1.25.
        'recMask': (torch.rand(B, U, dtype=DT) > 0.2).double() * 1.25 if c.get('recMask') else None,
    }
    return inputs, loss_weights(family, c)


# ---- checks -----------------------------------------------------------------------------------

def max_diff(a, b):
    return (a - b).abs().max().item()


def check_close(what, got, want, tol):
    for k, v in want.items():
        if v is None or k not in got:
            continue
        d = max_diff(got[k], v)
        assert d <= tol, f'{what}: {k} differs by {d:.3g} (tolerance {tol:g})'


def check_relu_margin(family, c, inputs):
    """A relu pre-activation near 0 could flip sign in float32: require a margin."""
    if family != 'rnn' or c['act'] != ACT['relu']:
        return
    pre = []
    with torch.no_grad():
        rnn_cell_loop(c, inputs, pre)
    margin = torch.cat([z.flatten() for z in pre]).abs().min().item()
    assert margin > 1e-3, f'{c["name"]}: relu pre-activation {margin:.3g} too close to 0'


# ---- cases ------------------------------------------------------------------------------------

BASE = {'goBackwards': False, 'resetAfter': False, 'useBias': True, 'initialState': True}
MASK_3x5 = [[0, 1, 1, 0, 1],   # masked first step and a middle one
            [0, 0, 0, 0, 0],   # fully masked row: h stays h0
            [1, 1, 0, 1, 0]]   # masked last step: hT is carried

NN_CASES = {
    'lstm': [
        dict(name='nn_basic', B=3, T=5, I=4, U=6),
        dict(name='nn_single_step', B=1, T=1, I=3, U=2),
        dict(name='nn_unit_no_state_no_bias', B=2, T=4, I=5, U=1, initialState=False, useBias=False, lossCT=False),
    ],
    'gru': [
        dict(name='nn_basic', B=3, T=5, I=4, U=6),
        dict(name='nn_single_step', B=1, T=1, I=3, U=2),
        dict(name='nn_unit_no_state_no_bias', B=2, T=4, I=5, U=1, initialState=False, useBias=False),
    ],
    'rnn': [
        dict(name='nn_tanh_basic', B=3, T=5, I=4, U=6),
        dict(name='nn_relu_basic', B=3, T=5, I=4, U=6, act=ACT['relu']),
        dict(name='nn_tanh_single_step', B=1, T=1, I=3, U=2),
        dict(name='nn_relu_unit_no_state', B=2, T=4, I=5, U=1, act=ACT['relu'], initialState=False),
        dict(name='nn_tanh_odd_no_bias', B=2, T=3, I=7, U=5, useBias=False, lossHT=False),
    ],
}

_E = dict(B=3, T=5, I=3, U=5)
EXPLICIT_CASES = {
    'lstm': [
        dict(name='masked', maskRows=MASK_3x5, **_E),
        dict(name='go_backwards', goBackwards=True, **_E),
        dict(name='rec_mask', recMask=True, **_E),
        dict(name='masked_go_backwards_rec_mask', maskRows=MASK_3x5, goBackwards=True, recMask=True, **_E),
    ],
    'gru': [
        dict(name='reset_before', **_E),
        dict(name='reset_before_single_step', B=1, T=1, I=3, U=2),
        dict(name='reset_before_masked_go_backwards_rec_mask', maskRows=MASK_3x5, goBackwards=True, recMask=True, **_E),
        dict(name='reset_after_masked', resetAfter=True, maskRows=MASK_3x5, **_E),
        dict(name='reset_after_go_backwards', resetAfter=True, goBackwards=True, **_E),
        dict(name='reset_after_rec_mask', resetAfter=True, recMask=True, **_E),
        dict(name='reset_after_masked_go_backwards_rec_mask', resetAfter=True, maskRows=MASK_3x5,
             goBackwards=True, recMask=True, **_E),
    ],
    'rnn': [
        dict(name='tanh_masked', maskRows=MASK_3x5, **_E),
        dict(name='tanh_go_backwards', goBackwards=True, **_E),
        dict(name='relu_rec_mask', act=ACT['relu'], recMask=True, **_E),
        dict(name='relu_masked_go_backwards_rec_mask', act=ACT['relu'], maskRows=MASK_3x5, goBackwards=True,
             recMask=True, **_E),
    ],
}


def complete(family, c, source):
    c = {**BASE, **c, 'source': source}
    if family == 'gru' and source.startswith('torch.nn'):
        c['resetAfter'] = True  # PyTorch's GRU applies r after the recurrent product
    c.setdefault('act', ACT['tanh'])
    c['recAct'] = ACT['sigmoid'] if family != 'rnn' else None
    c['flags'] = (GO_BACKWARDS if c['goBackwards'] else 0) | (RESET_AFTER if c['resetAfter'] else 0)
    return c


def flat(t):
    return None if t is None else [float(v) for v in t.detach().reshape(-1).tolist()]


def build_case(family, c, inputs, w, ref):
    # The float32 replay bounds what f32 arithmetic alone costs on this case.
    f32_ref = explicit_reference(family, c, inputs, w, torch.float32)
    f32_err = max(max_diff(f32_ref[k], v) for k, v in ref.items() if v is not None)
    assert f32_err < 2e-6, f'{family}/{c["name"]}: float32 replay differs by {f32_err:.3g}'
    check_relu_margin(family, c, inputs)
    lstm_only = {'c0', 'cT', 'wCT', 'dc0'}
    keys = ['name', 'source', 'B', 'T', 'I', 'U', 'flags', 'goBackwards', 'resetAfter', 'act']
    case = {k: c[k] for k in keys + (['recAct'] if family != 'rnn' else [])}
    case['float32ReplayMaxError'] = float(f'{f32_err:.3g}')
    arrays = {**inputs, **w, **ref}
    for k in ['x', 'kernel', 'recKernel', 'bias', 'h0', 'c0', 'mask', 'recMask', 'wHs', 'wHT', 'wCT',
              'hs', 'hT', 'cT', 'dx', 'dh0', 'dc0', 'dKernel', 'dRecKernel', 'dBias']:
        if family == 'lstm' or k not in lstm_only:
            case[k] = flat(arrays[k])
    return case


def family_cases(family):
    cases = []
    for n, c in enumerate(NN_CASES[family]):
        c = complete(family, c, f'torch.nn.{ {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}[family] }')
        inputs, w, ref = nn_reference(family, c, seed=100 + n)
        # The explicit cell must reproduce PyTorch's layer: outputs and every gradient.
        check_close(f'{family}/{c["name"]}: explicit cell vs nn module', explicit_reference(family, c, inputs, w), ref, 1e-12)
        cases.append(build_case(family, c, inputs, w, ref))
    for n, c in enumerate(EXPLICIT_CASES[family]):
        c = complete(family, c, 'explicit cell, torch autograd')
        inputs, w = explicit_inputs(family, c, seed=200 + n)
        cases.append(build_case(family, c, inputs, w, explicit_reference(family, c, inputs, w)))
    return cases


def dump(doc):
    """JSON with one array per line: readable diffs, full float64 precision (repr round-trips)."""
    lines = ['{']
    items = list(doc.items())
    for i, (k, v) in enumerate(items):
        end = ',' if i < len(items) - 1 else ''
        if k == 'cases':
            lines.append(f'  "cases": [')
            for j, case in enumerate(v):
                lines.append('    {')
                fields = list(case.items())
                for m, (ck, cv) in enumerate(fields):
                    lines.append(f'      {json.dumps(ck)}: {json.dumps(cv, separators=(",", ":"))}'
                                 + (',' if m < len(fields) - 1 else ''))
                lines.append('    }' + (',' if j < len(v) - 1 else ''))
            lines.append('  ]' + end)
        else:
            lines.append(f'  {json.dumps(k)}: {json.dumps(v)}{end}')
    lines.append('}')
    return '\n'.join(lines) + '\n'


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: /usr/bin/python3 scripts/torch_fixtures.py OUT_DIR')
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_default_dtype(DT)
    for family in ['lstm', 'gru', 'rnn']:
        cases = family_cases(family)
        doc = {
            'generator': f'scripts/torch_fixtures.py with torch {torch.__version__}',
            'family': family,
            'loss': 'L = sum(wHs*hs) + sum(wHT*hT)' + (' + sum(wCT*cT)' if family == 'lstm' else '')
                    + '; d* are dL/d*; null means absent (pointer 0)',
            'cases': cases,
        }
        path = os.path.join(out_dir, f'{family}.json')
        with open(path, 'w') as fh:
            fh.write(dump(doc))
        worst = max(c['float32ReplayMaxError'] for c in cases)
        print(f'{path}: {len(cases)} cases, {os.path.getsize(path)} bytes, float32 replay max error {worst:.3g}')


if __name__ == '__main__':
    main()
