#include "word_clusters.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "text_util.h"

namespace docanalysis::entity {

bool WordClusters::Add(std::string_view lower_word, uint32_t fine, uint32_t mid, uint32_t coarse) {
  if (fine == 0 || fine > kMaxFine || mid == 0 || mid > kMaxMid || coarse == 0 || coarse > kMaxCoarse) return false;
  table_.Insert(HashBytes(lower_word), 0) = fine | (mid << 12) | (coarse << 22);
  return true;
}

void WordClusters::Write(BinaryWriter& w) const {
  const std::vector<std::pair<uint64_t, uint32_t>> entries = table_.SortedEntries();
  w.Put<uint64_t>(entries.size());
  for (const auto& [k, v] : entries) {
    w.Put<uint64_t>(k);
    w.Put<uint32_t>(v);
  }
}

bool WordClusters::Read(BinaryReader& r) {
  uint64_t count = 0;
  if (!r.Get(count) || count > r.remaining() / 12) return false;
  table_ = FlatHashMap<uint32_t>();
  table_.Reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t k = 0;
    uint32_t v = 0;
    if (!r.Get(k) || !r.Get(v) || v == 0) return false;
    table_.Insert(k, v);
  }
  return true;
}

}  // namespace docanalysis::entity
