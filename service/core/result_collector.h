// The host's side of a plugin's sink: copies everything one plugin writes for one document,
// checking offsets (inside the text, on code point boundaries) and indices (an existing sentence),
// clamping scores into their ranges, and counting what it had to drop.
//
// Caps: one plugin run on one document keeps at most `max_results` results (by default
// 16 x (tokens + sentences) + 4096, set by the core; mentions, sentiments, summary sentences,
// annotations and labels all count) and at most `max_bytes` of copied strings (default 32 MiB).
// Past either cap the collector keeps nothing more and `overflowed()` is true; the core then marks
// that plugin's run RESOURCE_EXHAUSTED, so a runaway plugin cannot exhaust the server's memory.
//
// Used by the analysis core for every plugin run, and by the plugin test harness
// (service/testing/plugin_runner.h), so tests see exactly what the server keeps.
//
// OWNERSHIP: owns its copies; borrows `text`, which must outlive it.
// THREADING: one collector per plugin run; the ABI lets a plugin call the sink from one thread at
// a time.
#ifndef DOCANALYSIS_SERVICE_CORE_RESULT_COLLECTOR_H_
#define DOCANALYSIS_SERVICE_CORE_RESULT_COLLECTOR_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "docanalysis/v1/docanalysis.pb.h"
#include "service/text/utf8.h"

namespace docanalysis {

// Everything one plugin wrote into its sink for one document.
class ResultCollector {
 public:
  struct Mention {
    uint32_t begin, end;
    int32_t type;
    float confidence;
    std::string canonical;
  };
  struct Annotation {
    std::string label;
    uint32_t begin, end;
    float score;
    std::vector<std::pair<std::string, std::string>> attributes;
  };
  struct Label {
    std::string name, value;
    float score;
  };
  // A syntactic word (ABI 1.1); `head` indexes this collector's `syntax_tokens`.
  struct SyntaxToken {
    uint32_t begin, end;
    std::string tag, xpos, features, lemma, label;
    uint32_t head;
  };

  std::string_view text;
  size_t sentence_count = 0;
  std::vector<Mention> mentions;
  std::vector<std::pair<uint32_t, v1::Sentiment>> sentence_sentiments;
  std::optional<v1::Sentiment> document_sentiment;
  std::vector<std::pair<uint32_t, float>> summary;
  std::vector<Annotation> annotations;
  std::vector<Label> labels;
  std::vector<SyntaxToken> syntax_tokens;
  std::string error;
  size_t rejected = 0;
  size_t max_results = 4096;
  size_t max_bytes = size_t{32} << 20;

  bool overflowed() const { return overflowed_; }
  size_t result_count() const { return results_; }

  bool ValidSpan(uint32_t b, uint32_t e) const {
    auto boundary = [this](uint32_t o) {
      return o == text.size() || (static_cast<unsigned char>(text[o]) & 0xC0) != 0x80;
    };
    return b < e && e <= text.size() && boundary(b) && boundary(e);
  }
  static float Clamp(float v, float lo, float hi) { return std::isnan(v) ? 0.0f : std::min(hi, std::max(lo, v)); }

  // The sink to hand to the plugin; valid while this collector lives.
  docanalysis_sink Sink() {
    return docanalysis_sink{this, &AddEntityMention, &SetSentenceSentiment, &SetDocumentSentiment,
                            &AddSummarySentence, &AddAnnotation, &AddLabel, &SetError, &AddSyntaxToken};
  }

 private:
  static std::string_view View(docanalysis_str s) { return std::string_view(s.data ? s.data : "", s.size); }
  // A plugin's string as the response may hold it: at most `max` bytes cut at a code point
  // boundary, ill-formed UTF-8 replaced by U+FFFD (proto3 strings must be valid UTF-8, and clients
  // in Go, Java and Python refuse a response that is not).
  static std::string Clean(docanalysis_str s, size_t max) { return text::ValidUtf8Prefix(View(s), max); }
  static ResultCollector* Self(void* ctx) { return static_cast<ResultCollector*>(ctx); }
  // Counts one more result holding `bytes` of strings; false (and overflowed) past a cap.
  bool Admit(size_t bytes) {
    if (overflowed_) return false;
    if (++results_ > max_results || bytes > max_bytes - std::min(bytes_, max_bytes)) {
      overflowed_ = true;
      return false;
    }
    bytes_ += bytes;
    return true;
  }
  static void AddEntityMention(void* ctx, uint32_t b, uint32_t e, int32_t type, float conf, docanalysis_str canonical) {
    ResultCollector* c = Self(ctx);
    if (!c->ValidSpan(b, e) || type < 0 || type > DOCANALYSIS_ENTITY_PHONE) { ++c->rejected; return; }
    if (!c->Admit(std::min<size_t>(canonical.size, 1024))) return;
    c->mentions.push_back({b, e, type, Clamp(conf, 0, 1), Clean(canonical, 1024)});
  }
  static void SetSentenceSentiment(void* ctx, uint32_t i, float score, float magnitude) {
    ResultCollector* c = Self(ctx);
    if (i >= c->sentence_count) { ++c->rejected; return; }
    if (!c->Admit(0)) return;
    v1::Sentiment s;
    s.set_score(Clamp(score, -1, 1));
    s.set_magnitude(Clamp(magnitude, 0, 1e9f));
    c->sentence_sentiments.emplace_back(i, s);
  }
  static void SetDocumentSentiment(void* ctx, float score, float magnitude) {
    v1::Sentiment s;
    s.set_score(Clamp(score, -1, 1));
    s.set_magnitude(Clamp(magnitude, 0, 1e9f));
    Self(ctx)->document_sentiment = s;
  }
  static void AddSummarySentence(void* ctx, uint32_t i, float score) {
    ResultCollector* c = Self(ctx);
    if (i >= c->sentence_count) { ++c->rejected; return; }
    if (!c->Admit(0)) return;
    c->summary.emplace_back(i, std::isnan(score) ? 0.0f : score);
  }
  static void AddAnnotation(void* ctx, docanalysis_str label, uint32_t b, uint32_t e, float score,
                            const docanalysis_option* attrs, size_t n) {
    ResultCollector* c = Self(ctx);
    if (!(b == e && e <= c->text.size()) && !c->ValidSpan(b, e)) { ++c->rejected; return; }
    size_t bytes = std::min<size_t>(label.size, 256);
    for (size_t i = 0; i < n && i < 64; ++i) bytes += attrs[i].key.size + attrs[i].value.size;
    if (!c->Admit(bytes)) return;
    Annotation a{Clean(label, 256), b, e, std::isnan(score) ? 0.0f : score, {}};
    for (size_t i = 0; i < n && i < 64; ++i)
      a.attributes.emplace_back(Clean(attrs[i].key, attrs[i].key.size), Clean(attrs[i].value, attrs[i].value.size));
    c->annotations.push_back(std::move(a));
  }
  static void AddLabel(void* ctx, docanalysis_str name, docanalysis_str value, float score) {
    if (!Self(ctx)->Admit(std::min<size_t>(name.size, 256) + std::min<size_t>(value.size, 4096))) return;
    Self(ctx)->labels.push_back({Clean(name, 256), Clean(value, 4096),
                                 std::isnan(score) ? 0.0f : score});
  }
  static void SetError(void* ctx, docanalysis_str message) { Self(ctx)->error = Clean(message, 4096); }
  // A token whose head is out of range (known only once all are in) is made a root at merge time.
  static void AddSyntaxToken(void* ctx, const docanalysis_syntax_token* t) {
    ResultCollector* c = Self(ctx);
    if (t == nullptr || !c->ValidSpan(t->begin, t->end)) { ++c->rejected; return; }
    if (!c->Admit(std::min<size_t>(t->tag.size, 64) + std::min<size_t>(t->xpos.size, 64) +
                  std::min<size_t>(t->features.size, 1024) + std::min<size_t>(t->lemma.size, 1024) +
                  std::min<size_t>(t->label.size, 64)))
      return;
    c->syntax_tokens.push_back({t->begin, t->end, Clean(t->tag, 64),
                                Clean(t->xpos, 64), Clean(t->features, 1024),
                                Clean(t->lemma, 1024), Clean(t->label, 64),
                                t->head});
  }

  size_t results_ = 0;
  size_t bytes_ = 0;
  bool overflowed_ = false;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_RESULT_COLLECTOR_H_
