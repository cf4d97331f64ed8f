#!/usr/bin/python3
"""PyTorch (Debian's python3-torch) on the seed model, for bench/run.ts (`npm run bench`).

Embedding(10000, 64) -> LSTM(64, batch_first) -> LSTM(32) (last step) -> Linear(32, 1) -> sigmoid,
Adam, binary cross-entropy, batch 64, float32, CPU. Speaks the same line protocol as the Node
systems (bench/compare/protocol.ts): '@@bench ' + JSON per event on stdout.

  /usr/bin/python3 bench/pytorch_seed.py --threads=1 --budget-ms=60000 [--quick] [--measures=a,b]

Which BLAS torch runs on is read from the libraries mapped into this process after a matrix
product (Debian's torch links libblas.so.3, which is the reference BLAS unless OpenBLAS is
installed and selected by update-alternatives).
"""
import json
import math
import os
import re
import statistics
import sys
import time

MEASURES = ['train.embedding', 'train.words', 'train.floats', 'predict.batch64', 'predict.batch1']
VOCAB, SEQ, EMBED, U1, U2, BATCH = 10000, 50, 64, 64, 32, 64


def emit(event):
    sys.stdout.write('@@bench ' + json.dumps(event) + '\n')
    sys.stdout.flush()


def arg(name, default=None):
    for a in sys.argv[1:]:
        if a.startswith('--' + name + '='):
            return a.split('=', 1)[1]
    return default


def peak_rss_mb():
    try:
        with open('/proc/self/status') as f:
            m = re.search(r'^VmHWM:\s+(\d+) kB', f.read(), re.M)
            if m:
                return int(m.group(1)) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb():
    with open('/proc/self/status') as f:
        return int(re.search(r'^VmRSS:\s+(\d+) kB', f.read(), re.M).group(1)) / 1024


def blas_in_use():
    """The BLAS library files mapped into this process, resolved, and OpenBLAS' own description."""
    libs = set()
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1] if '/' in line else ''
            name = os.path.basename(path)
            if re.match(r'lib(open)?blas.*\.so', name) or re.match(r'libblis.*\.so', name) or 'mkl' in name:
                libs.add(os.path.realpath(path))
    info = {'libraries': sorted(libs)}
    openblas = [p for p in libs if 'openblas' in p]
    if openblas:
        info['name'] = 'OpenBLAS'
        try:
            import ctypes
            lib = ctypes.CDLL(openblas[0])
            lib.openblas_get_config.restype = ctypes.c_char_p
            info['config'] = lib.openblas_get_config().decode()
            info['threads'] = lib.openblas_get_num_threads()
        except (OSError, AttributeError):
            pass
    elif any('mkl' in p for p in libs):
        info['name'] = 'MKL'
    elif any('blis' in p for p in libs):
        info['name'] = 'BLIS'
    elif libs:
        info['name'] = 'reference BLAS (netlib)'
    else:
        info['name'] = 'none mapped (torch uses its own kernels)'
    return info


def plan(quick, budget_ms):
    if quick:
        return dict(warmup_ms=0, max_warmup=1, min_repeats=1, max_repeats=3, target_ms=0)
    return dict(warmup_ms=min(1500, budget_ms * 0.1), max_warmup=10, min_repeats=5, max_repeats=200,
                target_ms=min(4000, budget_ms * 0.3))


def time_measure(name, run, samples, unit, budget_ms, p):
    """Warm-up, then timed repeats within the budget (mirrors bench/compare/harness.ts)."""
    emit({'event': 'start', 'measure': name, 'budgetMs': budget_ms})
    now = lambda: time.perf_counter() * 1000
    deadline = now() + budget_ms

    def step(phase):
        t0 = now()
        run()
        ms = now() - t0
        emit({'event': 'step', 'measure': name, 'phase': phase, 'ms': ms, 'samples': samples})
        return ms

    warmup = []
    started = now()
    while True:
        warmup.append(step('warmup'))
        if len(warmup) >= p['max_warmup'] or now() - started >= p['warmup_ms'] or now() + warmup[-1] >= deadline:
            break
    timed = []
    while len(timed) < p['max_repeats']:
        if len(timed) >= p['min_repeats'] and sum(timed) >= p['target_ms']:
            break
        expected = min(timed) if timed else warmup[-1]
        if now() + expected > deadline:
            break
        timed.append(step('timed'))
    base = {'measure': name, 'unit': unit, 'samples': samples, 'warmupSteps': len(warmup), 'warmupMs': sum(warmup)}
    if not timed:
        last = warmup[-1]
        return dict(base, status='exceeded', value=last if unit == 'ms' else samples / (last / 1000),
                    bound='upper' if unit == 'ms' else 'lower',
                    reason='exceeded budget (%d s) before a timed repeat: bound from the unwarmed step (%.1f s)'
                    % (budget_ms / 1000, last / 1000))
    s = sorted(timed)
    med = statistics.median(s)
    q = statistics.quantiles(s, n=4) if len(s) >= 2 else [med, med, med]
    r = dict(base, status='ok' if len(timed) >= p['min_repeats'] else 'partial',
             value=med if unit == 'ms' else samples / (med / 1000), medianMs=med, minMs=s[0],
             relIqr=(q[2] - q[0]) / med, repeats=len(timed))
    if r['status'] == 'partial':
        r['reason'] = 'budget (%d s) allowed %d of %d repeats' % (budget_ms / 1000, len(timed), p['min_repeats'])
    return r


def main():
    if '--blas-probe' in sys.argv:
        # What libblas.so.3 is without torch, and which kernels OpenBLAS picks for this CPU by itself.
        import ctypes
        try:
            ctypes.CDLL('libblas.so.3')
            emit({'event': 'extra', 'key': 'blas', 'value': blas_in_use()})
        except OSError as e:
            emit({'event': 'extra', 'key': 'blas', 'value': {'error': str(e)}})
        return
    threads = int(arg('threads', '1'))
    budget_ms = float(arg('budget-ms', '60000'))
    quick = '--quick' in sys.argv
    measures = [m for m in arg('measures', ','.join(MEASURES)).split(',') if m]
    try:
        import torch
        from torch import nn
    except ImportError as e:
        emit({'event': 'skip', 'reason': '%s has no torch (%s): apt-get install python3-torch' % (sys.executable, e)})
        emit({'event': 'done', 'peakRssMB': peak_rss_mb()})
        return

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    torch.mm(torch.randn(64, 64), torch.randn(64, 64))  # loads the BLAS
    blas = blas_in_use()

    class Seed(nn.Module):
        def __init__(self, embedding):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB, EMBED) if embedding else None
            self.lstm1 = nn.LSTM(EMBED, U1, batch_first=True)
            self.lstm2 = nn.LSTM(U1, U2, batch_first=True)
            self.dense = nn.Linear(U2, 1)

        def forward(self, x):
            if self.embedding is not None:
                x = self.embedding(x)
            x, _ = self.lstm1(x)
            _, (h, _) = self.lstm2(x)
            return torch.sigmoid(self.dense(h[-1]))

    def tokens(batch, words=False):
        if words:  # Zipf's law, s = 1: log-uniform ids, as bench/compare/harness.ts draws them
            return torch.exp(torch.rand(batch, SEQ) * math.log(VOCAB)).long().clamp(1, VOCAB - 1)
        return torch.randint(1, VOCAB, (batch, SEQ))

    def train(embedding, words=False):
        model = Seed(embedding)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.BCELoss()
        x = tokens(BATCH, words) if embedding else torch.rand(BATCH, SEQ, EMBED) * 2 - 1
        y = (torch.rand(BATCH, 1) < 0.5).float()

        def run():
            opt.zero_grad()
            p = model(x)
            loss = loss_fn(p, y)
            loss.backward()
            opt.step()
            ((p > 0.5).float() == y).float().mean().item()  # accuracy, as the other systems compute it
        return run

    predict_model = []

    def predict(batch):
        if not predict_model:
            predict_model.append(Seed(True).eval())
        model = predict_model[0]
        x = tokens(batch)

        def run():
            with torch.no_grad():
                model(x).numpy()
        return run

    builders = {
        'train.embedding': lambda: (train(True), BATCH, 'samples/s'),
        'train.words': lambda: (train(True, True), BATCH, 'samples/s'),
        'train.floats': lambda: (train(False), BATCH, 'samples/s'),
        'predict.batch64': lambda: (predict(BATCH), BATCH, 'samples/s'),
        'predict.batch1': lambda: (predict(1), 1, 'ms'),
    }
    emit({'event': 'hello', 'system': 'PyTorch', 'version': torch.__version__, 'rssMB': rss_mb(),
          'details': {'threads': torch.get_num_threads(), 'interopThreads': torch.get_num_interop_threads(),
                      'blas': blas, 'mkldnn': torch.backends.mkldnn.is_available(),
                      'python': sys.version.split()[0], 'executable': sys.executable}})
    p = plan(quick, budget_ms)
    for name in measures:
        unit = 'ms' if name == 'predict.batch1' else 'samples/s'
        if name not in builders:
            emit({'event': 'result', 'result': {'measure': name, 'status': 'unsupported', 'unit': unit,
                                                'reason': 'PyTorch script has no ' + name}})
            continue
        try:
            run, samples, unit = builders[name]()
            result = time_measure(name, run, samples, unit, budget_ms, p)
        except Exception as e:  # a failing measurement is reported, the others still run
            result = {'measure': name, 'status': 'error', 'unit': unit, 'reason': str(e).split('\n')[0][:300]}
        emit({'event': 'result', 'result': result})
    emit({'event': 'done', 'peakRssMB': peak_rss_mb()})


if __name__ == '__main__':
    main()
