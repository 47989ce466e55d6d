// One chunk of samples through the whole TFT: forward (recording what backward needs), the quantile loss on
// denormalised predictions, and the backward pass back to every parameter and to the static context.
#pragma once
#include "model.h"

namespace sc {

/** A batch as stockcast's TftBatch holds it (batch-major typed arrays, not copied). */
struct Batch {
  int B = 0;
  const int32_t* categorical = nullptr;  // [B, T, nCat]
  const float* reals = nullptr;          // [B, T, nReal]
  const int32_t* encoderLengths = nullptr;
  const float* targetScale = nullptr;  // [B, 2] (center, scale)
  const float* targetRaw = nullptr;    // [B, Td]
};

/** The static context (one row: the model has no static variables, so the GRNs see zeros). */
template <class R>
struct Statics {
  R* sel;  // [H] variable-selection context
  R* enr;  // [H] enrichment context
  R* h0;   // [H]
  R* c0;   // [H]
  R* addEnc;  // the flattened encoder GRN's context term [hidden]
  R* addDec;
  R* addEnr;  // the enrichment GRN's context term [H]
  GrnCache<R> kSel, kHidden, kCell, kEnr;
};

/** Gradients of one chunk with respect to the static context terms (summed over rows). */
template <class R>
struct StaticGrads {
  R* addEnc;
  R* addDec;
  R* addEnr;
  R* h0;
  R* c0;
};

template <class R>
inline void ctx_add(const R* ctx, const R* W, int C, int hidden, R* out) {
  for (int j = 0; j < hidden; j++) out[j] = 0;
  for (int i = 0; i < C; i++)
    for (int j = 0; j < hidden; j++) out[j] += ctx[i] * W[size_t(i) * hidden + j];
}

template <class R>
Statics<R> statics_fwd(Ctx<R>& c, const ModelDef& m) {
  const int H = m.spec.H;
  Statics<R> s{};
  R* zero = c.ar->zeros(H);
  RowKeys shared;
  shared.shared = true;
  s.sel = c.ar->alloc(H);
  s.enr = c.ar->alloc(H);
  s.h0 = c.ar->alloc(H);
  s.c0 = c.ar->alloc(H);
  s.kSel = grn_fwd(c, m.ctxSel, zero, 1, static_cast<const R*>(nullptr), shared, s.sel);
  s.kEnr = grn_fwd(c, m.ctxEnr, zero, 1, static_cast<const R*>(nullptr), shared, s.enr);
  s.kHidden = grn_fwd(c, m.ctxHidden, zero, 1, static_cast<const R*>(nullptr), shared, s.h0);
  s.kCell = grn_fwd(c, m.ctxCell, zero, 1, static_cast<const R*>(nullptr), shared, s.c0);
  if (m.encVsn.hasFlat) {
    s.addEnc = c.ar->alloc(m.encVsn.flat.hidden);
    ctx_add(s.sel, c.w + m.encVsn.flat.context.w, H, m.encVsn.flat.hidden, s.addEnc);
  }
  if (m.decVsn.hasFlat) {
    s.addDec = c.ar->alloc(m.decVsn.flat.hidden);
    ctx_add(s.sel, c.w + m.decVsn.flat.context.w, H, m.decVsn.flat.hidden, s.addDec);
  }
  s.addEnr = c.ar->alloc(H);
  ctx_add(s.enr, c.w + m.enrich.context.w, H, H, s.addEnr);
  return s;
}

/** Backward of the static context from the summed gradients of its uses. */
template <class R>
void statics_bwd(Ctx<R>& c, const ModelDef& m, const Statics<R>& s, const StaticGrads<R>& g) {
  const int H = m.spec.H;
  RowKeys shared;
  shared.shared = true;
  R* dSel = c.ar->zeros(H);
  R* dEnr = c.ar->zeros(H);
  auto ctxBack = [&](const GrnP& p, const R* ctx, const R* dAdd, R* dCtx) {
    const int h = p.hidden;
    for (int i = 0; i < H; i++)
      for (int j = 0; j < h; j++) {
        c.g[p.context.w + size_t(i) * h + j] += ctx[i] * dAdd[j];
        dCtx[i] += c.w[p.context.w + size_t(i) * h + j] * dAdd[j];
      }
  };
  if (m.encVsn.hasFlat) ctxBack(m.encVsn.flat, s.sel, g.addEnc, dSel);
  if (m.decVsn.hasFlat) ctxBack(m.decVsn.flat, s.sel, g.addDec, dSel);
  ctxBack(m.enrich, s.enr, g.addEnr, dEnr);
  R* dx = c.ar->zeros(H);
  grn_bwd(c, m.ctxSel, s.kSel, dSel, 1, shared, dx, static_cast<R*>(nullptr));
  grn_bwd(c, m.ctxEnr, s.kEnr, dEnr, 1, shared, dx, static_cast<R*>(nullptr));
  grn_bwd(c, m.ctxHidden, s.kHidden, g.h0, 1, shared, dx, static_cast<R*>(nullptr));
  grn_bwd(c, m.ctxCell, s.kCell, g.c0, 1, shared, dx, static_cast<R*>(nullptr));
}

/** Everything one chunk's forward leaves for its backward, and its outputs. */
template <class R>
struct ChunkState {
  int Bc = 0;
  uint64_t s0 = 0;
  std::vector<int> pads;
  std::vector<uint8_t> mask;  // [Te·Bc] for the encoder LSTM (empty when no window is short)
  std::vector<R*> encX, decX;
  VsnCache<R> encV, decV;
  R* vsnAll;  // [T·Bc, H]
  R* wEnc;    // [Te·Bc, nEnc]
  R* wDec;    // [Td·Bc, nDec]
  std::vector<LstmCache<R>> encL, decL;
  R* lstmAll;  // [T·Bc, H]
  GanCache<R> post;
  R* lstmOut;  // [T·Bc, H]
  GrnCache<R> enr;
  R* enrAll;  // [T·Bc, H]
  AttnCache<R> at;
  R* attnY;  // [Td·Bc, H]
  GanCache<R> paK;
  R* pa;
  GrnCache<R> ffK;
  R* ff;
  GanCache<R> poK;
  R* po;
  R* pred;  // [Td·Bc, nQ], normalised target space
};

template <class R>
class ChunkModel {
 public:
  ChunkModel(const ModelDef& m, const Batch& batch) : m_(m), b_(batch), T_(m.spec.Te + m.spec.Td) {}

  /** Forward pass of samples [s0, s0 + Bc). */
  void forward(Ctx<R>& c, const Statics<R>& st, int s0, int Bc, ChunkState<R>& k) const {
    const auto& s = m_.spec;
    const int Te = s.Te, Td = s.Td, T = T_, H = s.H;
    k.Bc = Bc;
    k.s0 = uint64_t(s0);
    k.pads.assign(Bc, 0);
    bool anyPad = false;
    for (int b = 0; b < Bc; b++) {
      int len = b_.encoderLengths ? b_.encoderLengths[s0 + b] : Te;
      k.pads[b] = std::max(0, std::min(Te, Te - len));
      anyPad = anyPad || k.pads[b] > 0;
    }
    k.mask.clear();
    if (anyPad) {
      k.mask.resize(size_t(Te) * Bc);
      for (int t = 0; t < Te; t++)
        for (int b = 0; b < Bc; b++) k.mask[size_t(t) * Bc + b] = t >= k.pads[b];
    }
    RowKeys encRows{uint64_t(s0), Bc, 0, false}, decRows{uint64_t(s0), Bc, Te, false};
    // inputs: embeddings and prescaled reals, per variable, time-major
    k.encX = inputs(c, m_.encVars, s0, Bc, 0, Te);
    k.decX = inputs(c, m_.decVars, s0, Bc, Te, Td);
    k.vsnAll = c.ar->alloc(size_t(T) * Bc * H);
    k.wEnc = c.ar->alloc(size_t(Te) * Bc * m_.encVars.size());
    k.wDec = c.ar->alloc(size_t(Td) * Bc * m_.decVars.size());
    std::vector<const R*> ex(k.encX.begin(), k.encX.end()), dx(k.decX.begin(), k.decX.end());
    k.encV = vsn_fwd(c, m_.encVsn, ex, Te * Bc, st.addEnc, encRows, k.vsnAll, k.wEnc);
    k.decV = vsn_fwd(c, m_.decVsn, dx, Td * Bc, st.addDec, decRows, k.vsnAll + size_t(Te) * Bc * H, k.wDec);
    // LSTM encoder and decoder (initial state from the static context, the decoder from the encoder's final state)
    R* h0 = c.ar->alloc(size_t(Bc) * H);
    R* c0 = c.ar->alloc(size_t(Bc) * H);
    for (int b = 0; b < Bc; b++) {
      std::memcpy(h0 + size_t(b) * H, st.h0, sizeof(R) * H);
      std::memcpy(c0 + size_t(b) * H, st.c0, sizeof(R) * H);
    }
    const R* encIn = k.vsnAll;
    const R* decIn = k.vsnAll + size_t(Te) * Bc * H;
    k.encL.clear();
    k.decL.clear();
    const uint8_t* mask = anyPad ? k.mask.data() : nullptr;
    for (int l = 0; l < s.lstmLayers; l++) {
      k.encL.push_back(lstm_fwd(c, m_.lstmEnc[l], encIn, Te, Bc, h0, c0, mask));
      const auto& e = k.encL.back();
      k.decL.push_back(lstm_fwd(c, m_.lstmDec[l], decIn, Td, Bc, e.hs + size_t(Te) * Bc * H, e.cs + size_t(Te) * Bc * H,
                                static_cast<const uint8_t*>(nullptr)));
      const auto& d = k.decL.back();
      if (l + 1 < s.lstmLayers) {
        encIn = dropped(c, m_.lstmDropEnc[l], e.hs + size_t(Bc) * H, Te * Bc, H, encRows);
        decIn = dropped(c, m_.lstmDropDec[l], d.hs + size_t(Bc) * H, Td * Bc, H, decRows);
      }
    }
    k.lstmAll = c.ar->alloc(size_t(T) * Bc * H);
    std::memcpy(k.lstmAll, k.encL.back().hs + size_t(Bc) * H, sizeof(R) * Te * Bc * H);
    std::memcpy(k.lstmAll + size_t(Te) * Bc * H, k.decL.back().hs + size_t(Bc) * H, sizeof(R) * Td * Bc * H);
    // post-LSTM gate + add & norm (shared by encoder and decoder rows), static enrichment
    RowKeys allRows{uint64_t(s0), Bc, 0, false};
    k.lstmOut = c.ar->alloc(size_t(T) * Bc * H);
    k.post = gan_fwd(c, m_.postLstmGlu, m_.postLstmLn, k.lstmAll, k.vsnAll, T * Bc, allRows, k.lstmOut);
    k.enrAll = c.ar->alloc(size_t(T) * Bc * H);
    k.enr = grn_fwd(c, m_.enrich, k.lstmOut, T * Bc, st.addEnr, allRows, k.enrAll);
    // attention with decoder queries, gate + add & norm, position-wise GRN, pre-output gate + add & norm
    k.attnY = c.ar->alloc(size_t(Td) * Bc * H);
    k.at = attn_fwd(c, m_.attn, k.enrAll, Te, Td, Bc, k.pads.data(), uint64_t(s0), k.attnY);
    k.pa = c.ar->alloc(size_t(Td) * Bc * H);
    k.paK = gan_fwd(c, m_.postAttnGlu, m_.postAttnLn, k.attnY, k.enrAll + size_t(Te) * Bc * H, Td * Bc, decRows, k.pa);
    k.ff = c.ar->alloc(size_t(Td) * Bc * H);
    k.ffK = grn_fwd(c, m_.ff, k.pa, Td * Bc, static_cast<const R*>(nullptr), decRows, k.ff);
    k.po = c.ar->alloc(size_t(Td) * Bc * H);
    k.poK = gan_fwd(c, m_.preOutGlu, m_.preOutLn, k.ff, k.lstmOut + size_t(Te) * Bc * H, Td * Bc, decRows, k.po);
    k.pred = c.ar->alloc(size_t(Td) * Bc * m_.nQ());
    linear_fwd(c, m_.out, k.po, Td * Bc, k.pred);
  }

  /**
   * Quantile loss of the chunk's predictions in target units, summed (the caller divides by B·Td·nQ), and its
   * gradient with respect to the normalised predictions scaled by 1/norm, written into dpred [Td·Bc, nQ].
   */
  double loss(const ChunkState<R>& k, double norm, R* dpred) const {
    const auto& s = m_.spec;
    const int Td = s.Td, nQ = m_.nQ(), Bc = k.Bc;
    double sum = 0;
    for (int j = 0; j < Td; j++)
      for (int b = 0; b < Bc; b++) {
        const size_t gb = k.s0 + b;
        const R center = R(b_.targetScale[gb * 2]), scale = R(b_.targetScale[gb * 2 + 1]);
        const R y = R(b_.targetRaw[gb * Td + j]);
        for (int q = 0; q < nQ; q++) {
          const size_t i = (size_t(j) * Bc + b) * nQ + q;
          const R lin = k.pred[i] * scale + center;
          const R yhat = s.logTarget ? fexp(lin) : lin;
          const R qq = R(s.quantiles[q]);
          const R e = y - yhat;
          const bool upper = qq * e >= (qq - R(1)) * e;
          sum += double(R(2) * (upper ? qq * e : (qq - R(1)) * e));
          const R dyhat = upper ? R(-2) * qq : R(-2) * (qq - R(1));
          dpred[i] = R(dyhat * (s.logTarget ? yhat : R(1)) * scale / R(norm));
        }
      }
    return sum;
  }

  /** Backward pass from dpred; parameter gradients go to c.g, static-context gradients to sg (accumulated). */
  void backward(Ctx<R>& c, const Statics<R>& st, const ChunkState<R>& k, const R* dpred, const StaticGrads<R>& sg) const {
    const auto& s = m_.spec;
    const int Te = s.Te, Td = s.Td, T = T_, H = s.H, Bc = k.Bc;
    const int s0 = int(k.s0);
    RowKeys encRows{k.s0, Bc, 0, false}, decRows{k.s0, Bc, Te, false}, allRows{k.s0, Bc, 0, false};
    const size_t nAll = size_t(T) * Bc * H, nDec = size_t(Td) * Bc * H;
    R* dPo = c.ar->zeros(nDec);
    linear_bwd(c, m_.out, k.po, dpred, Td * Bc, dPo);
    R* dLstmOut = c.ar->zeros(nAll);
    R* dFf = c.ar->zeros(nDec);
    gan_bwd(c, m_.preOutGlu, m_.preOutLn, k.poK, dPo, Td * Bc, decRows, dFf, dLstmOut + size_t(Te) * Bc * H);
    R* dPa = c.ar->zeros(nDec);
    grn_bwd(c, m_.ff, k.ffK, dFf, Td * Bc, decRows, dPa, static_cast<R*>(nullptr));
    R* dEnr = c.ar->zeros(nAll);
    R* dAttnY = c.ar->zeros(nDec);
    gan_bwd(c, m_.postAttnGlu, m_.postAttnLn, k.paK, dPa, Td * Bc, decRows, dAttnY, dEnr + size_t(Te) * Bc * H);
    attn_bwd(c, m_.attn, k.at, dAttnY, Te, Td, Bc, k.pads.data(), k.s0, dEnr);
    grn_bwd(c, m_.enrich, k.enr, dEnr, T * Bc, allRows, dLstmOut, sg.addEnr);
    R* dVsn = c.ar->zeros(nAll);
    R* dLstmAll = c.ar->zeros(nAll);
    gan_bwd(c, m_.postLstmGlu, m_.postLstmLn, k.post, dLstmOut, T * Bc, allRows, dLstmAll, dVsn);
    // LSTM layers, last to first; the decoder's initial-state gradient flows into the encoder's final state
    R* dEncOut = dLstmAll;
    R* dDecOut = dLstmAll + size_t(Te) * Bc * H;
    R* dh0 = c.ar->alloc(size_t(Bc) * H);
    R* dc0 = c.ar->alloc(size_t(Bc) * H);
    R* dhT = c.ar->alloc(size_t(Bc) * H);
    R* dcT = c.ar->alloc(size_t(Bc) * H);
    for (int l = s.lstmLayers - 1; l >= 0; l--) {
      const bool first = l == 0;
      R* dEncIn = first ? dVsn : c.ar->zeros(size_t(Te) * Bc * H);
      R* dDecIn = first ? dVsn + size_t(Te) * Bc * H : c.ar->zeros(size_t(Td) * Bc * H);
      lstm_bwd(c, m_.lstmDec[l], k.decL[l], dDecOut, static_cast<const R*>(nullptr), static_cast<const R*>(nullptr), dDecIn, dhT, dcT);
      lstm_bwd(c, m_.lstmEnc[l], k.encL[l], dEncOut, dhT, dcT, dEncIn, dh0, dc0);
      colsum(Bc, H, dh0, H, sg.h0);
      colsum(Bc, H, dc0, H, sg.c0);
      if (!first) {
        dropout_apply(c.drop, m_.lstmDropEnc[l - 1], encRows, dEncIn, Te * Bc, H);
        dropout_apply(c.drop, m_.lstmDropDec[l - 1], decRows, dDecIn, Td * Bc, H);
        dEncOut = dEncIn;
        dDecOut = dDecIn;
      }
    }
    // variable selection, then embeddings and prescalers
    std::vector<R*> dEx = zerosLike(c, m_.encVars, Te * Bc), dDx = zerosLike(c, m_.decVars, Td * Bc);
    vsn_bwd(c, m_.encVsn, k.encV, dVsn, Te * Bc, encRows, dEx, sg.addEnc);
    vsn_bwd(c, m_.decVsn, k.decV, dVsn + size_t(Te) * Bc * H, Td * Bc, decRows, dDx, sg.addDec);
    inputs_bwd(c, m_.encVars, s0, Bc, 0, Te, dEx);
    inputs_bwd(c, m_.decVars, s0, Bc, Te, Td, dDx);
  }

  /** Copies the chunk's outputs into batch-wide, time-major arrays (rows t·B + b). */
  template <class F>
  void outputs(const ChunkState<R>& k, F* prediction, F* attention, F* encW, F* decW) const {
    const auto& s = m_.spec;
    const int Te = s.Te, Td = s.Td, T = T_, B = b_.B, Bc = k.Bc, nQ = m_.nQ();
    const int nE = int(m_.encVars.size()), nD = int(m_.decVars.size());
    for (int j = 0; j < Td; j++)
      for (int b = 0; b < Bc; b++) {
        const size_t row = size_t(j) * B + k.s0 + b;
        for (int q = 0; q < nQ; q++) prediction[row * nQ + q] = F(k.pred[(size_t(j) * Bc + b) * nQ + q]);
        for (int t = 0; t < T; t++) attention[row * T + t] = F(k.at.a[(size_t(j) * Bc + b) * T + t]);
        for (int v = 0; v < nD; v++) decW[row * nD + v] = F(k.wDec[(size_t(j) * Bc + b) * nD + v]);
      }
    for (int t = 0; t < Te; t++)
      for (int b = 0; b < Bc; b++)
        for (int v = 0; v < nE; v++) encW[(size_t(t) * B + k.s0 + b) * nE + v] = F(k.wEnc[(size_t(t) * Bc + b) * nE + v]);
  }

 private:
  const ModelDef& m_;
  const Batch& b_;
  const int T_;

  int code(int sample, int t, int cat) const {
    return b_.categorical[(size_t(sample) * T_ + t) * m_.spec.cats.size() + cat];
  }
  float real(int sample, int t, int r) const { return b_.reals[(size_t(sample) * T_ + t) * m_.spec.reals.size() + r]; }

  /** Per variable, [steps·Bc, size]: embedding rows (a code outside the table gives zeros, like a one-hot) or prescaled reals. */
  std::vector<R*> inputs(Ctx<R>& c, const std::vector<VarRef>& vars, int s0, int Bc, int t0, int steps) const {
    std::vector<R*> xs;
    for (const auto& v : vars) {
      R* x = c.ar->alloc(size_t(steps) * Bc * v.size);
      for (int t = 0; t < steps; t++)
        for (int b = 0; b < Bc; b++) {
          R* o = x + (size_t(t) * Bc + b) * v.size;
          if (v.categorical) {
            const int id = code(s0 + b, t0 + t, v.index);
            const int card = m_.spec.cats[v.index].cardinality;
            if (id < 0 || id >= card)
              std::memset(o, 0, sizeof(R) * v.size);
            else
              std::memcpy(o, c.w + m_.emb[v.index] + size_t(id) * v.size, sizeof(R) * v.size);
          } else {
            const LinearP& p = m_.prescale[v.index];
            const R val = R(real(s0 + b, t0 + t, v.index));
            for (int j = 0; j < v.size; j++) o[j] = val * c.w[p.w + j] + c.w[p.b + j];
          }
        }
      xs.push_back(x);
    }
    return xs;
  }

  void inputs_bwd(Ctx<R>& c, const std::vector<VarRef>& vars, int s0, int Bc, int t0, int steps, const std::vector<R*>& dx) const {
    for (size_t i = 0; i < vars.size(); i++) {
      const auto& v = vars[i];
      for (int t = 0; t < steps; t++)
        for (int b = 0; b < Bc; b++) {
          const R* d = dx[i] + (size_t(t) * Bc + b) * v.size;
          if (v.categorical) {
            const int id = code(s0 + b, t0 + t, v.index);
            if (id < 0 || id >= m_.spec.cats[v.index].cardinality) continue;
            R* g = c.g + m_.emb[v.index] + size_t(id) * v.size;
            for (int j = 0; j < v.size; j++) g[j] += d[j];
          } else {
            const LinearP& p = m_.prescale[v.index];
            const R val = R(real(s0 + b, t0 + t, v.index));
            for (int j = 0; j < v.size; j++) {
              c.g[p.w + j] += val * d[j];
              c.g[p.b + j] += d[j];
            }
          }
        }
    }
  }

  std::vector<R*> zerosLike(Ctx<R>& c, const std::vector<VarRef>& vars, int rows) const {
    std::vector<R*> out;
    for (const auto& v : vars) out.push_back(c.ar->zeros(size_t(rows) * v.size));
    return out;
  }

  R* dropped(Ctx<R>& c, uint32_t site, const R* x, int M, int n, const RowKeys& rows) const {
    R* y = c.ar->alloc(size_t(M) * n);
    std::memcpy(y, x, sizeof(R) * size_t(M) * n);
    if (c.drop.on()) dropout_apply(c.drop, site, rows, y, M, n);
    return y;
  }
};

}  // namespace sc
