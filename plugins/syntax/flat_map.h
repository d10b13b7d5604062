// An immutable open-addressing map from 64-bit hash keys to small values, built at load from the
// std::unordered_map that training fills and the model file stores: a lookup reads one slot (or a
// few neighbours) of one array instead of chasing a bucket list's nodes, and answers exactly what
// the unordered_map answers.
//
// THREADING: immutable after Build(); Find() may run concurrently.
#ifndef DOCANALYSIS_PLUGINS_SYNTAX_FLAT_MAP_H_
#define DOCANALYSIS_PLUGINS_SYNTAX_FLAT_MAP_H_

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "weights.h"

namespace docanalysis::syntax {

template <typename V>
class FlatHashMap {
 public:
  void Build(const std::unordered_map<uint64_t, V>& m) {
    size_t cap = 16;
    while (cap < m.size() * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (const auto& [k, v] : m) {
      size_t s = Mix(k) & mask_;
      while (slots_[s].used) s = (s + 1) & mask_;
      slots_[s] = Slot{k, v, true};
    }
    built_ = true;
  }
  bool built() const { return built_; }
  // The value of `key`, or nullptr.
  const V* Find(uint64_t key) const {
    for (size_t s = Mix(key) & mask_;; s = (s + 1) & mask_) {
      const Slot& sl = slots_[s];
      if (!sl.used) return nullptr;
      if (sl.key == key) return &sl.value;
    }
  }

 private:
  struct Slot {
    uint64_t key = 0;
    V value{};
    bool used = false;
  };
  std::vector<Slot> slots_{Slot{}};
  size_t mask_ = 0;
  bool built_ = false;
};

}  // namespace docanalysis::syntax

#endif  // DOCANALYSIS_PLUGINS_SYNTAX_FLAT_MAP_H_
