// Maps the flat weight vector of stockcast's ParamStore manifest (names, shapes, offsets) onto the engine's packed
// layout, where blocks that are used together sit in one matrix: a GLU's two linear maps side by side, an LSTM's
// four gates as one [in, 4H] matrix, its two bias vectors summed. Gradients are scattered back the same way, so
// weights and gradients cross the boundary in exactly the manifest's layout.
#pragma once
#include <map>
#include "common.h"

namespace sc {

struct ManifestEntry {
  std::string name;
  std::vector<int> shape;
  size_t offset = 0;
  size_t size = 0;
};

class Layout {
 public:
  explicit Layout(const std::vector<ManifestEntry>& manifest) {
    for (const auto& e : manifest) {
      if (entries_.count(e.name)) throw std::runtime_error("duplicate parameter " + e.name);
      entries_[e.name] = e;
      flatSize_ = std::max(flatSize_, e.offset + e.size);
    }
  }

  size_t packedSize() const { return packed_; }
  size_t flatSize() const { return flatSize_; }

  /** Reserves n packed values. */
  size_t reserve(size_t n) {
    size_t at = packed_;
    packed_ += n;
    return at;
  }

  /** Maps manifest entry `name` of shape [rows, cols] (or [cols] when rows = 0) to packed rows of stride `stride`. */
  void map(const std::string& name, int rows, int cols, size_t at, int stride) {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw std::runtime_error("the weights have no parameter " + name);
    const auto& e = it->second;
    std::vector<int> want = rows == 0 ? std::vector<int>{cols} : std::vector<int>{rows, cols};
    if (e.shape != want) throw std::runtime_error("parameter " + name + " has an unexpected shape");
    used_[name]++;
    maps_.push_back({e.offset, at, rows == 0 ? 1 : rows, cols, stride});
  }

  /** A packed [rows, cols] matrix holding manifest entry `name`. */
  size_t mat(const std::string& name, int rows, int cols) {
    size_t at = reserve(size_t(rows) * cols);
    map(name, rows, cols, at, cols);
    return at;
  }
  /** A packed vector holding manifest entry `name` of shape [n]. */
  size_t vec(const std::string& name, int n) {
    size_t at = reserve(n);
    map(name, 0, n, at, n);
    return at;
  }

  /** Throws unless every manifest entry was mapped at least once (the models must agree entry by entry). */
  void checkComplete() const {
    for (const auto& [name, e] : entries_)
      if (!used_.count(name)) throw std::runtime_error("parameter " + name + " is not part of the native model");
  }

  /** packed = Σ of the mapped flat blocks (shared targets, such as the LSTM's two biases, add up). */
  template <class R, class F>
  void gather(const F* flat, R* packed) const {
    std::memset(packed, 0, sizeof(R) * packed_);
    for (const auto& m : maps_)
      for (int r = 0; r < m.rows; r++)
        for (int c = 0; c < m.cols; c++) packed[m.po + size_t(r) * m.stride + c] += R(flat[m.mo + size_t(r) * m.cols + c]);
  }

  /** flat gradient = packed gradient of each mapped block (a shared target's gradient goes to each source). */
  template <class R, class F>
  void scatter(const R* packed, F* flat) const {
    for (const auto& m : maps_)
      for (int r = 0; r < m.rows; r++)
        for (int c = 0; c < m.cols; c++) flat[m.mo + size_t(r) * m.cols + c] = F(packed[m.po + size_t(r) * m.stride + c]);
  }

 private:
  struct Map {
    size_t mo, po;
    int rows, cols, stride;
  };
  std::map<std::string, ManifestEntry> entries_;
  std::map<std::string, int> used_;
  std::vector<Map> maps_;
  size_t packed_ = 0;
  size_t flatSize_ = 0;
};

}  // namespace sc
