// Shared basics of the native TFT engine: a bump arena for per-chunk activations, the execution context of a
// layer call, the counter-based dropout RNG, and vectorisable activation functions.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sc {

/** Bump allocator: activations of one chunk live here and are freed all at once by reset(). */
template <class R>
class Arena {
 public:
  R* alloc(size_t n) {
    n = (n + 15) & ~size_t(15);  // keep every buffer 64-byte aligned
    while (block_ < blocks_.size() && used_ + n > caps_[block_]) {
      block_++;
      used_ = 0;
    }
    if (block_ == blocks_.size()) {
      size_t cap = std::max(n, size_t(1) << 20);
      void* p = std::aligned_alloc(64, ((cap * sizeof(R) + 63) / 64) * 64);
      if (!p) throw std::bad_alloc();
      blocks_.emplace_back(static_cast<R*>(p));
      caps_.push_back(cap);
      used_ = 0;
    }
    R* p = blocks_[block_].get() + used_;
    used_ += n;
    return p;
  }
  R* zeros(size_t n) {
    R* p = alloc(n);
    std::memset(p, 0, n * sizeof(R));
    return p;
  }
  void reset() {
    block_ = 0;
    used_ = 0;
  }

 private:
  struct Free {
    void operator()(R* p) const { std::free(p); }
  };
  std::vector<std::unique_ptr<R, Free>> blocks_;
  std::vector<size_t> caps_;
  size_t block_ = 0, used_ = 0;
};

/** SplitMix64 finaliser: a strong 64-bit mix, used as a counter-based RNG. */
inline uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/**
 * Which rows a matrix holds, so every dropout draw is keyed by (seed, site, sample, time step, column) and does
 * not depend on chunking or thread count. Rows are time-major within a chunk: row = (t − t0)·stride + b.
 */
struct RowKeys {
  uint64_t sample0 = 0;  // batch index of the chunk's first sample
  int stride = 1;        // samples per time step in this chunk
  int t0 = 0;            // absolute time step of row 0
  bool shared = false;   // static rows: one row for every sample (the key ignores the sample)
  uint64_t key(int row) const {
    if (shared) return 0xffffffffffull;
    uint64_t t = uint64_t(t0 + row / stride);
    uint64_t b = sample0 + uint64_t(row % stride);
    return (b << 12) | t;
  }
};

/** Dropout settings of one engine call. */
struct DropoutCfg {
  uint64_t seed = 0;
  double rate = 0;
  bool training = false;
  bool on() const { return training && rate > 0; }
  /** The key of one row of one dropout site; element draws mix the column into it. */
  uint64_t rowHash(uint32_t site, uint64_t rowKey) const {
    return mix64((seed * 0x9e3779b97f4a7c15ull) ^ (uint64_t(site) << 48) ^ mix64(rowKey));
  }
  /** Inverted-dropout factor of one element: 1/(1 − rate) with probability 1 − rate, else 0. */
  template <class R>
  R factorOf(uint64_t rowHash, uint32_t col) const {
    uint64_t h = mix64(rowHash + uint64_t(col) * 0xd1b54a32d192ed03ull);
    // 24 random bits against a 24-bit threshold: exact in float and double alike
    const uint32_t u = uint32_t(h >> 40);
    return u >= threshold() ? R(1.0 / (1.0 - rate)) : R(0);
  }
  template <class R>
  R factor(uint32_t site, uint64_t rowKey, uint32_t col) const {
    return factorOf<R>(rowHash(site, rowKey), col);
  }
  uint32_t threshold() const { return uint32_t(rate * 16777216.0 + 0.5); }
};

/** What a layer call needs: packed weights, this chunk's gradient slot, scratch memory, dropout. */
template <class R>
struct Ctx {
  const R* w;
  R* g;
  Arena<R>* ar;
  DropoutCfg drop;
};

/** exp for float with a Cody–Waite reduction and a degree-6 polynomial (≈1 ulp); vectorises in loops. */
inline float fexp(float x) {
  x = std::min(std::max(x, -87.33f), 88.72f);
  float n = std::floor(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t e = (int32_t(n) + 127) << 23;
  float s;
  std::memcpy(&s, &e, 4);
  return p * s;
}
inline double fexp(double x) { return std::exp(x); }

template <class R>
inline R sigmoid(R x) {
  return R(1) / (R(1) + fexp(-x));
}
template <class R>
inline R tanh_(R x) {
  // tanh(x) = 1 − 2/(e^{2x} + 1), accurate in absolute terms and safe at both ends
  return R(1) - R(2) / (fexp(R(2) * x) + R(1));
}
inline double tanh_(double x) { return std::tanh(x); }

}  // namespace sc
