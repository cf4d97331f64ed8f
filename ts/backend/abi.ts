/**
 * The kernel ABI: every kernel a backend provides, as positional arguments. Callers go through
 * the typed bindings of `./kernels/` (named arguments, activation names, booleans).
 *
 * The same signatures are exported by the Rust module (`crates/kernels`, f32) and implemented in
 * pure JS (`ts/backend/js`, float64). Conventions:
 * - Pointers (`p*`) are **byte addresses** in the backend's memory; `0` means "absent".
 *   Float buffers hold `backend.floatBytes` bytes per element (4 in wasm, 8 in the JS oracle);
 *   id buffers (`pIds`, sparse targets) hold i32; masks are floats (1 keep, 0 masked).
 * - Sizes are element counts; layouts are row-major; shapes are given as `[dims]` below.
 * - Shapes are validated in TypeScript before the call: kernels trust their arguments.
 * - Parameter gradients (`dKernel`, `dBias`, `dTable`, ...) are **accumulated** (`+=`); input
 *   gradients (`dx`, `dh0`, `dc0`) are **overwritten**.
 * - `ws` is caller-owned scratch of `*_ws_floats(...)` floats, `cache` is what a forward keeps for
 *   its backward (`*_cache_floats(...)` floats). Their layouts are private to each backend.
 * - Activations are `ActivationCode`s (below).
 * - Recurrent flags (`RecurrentFlags`, below): bit 0 `goBackwards` (process time reversed; `hs` is written in processing
 *   order, as Keras returns it), bit 1 GRU `resetAfter`.
 * - Recurrent mask `pMask [batch, time]` (indexed by input time): a masked step carries h (and c)
 *   through unchanged and outputs the carried h. `pRecMask [batch, units]` multiplies h(t-1)
 *   where it enters the recurrent product (Keras recurrent dropout; mask drawn in TS).
 * - Projected inputs (recurrent kernels): `pKernel` 0 means `pX` already holds the input
 *   projections x·kernel, G = the kernel's columns (4U, 3U, U). Either as rows [B,T,G] (`pIds` 0:
 *   `pX` is then scratch, a kernel may work in it, and the cache is not valid for a backward), or
 *   as a table [V,G] whose row `ids[b*T + t]` is row (b, t) (`pIds` [B,T] i32: the cache is valid).
 *   Rows of an embedding table multiplied by the kernel once (inference), or of the distinct
 *   tokens of a batch (training) are multiplied once instead of per token. The backward given
 *   `pKernel` 0 writes the projections' gradient [B,T,G] into dx (dKernel must be 0).
 */
export interface Kernels {
  /** C[M,N] = alpha·op(A)·op(B) + beta·C; A [M,lda] or [K,lda] if transA; B [K,ldb] or [N,ldb] if transB; C [M,ldc]. beta 0 never reads C. */
  gemm(transA: number, transB: number, M: number, N: number, K: number, alpha: number,
    pA: number, lda: number, pB: number, ldb: number, beta: number, pC: number, ldc: number, ws: number): void;
  gemm_ws_floats(M: number, N: number, K: number): number;

  /**
   * LSTM over a whole sequence, gates i, f, c, o (Keras). x [B,T,I], kernel [I,4U],
   * recurrentKernel [U,4U], bias [4U] (0: none), h0/c0 [B,U] (0: zeros), mask [B,T], recMask [B,U],
   * peep [3U] peephole weights p_i, p_f, p_o (0: none; ONNX's P holds them as p_i, p_o, p_f):
   * z_i += p_i·c(t-1), z_f += p_f·c(t-1), z_o += p_o·c(t).
   * Writes hs [B,T,U] (every step's h), hT [B,U], cT [B,U] (0: skip), cache.
   */
  lstm_forward(B: number, T: number, I: number, U: number, flags: number, act: number, recAct: number,
    pX: number, pKernel: number, pRecKernel: number, pBias: number, pH0: number, pC0: number,
    pMask: number, pRecMask: number, pHs: number, pHT: number, pCT: number, pCache: number, ws: number, pIds: number, pPeep: number): void;
  /**
   * LSTM backward (BPTT) from the forward's hs and cache. dHs [B,T,U], dHT, dCT [B,U] (each 0: zero).
   * Writes dx [B,T,I], dH0, dC0 [B,U] (each 0: skip); accumulates dKernel [I,4U],
   * dRecKernel [U,4U], dBias [4U], dPeep [3U] (with peep; each 0: skip).
   */
  lstm_backward(B: number, T: number, I: number, U: number, flags: number, act: number, recAct: number,
    pX: number, pKernel: number, pRecKernel: number, pH0: number, pC0: number, pMask: number, pRecMask: number,
    pHs: number, pCache: number, pDHs: number, pDHT: number, pDCT: number,
    pDx: number, pDKernel: number, pDRecKernel: number, pDBias: number, pDH0: number, pDC0: number, ws: number,
    pPeep: number, pDPeep: number): void;
  lstm_cache_floats(B: number, T: number, I: number, U: number): number;
  lstm_ws_floats(B: number, T: number, I: number, U: number): number;

  /**
   * GRU, gates z, r, h (Keras). kernel [I,3U], recurrentKernel [U,3U], bias [2,3U] when
   * flags&2 (resetAfter: input bias row then recurrent bias row) else [3U]. h = z·h(t-1) + (1-z)·hh.
   */
  gru_forward(B: number, T: number, I: number, U: number, flags: number, act: number, recAct: number,
    pX: number, pKernel: number, pRecKernel: number, pBias: number, pH0: number,
    pMask: number, pRecMask: number, pHs: number, pHT: number, pCache: number, ws: number, pIds: number): void;
  gru_backward(B: number, T: number, I: number, U: number, flags: number, act: number, recAct: number,
    pX: number, pKernel: number, pRecKernel: number, pH0: number, pMask: number, pRecMask: number,
    pHs: number, pCache: number, pDHs: number, pDHT: number,
    pDx: number, pDKernel: number, pDRecKernel: number, pDBias: number, pDH0: number, ws: number): void;
  gru_cache_floats(B: number, T: number, I: number, U: number): number;
  gru_ws_floats(B: number, T: number, I: number, U: number): number;

  /** SimpleRNN: h = act(x·kernel + h(t-1)·recurrentKernel + bias). kernel [I,U], recurrentKernel [U,U], bias [U]. */
  simple_rnn_forward(B: number, T: number, I: number, U: number, flags: number, act: number,
    pX: number, pKernel: number, pRecKernel: number, pBias: number, pH0: number,
    pMask: number, pRecMask: number, pHs: number, pHT: number, pCache: number, ws: number, pIds: number): void;
  simple_rnn_backward(B: number, T: number, I: number, U: number, flags: number, act: number,
    pX: number, pKernel: number, pRecKernel: number, pH0: number, pMask: number, pRecMask: number,
    pHs: number, pCache: number, pDHs: number, pDHT: number,
    pDx: number, pDKernel: number, pDRecKernel: number, pDBias: number, pDH0: number, ws: number): void;
  simple_rnn_cache_floats(B: number, T: number, I: number, U: number): number;
  simple_rnn_ws_floats(B: number, T: number, I: number, U: number): number;

  /** y [N,Out] = act(x [N,In] · w [In,Out] + b [Out]) (b 0: none; act 5 = softmax over Out). */
  dense_forward(N: number, In: number, Out: number, act: number, pX: number, pW: number, pB: number, pY: number, ws: number): void;
  /** From y and dy [N,Out]: writes dx [N,In] (0: skip); accumulates dw [In,Out], db [Out] (0: skip). */
  dense_backward(N: number, In: number, Out: number, act: number, pX: number, pW: number, pY: number, pDy: number,
    pDx: number, pDw: number, pDb: number, ws: number): void;
  dense_ws_floats(N: number, In: number, Out: number): number;

  /** out [N,D] = table [V,D][ids [N]] (ids i32, validated in [0,V) by TS). */
  embedding_forward(N: number, D: number, pIds: number, pTable: number, pOut: number): void;
  /** dTable [V,D] += scatter of dOut [N,D] by ids. */
  embedding_backward(N: number, D: number, pIds: number, pDOut: number, pDTable: number): void;

  /**
   * Losses over pred/target [rows, cols]. Each writes lossOut [rows] (the per-row loss, Keras:
   * mean over the last axis for element-wise losses, sum over classes for cross-entropies) and,
   * when pGrad != 0, grad [rows, cols] = scale · d(lossOut[r])/d(pred).
   * Probabilities are clipped to [1e-7, 1-1e-7] as Keras does; fromLogits takes raw scores.
   */
  loss_binary_crossentropy(rows: number, cols: number, fromLogits: number, pPred: number, pTarget: number,
    scale: number, pLossOut: number, pGrad: number): void;
  /** Keras: probabilities are first normalised to sum 1 per row. */
  loss_categorical_crossentropy(rows: number, cols: number, fromLogits: number, pPred: number, pTarget: number,
    scale: number, pLossOut: number, pGrad: number): void;
  /** targets: i32 class ids [rows] (validated in [0, cols) by TS). */
  loss_sparse_categorical_crossentropy(rows: number, cols: number, fromLogits: number, pPred: number, pTargetIds: number,
    scale: number, pLossOut: number, pGrad: number): void;
  loss_mean_squared_error(rows: number, cols: number, pPred: number, pTarget: number,
    scale: number, pLossOut: number, pGrad: number): void;
  loss_mean_absolute_error(rows: number, cols: number, pPred: number, pTarget: number,
    scale: number, pLossOut: number, pGrad: number): void;

  /** Keras SGD over n params: v = momentum·v - lr·g; p += v, or p += momentum·v - lr·g (nesterov). pV 0 when momentum 0 (then p -= lr·g). */
  sgd_update(n: number, lr: number, momentum: number, nesterov: number, pP: number, pG: number, pV: number): void;
  /**
   * Keras RMSprop: ms = rho·ms + (1-rho)·g²; if centered mg = rho·mg + (1-rho)·g, denom = ms - mg²;
   * inc = lr·g / sqrt(denom + eps); with momentum: mom = momentum·mom + inc, p -= mom; else p -= inc.
   */
  rmsprop_update(n: number, lr: number, rho: number, momentum: number, eps: number, centered: number,
    pP: number, pG: number, pMs: number, pMom: number, pMg: number): void;
  /**
   * Keras Adam/AdamW, step t already counted: b1pow = beta1^t, b2pow = beta2^t.
   * p -= lr·weightDecay·p (AdamW, before the update); m += (g-m)(1-beta1); v += (g²-v)(1-beta2);
   * p -= lr·sqrt(1-b2pow)/(1-b1pow) · m / (sqrt(v) + eps).
   */
  adam_update(n: number, lr: number, beta1: number, beta2: number, eps: number, b1pow: number, b2pow: number,
    weightDecay: number, pP: number, pG: number, pM: number, pV: number): void;
  /** Σ x² over n floats, accumulated in f64 (for global-norm clipping). */
  sum_squares(n: number, pX: number): number;
  /** x *= s over n floats. */
  scale_inplace(n: number, s: number, pX: number): void;
  /** x = clamp(x, lo, hi) over n floats. */
  clip_inplace(n: number, lo: number, hi: number, pX: number): void;

  /** y [rows,cols] = act(x) (softmax per row); x and y may be the same buffer. */
  activation_forward(rows: number, cols: number, act: number, pX: number, pY: number): void;
  /** dx = dy · act'(x), from y = act(x) (softmax: dx = y·(dy - Σ dy·y) per row); dx may equal dy. */
  activation_backward(rows: number, cols: number, act: number, pY: number, pDy: number, pDx: number): void;
  /** x [rows,cols] += b [cols] in place. */
  bias_add(rows: number, cols: number, pX: number, pB: number): void;
  /** db [cols] += Σ_rows dy [rows,cols]. */
  bias_grad(rows: number, cols: number, pDy: number, pDb: number): void;
  /** out = a ⊙ b over n floats (dropout: b is the mask already scaled by 1/(1-rate)); out may alias. */
  mul(n: number, pA: number, pB: number, pOut: number): void;
  /** out = a + b over n floats; out may alias. */
  add(n: number, pA: number, pB: number, pOut: number): void;
  /** y += alpha·x over n floats. */
  axpy(n: number, alpha: number, pX: number, pY: number): void;
  /** x = value over n floats. */
  fill(n: number, value: number, pX: number): void;
  /** Number of NaN or ±Inf among n floats (0 when all finite). */
  count_non_finite(n: number, pX: number): number;
}

/** Activation codes shared with the Rust kernels (`crates/kernels/src/activations.rs`). */
export const ActivationCode = {
  linear: 0,
  relu: 1,
  tanh: 2,
  sigmoid: 3,
  /** TF.js and Keras 2: clamp(0.2x + 0.5, 0, 1). */
  hardSigmoid: 4,
  softmax: 5,
  /** Keras 3's hard_sigmoid: relu6(x + 3) / 6 = clamp(x/6 + 0.5, 0, 1). */
  hardSigmoidKeras3: 6,
} as const;
/** The recurrent kernels' flag bits (the bindings set them from booleans; `crates/kernels/src/recurrent.rs`). */
export const RecurrentFlags = {
  goBackwards: 1,
  resetAfter: 2,
} as const;

/**
 * Bumped with every signature change and every new activation code (an older module would run an
 * unknown code as linear); must equal the module's `kernels_abi_version()`.
 */
export const KERNELS_ABI_VERSION = 5;
