// The TFT building blocks (pytorch-forecasting's definitions, as src/model/layers.ts implements them) with
// hand-written backward passes. Forward calls record what their backward needs in a cache allocated from the
// chunk's arena; backward calls accumulate (+=) into input-gradient buffers the caller has zeroed.
#pragma once
#include "kernels.h"
#include "layout.h"

namespace sc {

/** x·W + b with W [in, out]. */
struct LinearP {
  int in = 0, out = 0;
  size_t w = 0, b = 0;
  bool bias = true;
};

template <class R>
void linear_fwd(Ctx<R>& c, const LinearP& p, const R* x, int M, R* y) {
  gemm(M, p.out, p.in, x, p.in, c.w + p.w, p.out, y, p.out, false, p.bias ? c.w + p.b : nullptr);
}

/** dW += xᵀ·dy, db += Σ dy, and dx += dy·Wᵀ when dx is given. */
template <class R>
void linear_bwd(Ctx<R>& c, const LinearP& p, const R* x, const R* dy, int M, R* dx) {
  gemm_at(M, p.out, p.in, x, p.in, dy, p.out, c.g + p.w, p.out);
  if (p.bias) colsum(M, p.out, dy, p.out, c.g + p.b);
  if (dx) gemm_bt(*c.ar, M, p.out, p.in, dy, p.out, c.w + p.w, p.out, dx, p.in);
}

/** LayerNorm over the last axis (eps 1e-5, biased variance, as PyTorch and tf.moments). */
struct LnP {
  int n = 0;
  size_t g = 0, b = 0;
};
template <class R>
struct LnCache {
  R* xh;
  R* inv;
};

/** LayerNorm rows with the width N known at compile time (0: the runtime width n), so narrow rows unroll fully. */
template <int N, class R>
static void ln_fwd_rows(int n_, const R* x, int M, const R* g, const R* b, R* xh, R* invs, R* y) {
  const int n = N ? N : n_;
  for (int r = 0; r < M; r++) {
    const R* __restrict xr = x + size_t(r) * n;
    R mean = 0;
    for (int j = 0; j < n; j++) mean += xr[j];
    mean /= R(n);
    R var = 0;
    for (int j = 0; j < n; j++) var += (xr[j] - mean) * (xr[j] - mean);
    var /= R(n);
    const R inv = R(1) / std::sqrt(var + R(1e-5));
    invs[r] = inv;
    R* __restrict h = xh + size_t(r) * n;
    R* __restrict yr = y + size_t(r) * n;
    for (int j = 0; j < n; j++) {
      h[j] = (xr[j] - mean) * inv;
      yr[j] = h[j] * g[j] + b[j];
    }
  }
}

template <int N, class R>
static void ln_bwd_rows(int n_, const R* xh, const R* invs, const R* dy, int M, const R* g, R* dg, R* db, R* dx) {
  const int n = N ? N : n_;
  for (int r = 0; r < M; r++) {
    const R* __restrict d = dy + size_t(r) * n;
    const R* __restrict h = xh + size_t(r) * n;
    R m1 = 0, m2 = 0;
    for (int j = 0; j < n; j++) {
      const R gh = d[j] * g[j];
      m1 += gh;
      m2 += gh * h[j];
      dg[j] += d[j] * h[j];
      db[j] += d[j];
    }
    m1 /= R(n);
    m2 /= R(n);
    R* __restrict o = dx + size_t(r) * n;
    for (int j = 0; j < n; j++) o[j] += (d[j] * g[j] - m1 - h[j] * m2) * invs[r];
  }
}

/** Calls F<N> for the common narrow widths, F<0> (runtime width) otherwise. */
#define SC_WIDTH_DISPATCH(n, CALL) \
  switch (n) {                     \
    case 4: CALL(4); break;        \
    case 8: CALL(8); break;        \
    case 9: CALL(9); break;        \
    case 16: CALL(16); break;      \
    case 32: CALL(32); break;      \
    default: CALL(0); break;       \
  }

template <class R>
LnCache<R> ln_fwd(Ctx<R>& c, const LnP& p, const R* x, int M, R* y) {
  LnCache<R> k{c.ar->alloc(size_t(M) * p.n), c.ar->alloc(M)};
  const R* g = c.w + p.g;
  const R* b = c.w + p.b;
#define SC_LN_FWD(N) ln_fwd_rows<N>(p.n, x, M, g, b, k.xh, k.inv, y)
  SC_WIDTH_DISPATCH(p.n, SC_LN_FWD)
#undef SC_LN_FWD
  return k;
}

template <class R>
void ln_bwd(Ctx<R>& c, const LnP& p, const LnCache<R>& k, const R* dy, int M, R* dx) {
  const R* g = c.w + p.g;
#define SC_LN_BWD(N) ln_bwd_rows<N>(p.n, k.xh, k.inv, dy, M, g, c.g + p.g, c.g + p.b, dx)
  SC_WIDTH_DISPATCH(p.n, SC_LN_BWD)
#undef SC_LN_BWD
}

/** The fixed [in, out] matrix of linear interpolation with aligned corners (PyTorch's F.interpolate, linear). */
inline std::vector<double> interpolationMatrix(int in, int out) {
  std::vector<double> m(size_t(in) * out, 0.0);
  for (int j = 0; j < out; j++) {
    double pos = out == 1 ? 0 : double(j) * (in - 1) / double(out - 1);
    int lo = int(std::floor(pos));
    int hi = std::min(lo + 1, in - 1);
    // the same float32 weights as the TS interpolation matrix
    float frac = float(pos - lo);
    m[size_t(lo) * out + j] += double(1.0f - frac);
    if (hi != lo) m[size_t(hi) * out + j] += double(frac);
  }
  return m;
}

/** ResampleNorm: interpolate to the output width (if it differs), gate by 2·σ(mask), LayerNorm. */
struct ResampleNormP {
  bool resample = false;
  int in = 0, out = 0;
  std::vector<double> interp;  // [in, out] when resampling
  size_t mask = 0;
  LnP ln;
};
template <class R>
struct RnCache {
  const R* s;   // gated (and resampled) input of the LayerNorm
  const R* mg;  // [in, out] interpolation matrix with the gate folded into its columns (resampling only)
  LnCache<R> ln;
};

template <class R>
RnCache<R> rn_fwd(Ctx<R>& c, const ResampleNormP& p, const R* x, int M, R* y) {
  const int n = p.out;
  R* gate = c.ar->alloc(n);
  for (int j = 0; j < n; j++) gate[j] = R(2) * sigmoid(c.w[p.mask + j]);
  R* s = c.ar->alloc(size_t(M) * n);
  R* mg = nullptr;
  if (p.resample) {
    // s = x·(interp·diag(gate)): one small matrix product
    mg = c.ar->alloc(size_t(p.in) * n);
    for (int k = 0; k < p.in; k++)
      for (int j = 0; j < n; j++) mg[size_t(k) * n + j] = R(p.interp[size_t(k) * n + j]) * gate[j];
    gemm(M, n, p.in, x, p.in, mg, n, s, n, false);
  } else {
    for (int i = 0; i < M; i++) {
      const R* __restrict xr = x + size_t(i) * n;
      R* __restrict sr = s + size_t(i) * n;
      for (int j = 0; j < n; j++) sr[j] = xr[j] * gate[j];
    }
  }
  return {s, mg, ln_fwd(c, p.ln, s, M, y)};
}

template <class R>
void rn_bwd(Ctx<R>& c, const ResampleNormP& p, const RnCache<R>& k, const R* dy, int M, R* dx) {
  const int n = p.out;
  R* ds = c.ar->zeros(size_t(M) * n);
  ln_bwd(c, p.ln, k.ln, dy, M, ds);
  // d mask_j = Σ_i ds_ij · r_ij · 2σ'(m_j) = (1 − σ(m_j)) · Σ_i ds_ij · s_ij, as s = r · 2σ(m)
  R* dm = c.ar->zeros(n);
  for (int i = 0; i < M; i++) {
    const R* __restrict d = ds + size_t(i) * n;
    const R* __restrict sr = k.s + size_t(i) * n;
    for (int j = 0; j < n; j++) dm[j] += d[j] * sr[j];
  }
  for (int j = 0; j < n; j++) c.g[p.mask + j] += dm[j] * (R(1) - sigmoid(c.w[p.mask + j]));
  if (p.resample) {
    gemm_bt(*c.ar, M, n, p.in, ds, n, k.mg, n, dx, p.in);
    return;
  }
  R* gate = c.ar->alloc(n);
  for (int j = 0; j < n; j++) gate[j] = R(2) * sigmoid(c.w[p.mask + j]);
  for (int i = 0; i < M; i++) {
    const R* __restrict d = ds + size_t(i) * n;
    R* __restrict o = dx + size_t(i) * n;
    for (int j = 0; j < n; j++) o[j] += d[j] * gate[j];
  }
}

/** Applies (or, backward, re-applies) the dropout mask of `site` to a [M, n] matrix in place. */
template <class R>
void dropout_apply(const DropoutCfg& d, uint32_t site, const RowKeys& rows, R* x, int M, int n) {
  const uint32_t thr = d.threshold();
  const R keep = R(1.0 / (1.0 - d.rate));
  for (int i = 0; i < M; i++) {
    const uint64_t rh = d.rowHash(site, rows.key(i));
    R* __restrict xr = x + size_t(i) * n;
    for (int j = 0; j < n; j++) {
      const uint32_t u = uint32_t(mix64(rh + uint64_t(j) * 0xd1b54a32d192ed03ull) >> 40);
      xr[j] = u >= thr ? xr[j] * keep : R(0);
    }
  }
}

/** Gated linear unit: dropout → (x·Wa + ba) ⊙ σ(x·Wg + bg), with [Wa | Wg] packed as one [in, 2·out] matrix. */
struct GluP {
  LinearP lin;  // out = 2 · width
  int width = 0;
  uint32_t site = 0;
  bool dropout = true;
};
template <class R>
struct GluCache {
  const R* d;  // the (dropped-out) input
  R* z;        // [M, 2·width]: the linear half, then σ of the gate half
};

template <int W, class R>
static void glu_act_rows(int w_, R* z, int M, R* y) {
  const int w = W ? W : w_;
  for (int i = 0; i < M; i++) {
    R* __restrict zr = z + size_t(i) * 2 * w;
    R* __restrict yr = y + size_t(i) * w;
    for (int j = 0; j < w; j++) {
      const R s = sigmoid(zr[w + j]);
      zr[w + j] = s;
      yr[j] = zr[j] * s;
    }
  }
}

template <int W, class R>
static void glu_grad_rows(int w_, const R* z, const R* dy, int M, R* dz) {
  const int w = W ? W : w_;
  for (int i = 0; i < M; i++) {
    const R* __restrict zr = z + size_t(i) * 2 * w;
    const R* __restrict d = dy + size_t(i) * w;
    R* __restrict o = dz + size_t(i) * 2 * w;
    for (int j = 0; j < w; j++) {
      const R s = zr[w + j];
      o[j] = d[j] * s;
      o[w + j] = d[j] * zr[j] * s * (R(1) - s);
    }
  }
}

template <class R>
GluCache<R> glu_fwd(Ctx<R>& c, const GluP& p, const R* x, int M, const RowKeys& rows, R* y) {
  const int in = p.lin.in, w = p.width;
  const R* d = x;
  if (p.dropout && c.drop.on()) {
    R* dd = c.ar->alloc(size_t(M) * in);
    std::memcpy(dd, x, sizeof(R) * size_t(M) * in);
    dropout_apply(c.drop, p.site, rows, dd, M, in);
    d = dd;
  }
  R* z = c.ar->alloc(size_t(M) * 2 * w);
  linear_fwd(c, p.lin, d, M, z);
#define SC_GLU_ACT(N) glu_act_rows<N>(w, z, M, y)
  SC_WIDTH_DISPATCH(w, SC_GLU_ACT)
#undef SC_GLU_ACT
  return {d, z};
}

template <class R>
void glu_bwd(Ctx<R>& c, const GluP& p, const GluCache<R>& k, const R* dy, int M, const RowKeys& rows, R* dx) {
  const int in = p.lin.in, w = p.width;
  R* dz = c.ar->alloc(size_t(M) * 2 * w);
#define SC_GLU_GRAD(N) glu_grad_rows<N>(w, k.z, dy, M, dz)
  SC_WIDTH_DISPATCH(w, SC_GLU_GRAD)
#undef SC_GLU_GRAD
  if (p.dropout && c.drop.on()) {
    R* dd = c.ar->zeros(size_t(M) * in);
    linear_bwd(c, p.lin, k.d, dz, M, dd);
    dropout_apply(c.drop, p.site, rows, dd, M, in);
    for (size_t i = 0; i < size_t(M) * in; i++) dx[i] += dd[i];
  } else {
    linear_bwd(c, p.lin, k.d, dz, M, dx);
  }
}

/** Gate, add and norm: LN(GLU(x) + skip). */
template <class R>
struct GanCache {
  GluCache<R> glu;
  LnCache<R> ln;
};

template <class R>
GanCache<R> gan_fwd(Ctx<R>& c, const GluP& g, const LnP& ln, const R* x, const R* skip, int M, const RowKeys& rows, R* y) {
  R* z = c.ar->alloc(size_t(M) * g.width);
  GanCache<R> k;
  k.glu = glu_fwd(c, g, x, M, rows, z);
  for (size_t i = 0; i < size_t(M) * g.width; i++) z[i] += skip[i];
  k.ln = ln_fwd(c, ln, z, M, y);
  return k;
}

/** Backward of gan_fwd: dx and dskip (zeroed or partial sums) receive the input gradients. */
template <class R>
void gan_bwd(Ctx<R>& c, const GluP& g, const LnP& ln, const GanCache<R>& k, const R* dy, int M, const RowKeys& rows, R* dx, R* dskip) {
  R* dz = c.ar->zeros(size_t(M) * g.width);
  ln_bwd(c, ln, k.ln, dy, M, dz);
  for (size_t i = 0; i < size_t(M) * g.width; i++) dskip[i] += dz[i];
  glu_bwd(c, g, k.glu, dz, M, rows, dx);
}

/** Gated residual network: LN(GLU(fc2(ELU(fc1(x) + context))) + residual), residual resampled when widths differ. */
struct GrnP {
  int in = 0, hidden = 0, out = 0;
  bool hasResample = false;
  ResampleNormP rn;
  LinearP fc1, fc2;
  bool hasContext = false;
  LinearP context;  // [contextSize, hidden], no bias; applied once per batch to the static context
  GluP glu;
  LnP ln;
};
template <class R>
struct GrnCache {
  const R* x;
  const R* residual;
  RnCache<R> rn;
  R* a1;
  R* e;
  GanCache<R> gate;
};

/** `ctxAdd` (length hidden) is the static context already mapped through the context layer, or null. */
template <class R>
GrnCache<R> grn_fwd(Ctx<R>& c, const GrnP& p, const R* x, int M, const R* ctxAdd, const RowKeys& rows, R* y) {
  GrnCache<R> k{};
  k.x = x;
  if (p.hasResample) {
    R* r = c.ar->alloc(size_t(M) * p.out);
    k.rn = rn_fwd(c, p.rn, x, M, r);
    k.residual = r;
  } else {
    k.residual = x;
  }
  const int h = p.hidden;
  k.a1 = c.ar->alloc(size_t(M) * h);
  linear_fwd(c, p.fc1, x, M, k.a1);
  if (ctxAdd)
    for (int i = 0; i < M; i++)
      for (int j = 0; j < h; j++) k.a1[size_t(i) * h + j] += ctxAdd[j];
  k.e = c.ar->alloc(size_t(M) * h);
  for (size_t i = 0; i < size_t(M) * h; i++) {
    R a = k.a1[i];
    k.e[i] = a > 0 ? a : fexp(a) - R(1);
  }
  R* a2 = c.ar->alloc(size_t(M) * h);
  linear_fwd(c, p.fc2, k.e, M, a2);
  k.gate = gan_fwd(c, p.glu, p.ln, a2, k.residual, M, rows, y);
  return k;
}

/** Backward of grn_fwd; `dCtxAdd` (length hidden, may be null) receives Σ over rows of the context's gradient. */
template <class R>
void grn_bwd(Ctx<R>& c, const GrnP& p, const GrnCache<R>& k, const R* dy, int M, const RowKeys& rows, R* dx, R* dCtxAdd) {
  const int h = p.hidden;
  R* da2 = c.ar->zeros(size_t(M) * h);
  // the residual is x itself unless it was resampled
  R* dres = p.hasResample ? c.ar->zeros(size_t(M) * p.out) : dx;
  gan_bwd(c, p.glu, p.ln, k.gate, dy, M, rows, da2, dres);
  R* de = c.ar->zeros(size_t(M) * h);
  linear_bwd(c, p.fc2, k.e, da2, M, de);
  for (size_t i = 0; i < size_t(M) * h; i++) de[i] *= k.a1[i] > 0 ? R(1) : k.e[i] + R(1);
  if (dCtxAdd) colsum(M, h, de, h, dCtxAdd);
  linear_bwd(c, p.fc1, k.x, de, M, dx);
  if (p.hasResample) rn_bwd(c, p.rn, k.rn, dres, M, dx);
}

}  // namespace sc
