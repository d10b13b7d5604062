// A flat open-addressing hash map from non-zero 64-bit keys (already well mixed) to small
// values, used for the model's feature table and the gazetteer.
//
// Keys are hashes, so the map stores no strings; key 0 is reserved for "empty" (Insert maps it to
// 1). Capacity is a power of two kept at most half full, so a lookup touches one or two slots.
//
// THREADING: Find() is const and safe to call concurrently once building is done; Insert() is not.
#ifndef DOCANALYSIS_PLUGINS_ENTITY_HASH_TABLE_H_
#define DOCANALYSIS_PLUGINS_ENTITY_HASH_TABLE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace docanalysis::entity {

template <typename V>
class FlatHashMap {
 public:
  FlatHashMap() { Rehash(16); }

  // Returns the value slot for `key`, inserting `def` if absent.
  V& Insert(uint64_t key, V def = V()) {
    key = key ? key : 1;
    if ((size_ + 1) * 2 > keys_.size()) Rehash(keys_.size() * 2);
    size_t i = key & mask_;
    while (keys_[i] != 0 && keys_[i] != key) i = (i + 1) & mask_;
    if (keys_[i] == 0) {
      keys_[i] = key;
      values_[i] = def;
      ++size_;
    }
    return values_[i];
  }

  // Returns a pointer to the value of `key`, or nullptr.
  const V* Find(uint64_t key) const {
    key = key ? key : 1;
    size_t i = key & mask_;
    while (true) {
      uint64_t k = keys_[i];
      if (k == key) return &values_[i];
      if (k == 0) return nullptr;
      i = (i + 1) & mask_;
    }
  }

  // Prefetches the first slot of `key` (a hint for batched lookups).
  void Prefetch(uint64_t key) const {
    key = key ? key : 1;
    __builtin_prefetch(&keys_[key & mask_]);
  }

  void Reserve(size_t n) {
    size_t cap = 16;
    while (cap < n * 2 + 2) cap *= 2;
    if (cap > keys_.size()) Rehash(cap);
  }

  size_t size() const { return size_; }

  // The entries sorted by key (slot order depends on the insertion history; files written from
  // this order are byte-for-byte reproducible).
  std::vector<std::pair<uint64_t, V>> SortedEntries() const {
    std::vector<std::pair<uint64_t, V>> out;
    out.reserve(size_);
    ForEach([&out](uint64_t k, const V& v) { out.emplace_back(k, v); });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }

  // Calls f(key, value) for every entry, in slot order.
  template <typename F>
  void ForEach(F f) const {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] != 0) f(keys_[i], values_[i]);
  }

 private:
  void Rehash(size_t cap) {
    std::vector<uint64_t> old_keys = std::move(keys_);
    std::vector<V> old_values = std::move(values_);
    keys_.assign(cap, 0);
    values_.assign(cap, V());
    mask_ = cap - 1;
    size_ = 0;
    for (size_t i = 0; i < old_keys.size(); ++i)
      if (old_keys[i] != 0) Insert(old_keys[i], old_values[i]);
  }

  std::vector<uint64_t> keys_;
  std::vector<V> values_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace docanalysis::entity

#endif  // DOCANALYSIS_PLUGINS_ENTITY_HASH_TABLE_H_
