#include "service/worker/upstream_codec.h"

#include <cstdint>

#include "service/worker/protocol.h"

namespace docanalysis::worker {
namespace {

std::string_view View(docanalysis_str s) { return {s.data, s.size}; }
docanalysis_str Str(std::string_view s) { return {s.data(), s.size()}; }

// Counts come first, so a reader can refuse a count larger than the bytes that could hold it.
constexpr size_t kMinMention = 4 * 4 + 2 * 4, kMinSentiment = 3 * 4, kMinSummary = 2 * 4;
constexpr size_t kMinAnnotation = 2 * 4 + 3 * 4 + 8, kMinAttribute = 2 * 4, kMinLabel = 3 * 4 + 4;

}  // namespace

void EncodeUpstream(const docanalysis_upstream& up, std::string* out) {
  BatchWriter w(out);
  w.Put<uint64_t>(up.mention_count);
  for (size_t i = 0; i < up.mention_count; ++i) {
    const auto& m = up.mentions[i];
    w.Put(m.begin), w.Put(m.end), w.Put(m.type), w.Put(m.confidence);
    w.PutString(View(m.canonical)), w.PutString(View(m.plugin));
  }
  w.Put<uint64_t>(up.sentence_sentiment_count);
  for (size_t i = 0; i < up.sentence_sentiment_count; ++i) {
    const auto& s = up.sentence_sentiments[i];
    w.Put(s.sentence_index), w.Put(s.score), w.Put(s.magnitude);
  }
  w.Put<int32_t>(up.has_document_sentiment ? 1 : 0);
  w.Put(up.document_sentiment.score), w.Put(up.document_sentiment.magnitude);
  w.Put<uint64_t>(up.summary_count);
  for (size_t i = 0; i < up.summary_count; ++i) w.Put(up.summary[i].sentence_index), w.Put(up.summary[i].score);
  w.Put<uint64_t>(up.annotation_count);
  for (size_t i = 0; i < up.annotation_count; ++i) {
    const auto& a = up.annotations[i];
    w.PutString(View(a.plugin)), w.PutString(View(a.label));
    w.Put(a.begin), w.Put(a.end), w.Put(a.score);
    w.Put<uint64_t>(a.attribute_count);
    for (size_t k = 0; k < a.attribute_count; ++k)
      w.PutString(View(a.attributes[k].key)), w.PutString(View(a.attributes[k].value));
  }
  w.Put<uint64_t>(up.label_count);
  for (size_t i = 0; i < up.label_count; ++i) {
    const auto& l = up.labels[i];
    w.PutString(View(l.plugin)), w.PutString(View(l.name)), w.PutString(View(l.value)), w.Put(l.score);
  }
}

bool DecodedUpstream::Decode(std::string_view in) {
  BatchReader r(in);
  std::string_view a, b, c;
  auto count = [&](size_t min_size, uint64_t* n) { return r.Get(n) && *n <= in.size() / min_size; };
  uint64_t n = 0;
  if (!count(kMinMention, &n)) return false;
  a_.mentions.resize(n);
  for (auto& m : a_.mentions) {
    if (!r.Get(&m.begin) || !r.Get(&m.end) || !r.Get(&m.type) || !r.Get(&m.confidence) || !r.GetString(&a) ||
        !r.GetString(&b))
      return false;
    m.canonical = Str(a), m.plugin = Str(b);
  }
  if (!count(kMinSentiment, &n)) return false;
  a_.sentence_sentiments.resize(n);
  for (auto& s : a_.sentence_sentiments)
    if (!r.Get(&s.sentence_index) || !r.Get(&s.score) || !r.Get(&s.magnitude)) return false;
  int32_t has_document = 0;
  if (!r.Get(&has_document) || !r.Get(&view_.document_sentiment.score) || !r.Get(&view_.document_sentiment.magnitude))
    return false;
  view_.has_document_sentiment = has_document != 0;
  view_.document_sentiment.sentence_index = 0;
  if (!count(kMinSummary, &n)) return false;
  a_.summary.resize(n);
  for (auto& s : a_.summary)
    if (!r.Get(&s.sentence_index) || !r.Get(&s.score)) return false;
  if (!count(kMinAnnotation, &n)) return false;
  a_.annotations.resize(n);
  a_.attributes.assign(n, {});
  for (size_t i = 0; i < a_.annotations.size(); ++i) {
    auto& an = a_.annotations[i];
    uint64_t attrs = 0;
    if (!r.GetString(&a) || !r.GetString(&b) || !r.Get(&an.begin) || !r.Get(&an.end) || !r.Get(&an.score) ||
        !count(kMinAttribute, &attrs))
      return false;
    an.plugin = Str(a), an.label = Str(b);
    a_.attributes[i].resize(attrs);
    for (auto& kv : a_.attributes[i]) {
      if (!r.GetString(&a) || !r.GetString(&b)) return false;
      kv = {Str(a), Str(b)};
    }
    an.attributes = a_.attributes[i].data();
    an.attribute_count = a_.attributes[i].size();
  }
  if (!count(kMinLabel, &n)) return false;
  a_.labels.resize(n);
  for (auto& l : a_.labels) {
    if (!r.GetString(&a) || !r.GetString(&b) || !r.GetString(&c) || !r.Get(&l.score)) return false;
    l.plugin = Str(a), l.name = Str(b), l.value = Str(c);
  }
  if (!r.done()) return false;
  a_.PointInto(&view_);
  return true;
}

}  // namespace docanalysis::worker
