// Runs the TFT on a batch across cores: the batch is cut into units of a few chunks of samples; threads take
// units as they free up; each unit writes its own gradient slot, and slots are summed in unit order, so results
// do not depend on the number of threads or on timing.
#pragma once
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include "forward.h"

namespace sc {

/** A fixed set of threads that run one job at a time; the calling thread takes part as thread 0. */
class ThreadPool {
 public:
  explicit ThreadPool(int n) {
    for (int i = 1; i < n; i++) workers_.emplace_back([this, i] { loop(i); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> l(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int size() const { return int(workers_.size()) + 1; }

  /** Runs f(thread) on every thread and returns when all are done; rethrows the first exception. */
  void run(const std::function<void(int)>& f) {
    {
      std::lock_guard<std::mutex> l(m_);
      job_ = &f;
      pending_ = int(workers_.size());
      gen_++;
      error_ = nullptr;
    }
    cv_.notify_all();
    try {
      f(0);
    } catch (...) {
      std::lock_guard<std::mutex> l(m_);
      if (!error_) error_ = std::current_exception();
    }
    std::unique_lock<std::mutex> l(m_);
    done_.wait(l, [this] { return pending_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void loop(int id) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int)>* job;
      {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return stop_ || gen_ != seen; });
        if (stop_) return;
        seen = gen_;
        job = job_;
      }
      try {
        (*job)(id);
      } catch (...) {
        std::lock_guard<std::mutex> l(m_);
        if (!error_) error_ = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> l(m_);
        if (--pending_ == 0) done_.notify_all();
      }
    }
  }
  std::vector<std::thread> workers_;
  std::mutex m_;
  std::condition_variable cv_, done_;
  const std::function<void(int)>* job_ = nullptr;
  uint64_t gen_ = 0;
  int pending_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

/** Batch-wide outputs of a forward pass, time-major like the TS model's TftOutput. */
template <class F>
struct Outputs {
  F* prediction;  // [Td·B, nQ]
  F* attention;   // [Td·B, T]
  F* encoderWeights;  // [Te·B, nEnc]
  F* decoderWeights;  // [Td·B, nDec]
};

template <class R>
class Engine {
 public:
  Engine(const ModelDef& def, int threads, int chunk) : m_(def), pool_(std::max(1, threads)), chunk_(std::max(1, chunk)) {
    arenas_.resize(pool_.size());
    for (auto& a : arenas_) a = std::make_unique<Arena<R>>();
  }

  int threads() const { return pool_.size(); }

  /** Loss (mean quantile loss in target units) and its gradient for every parameter, in the manifest layout. */
  template <class F>
  double gradients(const F* weights, const Batch& batch, uint64_t seed, bool training, F* gradsOut) {
    prepare(weights, seed, training);
    // a unit of work is a few chunks with one gradient slot: fewer slots to clear and sum than one per chunk
    const int unit = chunk_ * kChunksPerSlot;
    const int nUnits = (batch.B + unit - 1) / unit;
    const size_t P = m_.layout.packedSize();
    const size_t S = staticGradSize();
    slots_.resize(size_t(nUnits) * P);
    staticSlots_.resize(size_t(nUnits) * S);
    losses_.assign(nUnits, 0);
    Ctx<R> sc{packed_.data(), staticGrads_.data(), &staticArena_, drop_};
    std::fill(staticGrads_.begin(), staticGrads_.end(), R(0));
    staticArena_.reset();
    Statics<R> st = statics_fwd(sc, m_);
    const double norm = double(batch.B) * m_.spec.Td * m_.nQ();
    ChunkModel<R> model(m_, batch);
    std::atomic<int> next{0};
    pool_.run([&](int tid) {
      Arena<R>& ar = *arenas_[tid];
      ChunkState<R> k;
      for (int u = next++; u < nUnits; u = next++) {
        R* g = slots_.data() + size_t(u) * P;
        R* sg = staticSlots_.data() + size_t(u) * S;
        std::fill(g, g + P, R(0));
        std::fill(sg, sg + S, R(0));
        Ctx<R> c{packed_.data(), g, &ar, drop_};
        for (int s0 = u * unit; s0 < std::min(batch.B, (u + 1) * unit); s0 += chunk_) {
          ar.reset();
          const int Bc = std::min(chunk_, batch.B - s0);
          model.forward(c, st, s0, Bc, k);
          R* dpred = ar.alloc(size_t(m_.spec.Td) * Bc * m_.nQ());
          losses_[u] += model.loss(k, norm, dpred);
          model.backward(c, st, k, dpred, staticGrads(sg));
        }
      }
    });
    // sum the slots in unit order (each thread one range of parameters)
    std::vector<R> total(P, R(0));
    const int nt = pool_.size();
    pool_.run([&](int tid) {
      const size_t from = P * tid / nt, to = P * (tid + 1) / nt;
      for (int u = 0; u < nUnits; u++) {
        const R* g = slots_.data() + size_t(u) * P;
        for (size_t i = from; i < to; i++) total[i] += g[i];
      }
    });
    std::vector<R> sgTotal(S, R(0));
    for (int u = 0; u < nUnits; u++)
      for (size_t i = 0; i < S; i++) sgTotal[i] += staticSlots_[size_t(u) * S + i];
    statics_bwd(sc, m_, st, staticGrads(sgTotal.data()));
    for (size_t i = 0; i < P; i++) total[i] += staticGrads_[i];
    m_.layout.scatter(total.data(), gradsOut);
    double loss = 0;
    for (double l : losses_) loss += l;
    return loss / norm;
  }

  /** Forward pass without dropout: predictions (normalised), attention and variable-selection weights. */
  template <class F>
  void forward(const F* weights, const Batch& batch, const Outputs<F>& out) {
    prepare(weights, 0, false);
    const int nChunks = (batch.B + chunk_ - 1) / chunk_;
    std::vector<R> unused(m_.layout.packedSize());
    Ctx<R> sc{packed_.data(), unused.data(), &staticArena_, drop_};
    staticArena_.reset();
    Statics<R> st = statics_fwd(sc, m_);
    ChunkModel<R> model(m_, batch);
    std::atomic<int> next{0};
    pool_.run([&](int tid) {
      Arena<R>& ar = *arenas_[tid];
      ChunkState<R> k;
      for (int ci = next++; ci < nChunks; ci = next++) {
        ar.reset();
        Ctx<R> c{packed_.data(), nullptr, &ar, drop_};
        const int s0 = ci * chunk_, Bc = std::min(chunk_, batch.B - s0);
        model.forward(c, st, s0, Bc, k);
        model.outputs(k, out.prediction, out.attention, out.encoderWeights, out.decoderWeights);
      }
    });
  }

 private:
  static constexpr int kChunksPerSlot = 4;
  const ModelDef& m_;
  ThreadPool pool_;
  int chunk_;
  std::vector<std::unique_ptr<Arena<R>>> arenas_;
  Arena<R> staticArena_;
  std::vector<R> packed_, staticGrads_, slots_, staticSlots_;
  std::vector<double> losses_;
  DropoutCfg drop_;

  template <class F>
  void prepare(const F* weights, uint64_t seed, bool training) {
    packed_.resize(m_.layout.packedSize());
    staticGrads_.resize(m_.layout.packedSize());
    m_.layout.gather(weights, packed_.data());
    drop_ = DropoutCfg{seed, m_.spec.dropout, training};
  }

  size_t hiddenOf(const VsnP& v) const { return v.hasFlat ? size_t(v.flat.hidden) : 0; }
  size_t staticGradSize() const { return hiddenOf(m_.encVsn) + hiddenOf(m_.decVsn) + 3 * size_t(m_.spec.H); }
  StaticGrads<R> staticGrads(R* s) const {
    const size_t e = hiddenOf(m_.encVsn), d = hiddenOf(m_.decVsn), H = m_.spec.H;
    return StaticGrads<R>{s, s + e, s + e + d, s + e + d + H, s + e + d + 2 * H};
  }
};

}  // namespace sc
