// The TFT's larger blocks: variable selection, the LSTM layer with its BPTT, and interpretable multi-head
// attention, each with forward and hand-written backward, on time-major rows (row = t·Bc + b within a chunk).
#pragma once
#include "layers.h"

namespace sc {

/** One variable of a variable-selection network: a categorical (ResampleNorm) or a real (GRN). */
struct VsnVarP {
  int size = 0;
  bool categorical = false;
  ResampleNormP rn;
  GrnP grn;
};
struct VsnP {
  int hidden = 0;
  std::vector<VsnVarP> vars;
  bool hasFlat = false;
  GrnP flat;  // over the concatenated inputs, with the static context; its output width is the variable count
};
template <class R>
struct VsnCache {
  std::vector<const R*> x;
  std::vector<R*> outs;
  std::vector<RnCache<R>> rn;
  std::vector<GrnCache<R>> grn;
  R* flat;
  GrnCache<R> flatGrn;
  R* weights;
};

template <class R>
VsnCache<R> vsn_fwd(Ctx<R>& c, const VsnP& p, const std::vector<const R*>& x, int M, const R* ctxAdd, const RowKeys& rows,
                    R* y, R* weights) {
  const int n = int(p.vars.size()), H = p.hidden;
  VsnCache<R> k{};
  k.x = x;
  k.outs.resize(n);
  k.rn.resize(n);
  k.grn.resize(n);
  for (int i = 0; i < n; i++) {
    k.outs[i] = c.ar->alloc(size_t(M) * H);
    const auto& v = p.vars[i];
    if (v.categorical)
      k.rn[i] = rn_fwd(c, v.rn, x[i], M, k.outs[i]);
    else
      k.grn[i] = grn_fwd(c, v.grn, x[i], M, static_cast<const R*>(nullptr), rows, k.outs[i]);
  }
  k.weights = weights;
  if (!p.hasFlat) {
    for (int i = 0; i < M; i++) weights[i] = 1;
    std::memcpy(y, k.outs[0], sizeof(R) * size_t(M) * H);
    return k;
  }
  int W = 0;
  for (const auto& v : p.vars) W += v.size;
  k.flat = c.ar->alloc(size_t(M) * W);
  for (int r = 0; r < M; r++) {
    R* o = k.flat + size_t(r) * W;
    for (int i = 0; i < n; i++) {
      std::memcpy(o, x[i] + size_t(r) * p.vars[i].size, sizeof(R) * p.vars[i].size);
      o += p.vars[i].size;
    }
  }
  k.flatGrn = grn_fwd(c, p.flat, k.flat, M, ctxAdd, rows, weights);
  for (int r = 0; r < M; r++) {
    R* w = weights + size_t(r) * n;
    R mx = w[0];
    for (int i = 1; i < n; i++) mx = std::max(mx, w[i]);
    R s = 0;
    for (int i = 0; i < n; i++) s += (w[i] = fexp(w[i] - mx));
    for (int i = 0; i < n; i++) w[i] /= s;
    R* yr = y + size_t(r) * H;
    for (int j = 0; j < H; j++) yr[j] = 0;
    for (int i = 0; i < n; i++) {
      const R* o = k.outs[i] + size_t(r) * H;
      for (int j = 0; j < H; j++) yr[j] += o[j] * w[i];
    }
  }
  return k;
}

/** Backward of vsn_fwd: dx[i] (zeroed by the caller, [M, size_i]) receive the input gradients. */
template <class R>
void vsn_bwd(Ctx<R>& c, const VsnP& p, const VsnCache<R>& k, const R* dy, int M, const RowKeys& rows, std::vector<R*>& dx,
             R* dCtxAdd) {
  const int n = int(p.vars.size()), H = p.hidden;
  std::vector<R*> douts(n);
  if (!p.hasFlat) {
    douts[0] = const_cast<R*>(dy);
  } else {
    R* dlogit = c.ar->alloc(size_t(M) * n);
    for (int i = 0; i < n; i++) douts[i] = c.ar->alloc(size_t(M) * H);
    for (int r = 0; r < M; r++) {
      const R* d = dy + size_t(r) * H;
      const R* w = k.weights + size_t(r) * n;
      R* dl = dlogit + size_t(r) * n;
      R dot = 0;
      for (int i = 0; i < n; i++) {
        const R* o = k.outs[i] + size_t(r) * H;
        R* od = douts[i] + size_t(r) * H;
        R dw = 0;
        for (int j = 0; j < H; j++) {
          dw += d[j] * o[j];
          od[j] = d[j] * w[i];
        }
        dl[i] = dw;
        dot += dw * w[i];
      }
      for (int i = 0; i < n; i++) dl[i] = w[i] * (dl[i] - dot);
    }
    int W = 0;
    for (const auto& v : p.vars) W += v.size;
    R* dflat = c.ar->zeros(size_t(M) * W);
    grn_bwd(c, p.flat, k.flatGrn, dlogit, M, rows, dflat, dCtxAdd);
    for (int r = 0; r < M; r++) {
      const R* o = dflat + size_t(r) * W;
      for (int i = 0; i < n; i++) {
        R* d = dx[i] + size_t(r) * p.vars[i].size;
        for (int j = 0; j < p.vars[i].size; j++) d[j] += o[j];
        o += p.vars[i].size;
      }
    }
  }
  for (int i = 0; i < n; i++) {
    const auto& v = p.vars[i];
    if (v.categorical)
      rn_bwd(c, v.rn, k.rn[i], douts[i], M, dx[i]);
    else
      grn_bwd(c, v.grn, k.grn[i], douts[i], M, rows, dx[i], static_cast<R*>(nullptr));
  }
}

/** One LSTM layer (PyTorch gate order i, f, g, o): Wih [in, 4H], Whh [H, 4H], b = b_ih + b_hh [4H]. */
struct LstmP {
  int in = 0, H = 0;
  size_t wih = 0, whh = 0, b = 0;
};
template <class R>
struct LstmCache {
  int T, Bc;
  const R* x;
  R* act;    // [T·Bc, 4H] gate activations
  R* hs;     // [(T+1)·Bc, H] carried hidden state; hs[0] = h0, outputs are hs[1..T]
  R* cs;     // [(T+1)·Bc, H] carried cell state
  R* tanhC;  // [T·Bc, H]
  const uint8_t* mask;  // [T·Bc] 1 = real step, or null
};

/** Runs the layer; h0/c0 are [Bc, H]; outputs are cache.hs + Bc·H (T·Bc rows). */
template <class R>
LstmCache<R> lstm_fwd(Ctx<R>& c, const LstmP& p, const R* x, int T, int Bc, const R* h0, const R* c0, const uint8_t* mask) {
  const int H = p.H, G = 4 * H;
  LstmCache<R> k{T, Bc, x, c.ar->alloc(size_t(T) * Bc * G), c.ar->alloc(size_t(T + 1) * Bc * H),
                 c.ar->alloc(size_t(T + 1) * Bc * H), c.ar->alloc(size_t(T) * Bc * H), mask};
  linear_fwd(c, LinearP{p.in, G, p.wih, p.b, true}, x, T * Bc, k.act);
  std::memcpy(k.hs, h0, sizeof(R) * Bc * H);
  std::memcpy(k.cs, c0, sizeof(R) * Bc * H);
  for (int t = 0; t < T; t++) {
    R* z = k.act + size_t(t) * Bc * G;
    const R* hp = k.hs + size_t(t) * Bc * H;
    const R* cp = k.cs + size_t(t) * Bc * H;
    R* hn = k.hs + size_t(t + 1) * Bc * H;
    R* cn = k.cs + size_t(t + 1) * Bc * H;
    R* tc = k.tanhC + size_t(t) * Bc * H;
    gemm(Bc, G, H, hp, H, c.w + p.whh, G, z, G, true);
    for (int b = 0; b < Bc; b++) {
      R* zr = z + size_t(b) * G;
      for (int j = 0; j < H; j++) {
        zr[j] = sigmoid(zr[j]);
        zr[H + j] = sigmoid(zr[H + j]);
        zr[2 * H + j] = tanh_(zr[2 * H + j]);
        zr[3 * H + j] = sigmoid(zr[3 * H + j]);
      }
      const bool real = !mask || mask[size_t(t) * Bc + b];
      const size_t o = size_t(b) * H;
      for (int j = 0; j < H; j++) {
        R cNew = zr[H + j] * cp[o + j] + zr[j] * zr[2 * H + j];
        R th = tanh_(cNew);
        tc[o + j] = th;
        cn[o + j] = real ? cNew : cp[o + j];
        hn[o + j] = real ? zr[3 * H + j] * th : hp[o + j];
      }
    }
  }
  return k;
}

/**
 * Back-propagation through time. dOut [T·Bc, H] is the gradient of the outputs, dhT/dcT of the final state
 * (null for none); dx (zeroed, [T·Bc, in]) and dh0/dc0 ([Bc, H], overwritten) receive the input gradients.
 */
template <class R>
void lstm_bwd(Ctx<R>& c, const LstmP& p, const LstmCache<R>& k, const R* dOut, const R* dhT, const R* dcT, R* dx, R* dh0,
              R* dc0) {
  const int H = p.H, G = 4 * H, T = k.T, Bc = k.Bc;
  R* dz = c.ar->alloc(size_t(T) * Bc * G);
  R* dh = c.ar->alloc(size_t(Bc) * H);
  R* dc = c.ar->alloc(size_t(Bc) * H);
  R* dhTot = c.ar->alloc(size_t(Bc) * H);
  R* whhT = c.ar->alloc(size_t(G) * H);
  transpose(H, G, c.w + p.whh, G, whhT);
  if (dhT) std::memcpy(dh, dhT, sizeof(R) * Bc * H); else std::memset(dh, 0, sizeof(R) * Bc * H);
  if (dcT) std::memcpy(dc, dcT, sizeof(R) * Bc * H); else std::memset(dc, 0, sizeof(R) * Bc * H);
  for (int t = T - 1; t >= 0; t--) {
    const R* a = k.act + size_t(t) * Bc * G;
    const R* cp = k.cs + size_t(t) * Bc * H;
    const R* tc = k.tanhC + size_t(t) * Bc * H;
    const R* dO = dOut + size_t(t) * Bc * H;
    R* dzt = dz + size_t(t) * Bc * G;
    for (int b = 0; b < Bc; b++) {
      const R* ar = a + size_t(b) * G;
      R* dzr = dzt + size_t(b) * G;
      const size_t o = size_t(b) * H;
      const bool real = !k.mask || k.mask[size_t(t) * Bc + b];
      for (int j = 0; j < H; j++) {
        R dht = dh[o + j] + dO[o + j];
        dhTot[o + j] = dht;
        if (!real) {
          dzr[j] = dzr[H + j] = dzr[2 * H + j] = dzr[3 * H + j] = 0;
          continue;  // the state passes through unchanged: dh and dc carry over
        }
        R i = ar[j], f = ar[H + j], g = ar[2 * H + j], og = ar[3 * H + j], th = tc[o + j];
        R dcNew = dc[o + j] + dht * og * (R(1) - th * th);
        dzr[j] = dcNew * g * i * (R(1) - i);
        dzr[H + j] = dcNew * cp[o + j] * f * (R(1) - f);
        dzr[2 * H + j] = dcNew * i * (R(1) - g * g);
        dzr[3 * H + j] = dht * th * og * (R(1) - og);
        dc[o + j] = dcNew * f;
      }
    }
    // dh_prev = dz·Whhᵀ for real rows, the carried dh for padded rows
    for (int b = 0; b < Bc; b++) {
      const bool real = !k.mask || k.mask[size_t(t) * Bc + b];
      R* d = dh + size_t(b) * H;
      if (real) std::memset(d, 0, sizeof(R) * H); else std::memcpy(d, dhTot + size_t(b) * H, sizeof(R) * H);
    }
    gemm(Bc, H, G, dzt, G, whhT, H, dh, H, true);
  }
  std::memcpy(dh0, dh, sizeof(R) * Bc * H);
  std::memcpy(dc0, dc, sizeof(R) * Bc * H);
  gemm_at(T * Bc, G, H, k.hs, H, dz, G, c.g + p.whh, G);
  LinearP lin{p.in, G, p.wih, p.b, true};
  linear_bwd(c, lin, k.x, dz, T * Bc, dx);
}

/** Interpretable multi-head attention: per-head q/k, one shared v, heads averaged, output projection w_h. */
struct AttnP {
  int H = 0, heads = 0, dk = 0;
  LinearP kv;  // [H, heads·dk + dk]: the keys of every head, then the shared value
  LinearP q;   // [H, heads·dk]
  LinearP wh;  // [dk, H], no bias
  uint32_t siteProb = 0, siteMerged = 0, siteOut = 0;
};
template <class R>
struct AttnCache {
  const R* all;
  const R* dec;
  R* kv;      // [T·Bc, (heads+1)·dk]
  R* q;       // [Td·Bc, heads·dk]
  R* p;       // [heads, Td, Bc, T] softmax probabilities (before dropout)
  R* a;       // [Td, Bc, T] head-averaged (dropped-out) attention
  R* merged;  // [Td·Bc, dk] after dropout
};

/** Decoder step j may look at real encoder steps (t ≥ pad) and at decoder steps before j. */
inline bool attn_allowed(int t, int j, int Te, int pad) { return t < Te ? t >= pad : t - Te < j; }

template <class R>
AttnCache<R> attn_fwd(Ctx<R>& c, const AttnP& p, const R* all, int Te, int Td, int Bc, const int* pads, uint64_t sample0, R* y) {
  const int T = Te + Td, dk = p.dk, nh = p.heads, KW = (nh + 1) * dk;
  AttnCache<R> k{};
  k.all = all;
  k.dec = all + size_t(Te) * Bc * p.H;
  k.kv = c.ar->alloc(size_t(T) * Bc * KW);
  linear_fwd(c, p.kv, all, T * Bc, k.kv);
  k.q = c.ar->alloc(size_t(Td) * Bc * nh * dk);
  linear_fwd(c, p.q, k.dec, Td * Bc, k.q);
  k.p = c.ar->alloc(size_t(nh) * Td * Bc * T);
  k.a = c.ar->zeros(size_t(Td) * Bc * T);
  k.merged = c.ar->alloc(size_t(Td) * Bc * dk);
  const R scale = R(1) / std::sqrt(R(dk));
  const bool drop = c.drop.on();
  for (int j = 0; j < Td; j++) {
    for (int b = 0; b < Bc; b++) {
      const R* qr = k.q + (size_t(j) * Bc + b) * nh * dk;
      R* ar = k.a + (size_t(j) * Bc + b) * T;
      const uint64_t key = ((sample0 + b) << 12) | uint64_t(j);
      for (int h = 0; h < nh; h++) {
        R* pr = k.p + ((size_t(h) * Td + j) * Bc + b) * T;
        R mx = -INFINITY;
        for (int t = 0; t < T; t++) {
          if (!attn_allowed(t, j, Te, pads[b])) {
            pr[t] = 0;
            continue;
          }
          const R* kr = k.kv + (size_t(t) * Bc + b) * KW + h * dk;
          R s = 0;
          for (int d = 0; d < dk; d++) s += kr[d] * qr[h * dk + d];
          pr[t] = s * scale;
          mx = std::max(mx, pr[t]);
        }
        R sum = 0;
        for (int t = 0; t < T; t++)
          if (attn_allowed(t, j, Te, pads[b])) sum += (pr[t] = fexp(pr[t] - mx));
        const uint64_t rh = c.drop.rowHash(p.siteProb, key);
        for (int t = 0; t < T; t++) {
          pr[t] /= sum;
          R v = drop ? pr[t] * c.drop.template factorOf<R>(rh, uint32_t(h * T + t)) : pr[t];
          ar[t] += v / R(nh);
        }
      }
      R* m = k.merged + (size_t(j) * Bc + b) * dk;
      for (int d = 0; d < dk; d++) m[d] = 0;
      for (int t = 0; t < T; t++) {
        const R* v = k.kv + (size_t(t) * Bc + b) * KW + nh * dk;
        for (int d = 0; d < dk; d++) m[d] += ar[t] * v[d];
      }
    }
  }
  // rows of merged/y are (j, b): keys of absolute step Te + j
  RowKeys rows{sample0, Bc, Te, false};
  if (drop) dropout_apply(c.drop, p.siteMerged, rows, k.merged, Td * Bc, dk);
  linear_fwd(c, p.wh, k.merged, Td * Bc, y);
  if (drop) dropout_apply(c.drop, p.siteOut, rows, y, Td * Bc, p.H);
  return k;
}

/** Backward of attn_fwd: dAll (zeroed, [T·Bc, H]) receives the gradient of keys/values and of the decoder queries. */
template <class R>
void attn_bwd(Ctx<R>& c, const AttnP& p, const AttnCache<R>& k, const R* dy, int Te, int Td, int Bc, const int* pads,
              uint64_t sample0, R* dAll) {
  const int T = Te + Td, dk = p.dk, nh = p.heads, KW = (nh + 1) * dk, H = p.H;
  const bool drop = c.drop.on();
  RowKeys rows{sample0, Bc, Te, false};
  R* d = c.ar->alloc(size_t(Td) * Bc * H);
  std::memcpy(d, dy, sizeof(R) * Td * Bc * H);
  if (drop) dropout_apply(c.drop, p.siteOut, rows, d, Td * Bc, H);
  R* dm = c.ar->zeros(size_t(Td) * Bc * dk);
  linear_bwd(c, p.wh, k.merged, d, Td * Bc, dm);
  if (drop) dropout_apply(c.drop, p.siteMerged, rows, dm, Td * Bc, dk);
  R* dkv = c.ar->zeros(size_t(T) * Bc * KW);
  R* dq = c.ar->zeros(size_t(Td) * Bc * nh * dk);
  R* dp = c.ar->alloc(T);
  R* dA = c.ar->alloc(T);
  const R scale = R(1) / std::sqrt(R(dk));
  for (int j = 0; j < Td; j++) {
    for (int b = 0; b < Bc; b++) {
      const R* dmr = dm + (size_t(j) * Bc + b) * dk;
      const R* ar = k.a + (size_t(j) * Bc + b) * T;
      const R* qr = k.q + (size_t(j) * Bc + b) * nh * dk;
      R* dqr = dq + (size_t(j) * Bc + b) * nh * dk;
      const uint64_t key = ((sample0 + b) << 12) | uint64_t(j);
      // dA[t] = dmerged · v[t];  dv[t] += A[t] · dmerged
      for (int t = 0; t < T; t++) {
        const R* v = k.kv + (size_t(t) * Bc + b) * KW + nh * dk;
        R* dv = dkv + (size_t(t) * Bc + b) * KW + nh * dk;
        R s = 0;
        for (int e = 0; e < dk; e++) {
          s += dmr[e] * v[e];
          dv[e] += ar[t] * dmr[e];
        }
        dA[t] = s;
      }
      for (int h = 0; h < nh; h++) {
        const R* pr = k.p + ((size_t(h) * Td + j) * Bc + b) * T;
        R dot = 0;
        const uint64_t rh = c.drop.rowHash(p.siteProb, key);
        for (int t = 0; t < T; t++) {
          R g = dA[t] / R(nh);
          if (drop) g *= c.drop.template factorOf<R>(rh, uint32_t(h * T + t));
          dp[t] = g;
          dot += g * pr[t];
        }
        for (int t = 0; t < T; t++) {
          if (!attn_allowed(t, j, Te, pads[b])) continue;
          R ds = pr[t] * (dp[t] - dot) * scale;
          const R* kr = k.kv + (size_t(t) * Bc + b) * KW + h * dk;
          R* dkr = dkv + (size_t(t) * Bc + b) * KW + h * dk;
          for (int e = 0; e < dk; e++) {
            dkr[e] += ds * qr[h * dk + e];
            dqr[h * dk + e] += ds * kr[e];
          }
        }
      }
    }
  }
  linear_bwd(c, p.kv, k.all, dkv, T * Bc, dAll);
  linear_bwd(c, p.q, k.dec, dq, Td * Bc, dAll + size_t(Te) * Bc * H);
}

}  // namespace sc
