// Node-API binding of the native TFT engine (ABI-stable: one build loads in every Node version with N-API 8).
// The JS side passes the model spec, the ParamStore manifest and flat weights; batches cross as typed arrays
// without copies.
#define NAPI_VERSION 8
#include <node_api.h>
#include "engine.h"

namespace {

using sc::Batch;
using sc::Engine;
using sc::ModelDef;

struct Handle {
  std::unique_ptr<ModelDef> def;
  std::unique_ptr<Engine<float>> f32;
  std::unique_ptr<Engine<double>> f64;
  int threads = 1, chunk = 64;
};

struct JsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(napi_env env, napi_status s, const char* what) {
  if (s != napi_ok) throw JsError(std::string("native engine: ") + what);
}

napi_value prop(napi_env env, napi_value obj, const char* name) {
  napi_value v;
  check(env, napi_get_named_property(env, obj, name, &v), name);
  return v;
}
double num(napi_env env, napi_value v, const char* what) {
  double d;
  check(env, napi_get_value_double(env, v, &d), what);
  return d;
}
double numProp(napi_env env, napi_value obj, const char* name) { return num(env, prop(env, obj, name), name); }
bool boolProp(napi_env env, napi_value obj, const char* name) {
  bool b;
  check(env, napi_get_value_bool(env, prop(env, obj, name), &b), name);
  return b;
}
std::string str(napi_env env, napi_value v, const char* what) {
  size_t n;
  check(env, napi_get_value_string_utf8(env, v, nullptr, 0, &n), what);
  std::string s(n, '\0');
  check(env, napi_get_value_string_utf8(env, v, s.data(), n + 1, &n), what);
  return s;
}
uint32_t length(napi_env env, napi_value arr, const char* what) {
  uint32_t n;
  check(env, napi_get_array_length(env, arr, &n), what);
  return n;
}
napi_value at(napi_env env, napi_value arr, uint32_t i) {
  napi_value v;
  check(env, napi_get_element(env, arr, i, &v), "array element");
  return v;
}

template <class T>
T* typed(napi_env env, napi_value v, napi_typedarray_type want, size_t* count, const char* what) {
  bool is;
  check(env, napi_is_typedarray(env, v, &is), what);
  if (!is) throw JsError(std::string("native engine: ") + what + " must be a typed array");
  napi_typedarray_type type;
  void* data;
  size_t n;
  check(env, napi_get_typedarray_info(env, v, &type, &n, &data, nullptr, nullptr), what);
  if (type != want) throw JsError(std::string("native engine: ") + what + " has the wrong element type");
  if (count) *count = n;
  return static_cast<T*>(data);
}

sc::ModelSpec readSpec(napi_env env, napi_value o) {
  sc::ModelSpec s;
  s.Te = int(numProp(env, o, "encoderLength"));
  s.Td = int(numProp(env, o, "decoderLength"));
  napi_value cats = prop(env, o, "categoricals");
  for (uint32_t i = 0, n = length(env, cats, "categoricals"); i < n; i++) {
    napi_value c = at(env, cats, i);
    s.cats.push_back({str(env, prop(env, c, "name"), "name"), int(numProp(env, c, "cardinality")),
                      int(numProp(env, c, "embeddingSize")), boolProp(env, c, "known")});
  }
  napi_value reals = prop(env, o, "reals");
  for (uint32_t i = 0, n = length(env, reals, "reals"); i < n; i++) {
    napi_value r = at(env, reals, i);
    s.reals.push_back({str(env, prop(env, r, "name"), "name"), boolProp(env, r, "known")});
  }
  napi_value qs = prop(env, o, "quantiles");
  for (uint32_t i = 0, n = length(env, qs, "quantiles"); i < n; i++) s.quantiles.push_back(num(env, at(env, qs, i), "quantile"));
  s.logTarget = boolProp(env, o, "logTarget");
  s.H = int(numProp(env, o, "hiddenSize"));
  s.heads = int(numProp(env, o, "attentionHeads"));
  s.hcs = int(numProp(env, o, "hiddenContinuousSize"));
  s.lstmLayers = int(numProp(env, o, "lstmLayers"));
  s.dropout = numProp(env, o, "dropout");
  return s;
}

std::vector<sc::ManifestEntry> readManifest(napi_env env, napi_value arr) {
  std::vector<sc::ManifestEntry> out;
  for (uint32_t i = 0, n = length(env, arr, "manifest"); i < n; i++) {
    napi_value e = at(env, arr, i);
    sc::ManifestEntry m;
    m.name = str(env, prop(env, e, "name"), "manifest name");
    napi_value shape = prop(env, e, "shape");
    for (uint32_t k = 0, d = length(env, shape, "shape"); k < d; k++) m.shape.push_back(int(num(env, at(env, shape, k), "shape")));
    m.offset = size_t(numProp(env, e, "offset"));
    m.size = size_t(numProp(env, e, "size"));
    out.push_back(m);
  }
  return out;
}

Batch readBatch(napi_env env, napi_value o, const ModelDef& def) {
  Batch b;
  b.B = int(numProp(env, o, "size"));
  const size_t T = size_t(def.spec.Te + def.spec.Td);
  size_t n;
  b.categorical = typed<int32_t>(env, prop(env, o, "categorical"), napi_int32_array, &n, "batch.categorical");
  if (n != size_t(b.B) * T * def.spec.cats.size()) throw JsError("native engine: batch.categorical has the wrong length");
  b.reals = typed<float>(env, prop(env, o, "reals"), napi_float32_array, &n, "batch.reals");
  if (n != size_t(b.B) * T * def.spec.reals.size()) throw JsError("native engine: batch.reals has the wrong length");
  b.encoderLengths = typed<int32_t>(env, prop(env, o, "encoderLengths"), napi_int32_array, &n, "batch.encoderLengths");
  if (n != size_t(b.B)) throw JsError("native engine: batch.encoderLengths has the wrong length");
  b.targetScale = typed<float>(env, prop(env, o, "targetScale"), napi_float32_array, &n, "batch.targetScale");
  if (n != size_t(b.B) * 2) throw JsError("native engine: batch.targetScale has the wrong length");
  b.targetRaw = typed<float>(env, prop(env, o, "targetRaw"), napi_float32_array, &n, "batch.targetRaw");
  if (n != size_t(b.B) * def.spec.Td) throw JsError("native engine: batch.targetRaw has the wrong length");
  return b;
}

Handle* handleOf(napi_env env, napi_value v) {
  void* p;
  check(env, napi_get_value_external(env, v, &p), "engine handle");
  return static_cast<Handle*>(p);
}

napi_value typedArray(napi_env env, napi_typedarray_type type, size_t n, size_t elem, void** data) {
  napi_value buf, arr;
  check(env, napi_create_arraybuffer(env, n * elem, data, &buf), "allocate");
  check(env, napi_create_typedarray(env, type, n, buf, 0, &arr), "allocate");
  return arr;
}

void set(napi_env env, napi_value obj, const char* name, napi_value v) { check(env, napi_set_named_property(env, obj, name, v), name); }
napi_value number(napi_env env, double d) {
  napi_value v;
  check(env, napi_create_double(env, d, &v), "number");
  return v;
}

/** Wraps a binding so C++ exceptions become JS errors. */
template <napi_value (*F)(napi_env, napi_callback_info)>
napi_value guarded(napi_env env, napi_callback_info info) {
  try {
    return F(env, info);
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
    return nullptr;
  }
}

std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t want) {
  std::vector<napi_value> a(want);
  size_t n = want;
  check(env, napi_get_cb_info(env, info, &n, a.data(), nullptr, nullptr), "arguments");
  if (n < want) throw JsError("native engine: missing arguments");
  return a;
}

/** create(spec, manifest, threads, chunk) → engine handle. */
napi_value create(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 4);
  auto h = std::make_unique<Handle>();
  h->def = std::make_unique<ModelDef>(readSpec(env, a[0]), readManifest(env, a[1]));
  h->threads = int(num(env, a[2], "threads"));
  h->chunk = int(num(env, a[3], "chunk"));
  h->f32 = std::make_unique<Engine<float>>(*h->def, h->threads, h->chunk);
  napi_value out;
  check(env, napi_create_external(env, h.release(), [](napi_env, void* p, void*) { delete static_cast<Handle*>(p); }, nullptr, &out), "external");
  return out;
}

/** gradients[64](handle, weights, batch, seed, training) → { loss, grads } in float32 (or, for checks, float64). */
template <class F>
napi_value gradientsOf(napi_env env, napi_callback_info info) {
  constexpr bool f64 = std::is_same_v<F, double>;
  auto a = args(env, info, 5);
  Handle* h = handleOf(env, a[0]);
  size_t n;
  const F* w = typed<F>(env, a[1], f64 ? napi_float64_array : napi_float32_array, &n, "weights");
  if (n != h->def->layout.flatSize()) throw JsError("native engine: the weights do not match the model");
  Batch b = readBatch(env, a[2], *h->def);
  const uint64_t seed = uint64_t(num(env, a[3], "seed"));
  bool training;
  check(env, napi_get_value_bool(env, a[4], &training), "training");
  void* gd;
  napi_value grads = typedArray(env, f64 ? napi_float64_array : napi_float32_array, n, sizeof(F), &gd);
  double loss;
  if constexpr (f64) {
    if (!h->f64) h->f64 = std::make_unique<Engine<double>>(*h->def, h->threads, h->chunk);
    loss = h->f64->gradients(w, b, seed, training, static_cast<double*>(gd));
  } else {
    loss = h->f32->gradients(w, b, seed, training, static_cast<float*>(gd));
  }
  napi_value out;
  check(env, napi_create_object(env, &out), "object");
  set(env, out, "loss", number(env, loss));
  set(env, out, "grads", grads);
  return out;
}

/** forward(handle, weights, batch) → { prediction, attention, encoderWeights, decoderWeights } (time-major). */
napi_value forward(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 3);
  Handle* h = handleOf(env, a[0]);
  size_t n;
  const float* w = typed<float>(env, a[1], napi_float32_array, &n, "weights");
  if (n != h->def->layout.flatSize()) throw JsError("native engine: the weights do not match the model");
  Batch b = readBatch(env, a[2], *h->def);
  const auto& s = h->def->spec;
  const size_t B = b.B, T = s.Te + s.Td;
  void *p, *at, *ew, *dw;
  napi_value out;
  check(env, napi_create_object(env, &out), "object");
  set(env, out, "prediction", typedArray(env, napi_float32_array, s.Td * B * s.quantiles.size(), 4, &p));
  set(env, out, "attention", typedArray(env, napi_float32_array, s.Td * B * T, 4, &at));
  set(env, out, "encoderWeights", typedArray(env, napi_float32_array, s.Te * B * h->def->encVars.size(), 4, &ew));
  set(env, out, "decoderWeights", typedArray(env, napi_float32_array, s.Td * B * h->def->decVars.size(), 4, &dw));
  sc::Outputs<float> o{static_cast<float*>(p), static_cast<float*>(at), static_cast<float*>(ew), static_cast<float*>(dw)};
  h->f32->forward(w, b, o);
  return out;
}

/** dropoutFactors(seed, rate, n) → Float32Array of n inverted-dropout factors of one site (for tests). */
napi_value dropoutFactors(napi_env env, napi_callback_info info) {
  auto a = args(env, info, 3);
  sc::DropoutCfg d{uint64_t(num(env, a[0], "seed")), num(env, a[1], "rate"), true};
  const size_t n = size_t(num(env, a[2], "n"));
  void* data;
  napi_value arr = typedArray(env, napi_float32_array, n, 4, &data);
  float* f = static_cast<float*>(data);
  for (size_t i = 0; i < n; i++) f[i] = d.factor<float>(1, i / 1024, uint32_t(i % 1024));
  return arr;
}

/** info() → { threads available, simd } for the backend banner. */
napi_value info(napi_env env, napi_callback_info) {
  napi_value out, simd;
#if defined(__AVX512F__)
  const char* isa = "avx512";
#elif defined(__AVX2__)
  const char* isa = "avx2";
#elif defined(__SSE2__) || defined(__aarch64__)
  const char* isa = "sse2/neon";
#else
  const char* isa = "scalar";
#endif
  check(env, napi_create_object(env, &out), "object");
  check(env, napi_create_string_utf8(env, isa, NAPI_AUTO_LENGTH, &simd), "string");
  set(env, out, "simd", simd);
  set(env, out, "hardwareThreads", number(env, std::thread::hardware_concurrency()));
  return out;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"create", nullptr, guarded<create>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gradients", nullptr, guarded<gradientsOf<float>>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gradients64", nullptr, guarded<gradientsOf<double>>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"forward", nullptr, guarded<forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dropoutFactors", nullptr, guarded<dropoutFactors>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, guarded<info>, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
