#include "gazetteer.h"

#include <algorithm>

#include "text_util.h"

namespace docanalysis::entity {
namespace {
constexpr uint64_t kPhraseSeed = 0x67617a6574746565ULL;  // "gazettee"
}  // namespace

uint64_t Gazetteer::TokenKey(std::string_view lower_token) { return HashBytes(lower_token); }

void Gazetteer::Add(const std::vector<std::string>& lower_tokens, int category) {
  if (lower_tokens.empty() || lower_tokens.size() > kMaxPhraseTokens) return;
  if (category < 0 || category >= kMaxCategories) return;
  uint64_t h = kPhraseSeed;
  for (size_t i = 0; i < lower_tokens.size(); ++i) {
    h = Combine(h, TokenKey(lower_tokens[i]));
    uint16_t& v = table_.Insert(h, 0);
    if (i + 1 < lower_tokens.size()) {
      v |= kPrefixBit;
    } else {
      if (!(v & (1u << category))) ++phrases_;
      v |= static_cast<uint16_t>(1u << category);
    }
  }
}

int32_t Gazetteer::FirstValue(uint64_t token_key) const {
  const uint16_t* v = table_.Find(Combine(kPhraseSeed, token_key));
  return v == nullptr ? -1 : *v;
}

void Gazetteer::Match(const uint64_t* token_keys, size_t n, uint32_t* bits, const int32_t* first) const {
  int longest[kMaxCategories];
  for (size_t s = 0; s < n; ++s) {
    if (first != nullptr && first[s] < 0) continue;  // no phrase starts with this token
    std::fill(longest, longest + kMaxCategories, 0);
    uint64_t h = kPhraseSeed;
    for (size_t j = s; j < n && j - s < kMaxPhraseTokens; ++j) {
      h = Combine(h, token_keys[j]);
      uint16_t first_value;
      const uint16_t* v;
      if (j == s && first != nullptr) {
        first_value = static_cast<uint16_t>(first[s]);
        v = &first_value;
      } else {
        v = table_.Find(h);
      }
      if (v == nullptr) break;
      for (int c = 0; c < kMaxCategories; ++c)
        if (*v & (1u << c)) longest[c] = static_cast<int>(j - s + 1);
      if (!(*v & kPrefixBit)) break;
    }
    for (int c = 0; c < kMaxCategories; ++c) {
      int len = longest[c];
      if (len == 0) continue;
      if (len == 1) {
        bits[s] |= 1u << (c * 4 + kUnit);
        continue;
      }
      bits[s] |= 1u << (c * 4 + kBegin);
      for (int k = 1; k + 1 < len; ++k) bits[s + k] |= 1u << (c * 4 + kInside);
      bits[s + len - 1] |= 1u << (c * 4 + kLast);
    }
  }
}

void Gazetteer::Write(BinaryWriter& w) const {
  w.Put<uint32_t>(static_cast<uint32_t>(category_names_.size()));
  for (const std::string& name : category_names_) w.PutString(name);
  w.Put<uint64_t>(phrases_);
  const std::vector<std::pair<uint64_t, uint16_t>> entries = table_.SortedEntries();
  w.Put<uint64_t>(entries.size());
  for (const auto& [k, v] : entries) {
    w.Put<uint64_t>(k);
    w.Put<uint16_t>(v);
  }
}

bool Gazetteer::Read(BinaryReader& r) {
  uint32_t ncat = 0;
  if (!r.Get(ncat) || ncat > kMaxCategories) return false;
  category_names_.resize(ncat);
  for (std::string& name : category_names_)
    if (!r.GetString(name)) return false;
  uint64_t phrases = 0, count = 0;
  if (!r.Get(phrases) || !r.Get(count) || count > r.remaining() / 10) return false;
  phrases_ = phrases;
  table_ = FlatHashMap<uint16_t>();
  table_.Reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t k = 0;
    uint16_t v = 0;
    if (!r.Get(k) || !r.Get(v)) return false;
    table_.Insert(k, v);
  }
  return true;
}

}  // namespace docanalysis::entity
