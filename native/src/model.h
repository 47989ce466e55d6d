// The TFT's structure (which parameters, which blocks, in which order), built from the model spec and checked
// entry by entry against the ParamStore manifest, so both engines hold exactly the same model.
#pragma once
#include "blocks.h"

namespace sc {

struct CatSpec {
  std::string name;
  int cardinality = 0, embeddingSize = 0;
  bool known = false;
};
struct RealSpec {
  std::string name;
  bool known = false;
};
struct ModelSpec {
  int Te = 0, Td = 0;
  std::vector<CatSpec> cats;
  std::vector<RealSpec> reals;
  std::vector<double> quantiles;
  bool logTarget = true;
  int H = 0, heads = 1, hcs = 0, lstmLayers = 1;
  double dropout = 0;
};

/** A variable as a VSN sees it: categorical k or real k, and its input width. */
struct VarRef {
  bool categorical;
  int index;
  int size;
};

class ModelDef {
 public:
  ModelSpec spec;
  Layout layout;
  std::vector<size_t> emb;
  std::vector<int> embSize;
  std::vector<LinearP> prescale;
  std::vector<VarRef> encVars, decVars;
  VsnP encVsn, decVsn;
  GrnP ctxSel, ctxHidden, ctxCell, ctxEnr;
  std::vector<LstmP> lstmEnc, lstmDec;
  std::vector<uint32_t> lstmDropEnc, lstmDropDec;
  GluP postLstmGlu;
  LnP postLstmLn;
  GrnP enrich;
  AttnP attn;
  GluP postAttnGlu;
  LnP postAttnLn;
  GrnP ff;
  GluP preOutGlu;
  LnP preOutLn;
  LinearP out;

  ModelDef(const ModelSpec& s, const std::vector<ManifestEntry>& manifest) : spec(s), layout(manifest) {
    const int H = s.H;
    const double rate = s.dropout;
    if (s.Te < 1 || s.Td < 1 || H < 1 || s.heads < 1 || s.lstmLayers < 1) throw std::runtime_error("invalid model sizes");
    if (s.Te + s.Td > 4095) throw std::runtime_error("encoder + decoder length must be below 4096");
    for (const auto& c : s.cats) {
      int e = std::min(c.embeddingSize, H);
      embSize.push_back(e);
      emb.push_back(layout.mat("input_embeddings." + c.name, c.cardinality, e));
    }
    for (const auto& r : s.reals) prescale.push_back(linear("prescalers." + r.name, 1, s.hcs, true));
    for (size_t k = 0; k < s.cats.size(); k++) {
      encVars.push_back({true, int(k), embSize[k]});
      if (s.cats[k].known) decVars.push_back({true, int(k), embSize[k]});
    }
    for (size_t k = 0; k < s.reals.size(); k++) {
      encVars.push_back({false, int(k), s.hcs});
      if (s.reals[k].known) decVars.push_back({false, int(k), s.hcs});
    }
    if (decVars.empty()) throw std::runtime_error("the TFT needs at least one known variable for the decoder");
    encVsn = vsn("encoder_variable_selection", encVars);
    decVsn = vsn("decoder_variable_selection", decVars);
    ctxSel = grn("static_context_variable_selection", {H}, H, H, rate, 0);
    ctxHidden = grn("static_context_initial_hidden_lstm", {H}, H, H, rate, 0);
    ctxCell = grn("static_context_initial_cell_lstm", {H}, H, H, rate, 0);
    ctxEnr = grn("static_context_enrichment", {H}, H, H, rate, 0);
    for (int l = 0; l < s.lstmLayers; l++) lstmEnc.push_back(lstm("lstm_encoder." + std::to_string(l)));
    for (int l = 0; l < s.lstmLayers; l++) lstmDec.push_back(lstm("lstm_decoder." + std::to_string(l)));
    for (int l = 0; l < s.lstmLayers; l++) {
      lstmDropEnc.push_back(nextSite_++);
      lstmDropDec.push_back(nextSite_++);
    }
    postLstmGlu = glu("post_lstm_gate_encoder", H, H, rate);
    postLstmLn = ln("post_lstm_add_norm_encoder.norm", H);
    enrich = grn("static_enrichment", {H}, H, H, rate, H);
    attn = attention("multihead_attn");
    postAttnGlu = glu("post_attn_gate_norm.glu", H, H, rate);
    postAttnLn = ln("post_attn_gate_norm.add_norm.norm", H);
    ff = grn("pos_wise_ff", {H}, H, H, rate, 0);
    preOutGlu = glu("pre_output_gate_norm.glu", H, H, 0);
    preOutLn = ln("pre_output_gate_norm.add_norm.norm", H);
    out = linear("output_layer", H, int(s.quantiles.size()), true);
    layout.checkComplete();
  }

  int nQ() const { return int(spec.quantiles.size()); }

 private:
  uint32_t nextSite_ = 1;

  LinearP linear(const std::string& name, int in, int out, bool bias) {
    LinearP p{in, out, layout.mat(name + ".weight", in, out), 0, bias};
    if (bias) p.b = layout.vec(name + ".bias", out);
    return p;
  }
  /** A linear map over concatenated inputs whose weight is stored as one row block per input. */
  LinearP linearBlocks(const std::string& name, const std::vector<int>& sizes, int out) {
    if (sizes.size() == 1) return linear(name, sizes[0], out, true);
    int in = 0;
    for (int n : sizes) in += n;
    LinearP p{in, out, layout.reserve(size_t(in) * out), 0, true};
    size_t row = 0;
    for (size_t i = 0; i < sizes.size(); i++) {
      layout.map(name + ".weight." + std::to_string(i), sizes[i], out, p.w + row * out, out);
      row += sizes[i];
    }
    p.b = layout.vec(name + ".bias", out);
    return p;
  }
  LnP ln(const std::string& name, int n) { return LnP{n, layout.vec(name + ".weight", n), layout.vec(name + ".bias", n)}; }
  GluP glu(const std::string& name, int in, int out, double rate) {
    GluP p;
    p.width = out;
    p.lin = LinearP{in, 2 * out, layout.reserve(size_t(in) * 2 * out), layout.reserve(2 * size_t(out)), true};
    layout.map(name + ".fc.a.weight", in, out, p.lin.w, 2 * out);
    layout.map(name + ".fc.gate.weight", in, out, p.lin.w + out, 2 * out);
    layout.map(name + ".fc.a.bias", 0, out, p.lin.b, out);
    layout.map(name + ".fc.gate.bias", 0, out, p.lin.b + out, out);
    p.site = nextSite_++;
    p.dropout = rate > 0;
    return p;
  }
  ResampleNormP resampleNorm(const std::string& name, const std::vector<int>& sizes, int out) {
    int in = 0;
    for (int n : sizes) in += n;
    ResampleNormP p;
    p.out = out;
    p.in = in;
    p.resample = in != out || sizes.size() > 1;
    if (p.resample) p.interp = interpolationMatrix(in, out);
    p.mask = layout.vec(name + ".mask", out);
    p.ln = ln(name + ".norm", out);
    return p;
  }
  GrnP grn(const std::string& name, const std::vector<int>& sizes, int hidden, int out, double rate, int contextSize) {
    GrnP p;
    for (int n : sizes) p.in += n;
    p.hidden = hidden;
    p.out = out;
    p.hasResample = p.in != out;
    if (p.hasResample) p.rn = resampleNorm(name + ".resample_norm", sizes, out);
    p.fc1 = linearBlocks(name + ".fc1", sizes, hidden);
    if (contextSize > 0) {
      p.hasContext = true;
      p.context = linear(name + ".context", contextSize, hidden, false);
    }
    p.fc2 = linear(name + ".fc2", hidden, hidden, true);
    p.glu = glu(name + ".gate_norm.glu", hidden, out, rate);
    p.ln = ln(name + ".gate_norm.add_norm.norm", out);
    return p;
  }
  VsnP vsn(const std::string& name, const std::vector<VarRef>& vars) {
    const int H = spec.H, n = int(vars.size());
    VsnP p;
    p.hidden = H;
    std::vector<int> sizes;
    for (const auto& v : vars) sizes.push_back(v.size);
    if (n > 1) {
      p.hasFlat = true;
      p.flat = grn(name + ".flattened_grn", sizes, std::min(H, n), n, spec.dropout, H);
    }
    for (const auto& v : vars) {
      VsnVarP vp;
      vp.size = v.size;
      vp.categorical = v.categorical;
      const std::string vn = name + ".single_variable_grns." + (v.categorical ? spec.cats[v.index].name : spec.reals[v.index].name);
      if (v.categorical)
        vp.rn = resampleNorm(vn, {v.size}, H);
      else
        vp.grn = grn(vn, {v.size}, std::min(v.size, H), H, spec.dropout, 0);
      p.vars.push_back(vp);
    }
    return p;
  }
  LstmP lstm(const std::string& name) {
    const int H = spec.H, G = 4 * H;
    LstmP p{H, H, layout.reserve(size_t(H) * G), layout.reserve(size_t(H) * G), layout.reserve(G)};
    const char* gates[] = {"i", "f", "g", "o"};
    for (int k = 0; k < 4; k++) {
      layout.map(name + ".weight_ih." + gates[k], H, H, p.wih + size_t(k) * H, G);
      layout.map(name + ".weight_hh." + gates[k], H, H, p.whh + size_t(k) * H, G);
      layout.map(name + ".bias_ih." + gates[k], 0, H, p.b + size_t(k) * H, G);
      layout.map(name + ".bias_hh." + gates[k], 0, H, p.b + size_t(k) * H, G);
    }
    return p;
  }
  AttnP attention(const std::string& name) {
    const int H = spec.H, nh = spec.heads, dk = std::max(1, H / nh), KW = (nh + 1) * dk;
    AttnP p;
    p.H = H;
    p.heads = nh;
    p.dk = dk;
    p.kv = LinearP{H, KW, layout.reserve(size_t(H) * KW), layout.reserve(KW), true};
    p.q = LinearP{H, nh * dk, layout.reserve(size_t(H) * nh * dk), layout.reserve(size_t(nh) * dk), true};
    layout.map(name + ".v_layer.weight", H, dk, p.kv.w + size_t(nh) * dk, KW);
    layout.map(name + ".v_layer.bias", 0, dk, p.kv.b + size_t(nh) * dk, dk);
    for (int h = 0; h < nh; h++) {
      const std::string hs = std::to_string(h);
      layout.map(name + ".q_layers." + hs + ".weight", H, dk, p.q.w + size_t(h) * dk, nh * dk);
      layout.map(name + ".q_layers." + hs + ".bias", 0, dk, p.q.b + size_t(h) * dk, dk);
      layout.map(name + ".k_layers." + hs + ".weight", H, dk, p.kv.w + size_t(h) * dk, KW);
      layout.map(name + ".k_layers." + hs + ".bias", 0, dk, p.kv.b + size_t(h) * dk, dk);
    }
    p.wh = linear(name + ".w_h", dk, H, false);
    p.siteProb = nextSite_++;
    p.siteMerged = nextSite_++;
    p.siteOut = nextSite_++;
    return p;
  }
};

}  // namespace sc
