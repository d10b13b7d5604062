// docanalysis/plugin.h: the header-only C++ helper for writing docanalysis plugins.
//
// A plugin author writes one class and one registration macro:
//
//   #include "docanalysis/plugin.h"
//
//   class Shouting : public docanalysis::Plugin {
//    public:
//     explicit Shouting(const docanalysis::PluginConfig& config) {}  // throw to fail the load
//     docanalysis::Status Analyze(const docanalysis::Document& doc, docanalysis::Sink& sink) override {
//       for (const docanalysis_token& t : doc.tokens())
//         if (doc.IsAllCaps(t)) sink.AddAnnotation("shout", t.begin, t.end, 1.0f);
//       return docanalysis::Status::Ok();
//     }
//   };
//   DOCANALYSIS_REGISTER_PLUGIN(Shouting, "shouting", "1.0.0")
//
// The macro defines the exported `docanalysis_plugin_get_api` symbol and trampolines that catch
// every exception at the boundary (an escaping exception becomes INTERNAL with its what()).
//
// THREADING: `Analyze` is called concurrently on one instance; keep it const in spirit (read-only
// models, per-call state on the stack). The constructor and destructor are never concurrent.
// LIFETIME: a `Document` and a `Sink` live for one Analyze call; copy what you keep.
#ifndef DOCANALYSIS_PLUGIN_H_
#define DOCANALYSIS_PLUGIN_H_

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "docanalysis/plugin_abi.h"

namespace docanalysis {

inline std::string_view ToView(docanalysis_str s) { return std::string_view(s.data, s.size); }
inline docanalysis_str ToStr(std::string_view s) { return docanalysis_str{s.data(), s.size()}; }

// A status code (gRPC numbering) and a message.
class Status {
 public:
  static Status Ok() { return Status(); }
  static Status Error(int32_t code, std::string message) { return Status(code, std::move(message)); }
  static Status InvalidArgument(std::string m) { return Error(DOCANALYSIS_INVALID_ARGUMENT, std::move(m)); }
  static Status Internal(std::string m) { return Error(DOCANALYSIS_INTERNAL, std::move(m)); }
  static Status Cancelled(std::string m = "cancelled") { return Error(DOCANALYSIS_CANCELLED, std::move(m)); }

  Status() = default;
  Status(int32_t code, std::string message) : code_(code), message_(std::move(message)) {}
  bool ok() const { return code_ == DOCANALYSIS_OK; }
  int32_t code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  int32_t code_ = DOCANALYSIS_OK;
  std::string message_;
};

// Thrown from a plugin constructor to fail the load with a specific code.
class PluginError : public std::runtime_error {
 public:
  PluginError(int32_t code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int32_t code() const { return code_; }

 private:
  int32_t code_;
};

template <typename T>
class Span {
 public:
  Span(const T* data, size_t size) : data_(data), size_(size) {}
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  const T* data_;
  size_t size_;
};

namespace internal {
// The ABI minor of the host that created this plugin (from docanalysis_create_args), so that a
// plugin built for a newer minor never calls sink fields an older host does not have. One per
// plugin library (hidden visibility); set before any Analyze call.
inline std::atomic<uint32_t> g_host_abi_minor{0};
}  // namespace internal

// Options given at load time: manifest defaults merged with the operator's overrides.
class PluginConfig {
 public:
  explicit PluginConfig(const docanalysis_create_args& args)
      : dir_(ToView(args.plugin_dir)), host_abi_minor_(args.host_abi_minor) {
    for (size_t i = 0; i < args.option_count; ++i)
      options_.emplace(std::string(ToView(args.options[i].key)), std::string(ToView(args.options[i].value)));
  }
  // The plugin's folder, where its data files live.
  const std::string& dir() const { return dir_; }
  // Joins a file name to dir().
  std::string Path(std::string_view file) const { return dir_ + "/" + std::string(file); }
  std::string Option(const std::string& key, const std::string& def = "") const {
    auto it = options_.find(key);
    return it == options_.end() ? def : it->second;
  }
  const std::map<std::string, std::string>& options() const { return options_; }
  // The host's ABI minor: what this plugin may call (see Sink::CanAddSyntaxTokens).
  uint32_t host_abi_minor() const { return host_abi_minor_; }

 private:
  std::string dir_;
  uint32_t host_abi_minor_;
  std::map<std::string, std::string> options_;
};

// ABI 1.1: read-only view of the results of the plugins this plugin needs (see
// docanalysis_upstream). Empty when the plugin needs nothing or the host gave no upstream results.
class Upstream {
 public:
  explicit Upstream(const docanalysis_upstream* u) : u_(u) {}

  bool available() const { return u_ != nullptr; }
  Span<docanalysis_upstream_mention> mentions() const {
    return u_ ? Span<docanalysis_upstream_mention>(u_->mentions, u_->mention_count)
              : Span<docanalysis_upstream_mention>(nullptr, 0);
  }
  Span<docanalysis_upstream_sentiment> sentence_sentiments() const {
    return u_ ? Span<docanalysis_upstream_sentiment>(u_->sentence_sentiments, u_->sentence_sentiment_count)
              : Span<docanalysis_upstream_sentiment>(nullptr, 0);
  }
  // The document sentiment, or nullptr when no needed plugin set one.
  const docanalysis_upstream_sentiment* document_sentiment() const {
    return u_ && u_->has_document_sentiment ? &u_->document_sentiment : nullptr;
  }
  Span<docanalysis_upstream_summary_sentence> summary() const {
    return u_ ? Span<docanalysis_upstream_summary_sentence>(u_->summary, u_->summary_count)
              : Span<docanalysis_upstream_summary_sentence>(nullptr, 0);
  }
  Span<docanalysis_upstream_annotation> annotations() const {
    return u_ ? Span<docanalysis_upstream_annotation>(u_->annotations, u_->annotation_count)
              : Span<docanalysis_upstream_annotation>(nullptr, 0);
  }
  Span<docanalysis_upstream_label> labels() const {
    return u_ ? Span<docanalysis_upstream_label>(u_->labels, u_->label_count)
              : Span<docanalysis_upstream_label>(nullptr, 0);
  }
  // The value of the first label called `name` (from any needed plugin), or `def`.
  std::string_view Label(std::string_view name, std::string_view def = {}) const {
    for (const auto& l : labels())
      if (ToView(l.name) == name) return ToView(l.value);
    return def;
  }

 private:
  const docanalysis_upstream* u_;
};

// Read-only view of one document (see docanalysis_document).
class Document {
 public:
  explicit Document(const docanalysis_document& d) : d_(d) {}

  std::string_view id() const { return ToView(d_.id); }
  std::string_view text() const { return ToView(d_.text); }
  std::string_view language() const { return ToView(d_.language); }
  Span<docanalysis_token> tokens() const { return {d_.tokens, d_.token_count}; }
  Span<docanalysis_sentence> sentences() const { return {d_.sentences, d_.sentence_count}; }
  std::string_view TokenText(const docanalysis_token& t) const { return text().substr(t.begin, t.end - t.begin); }
  std::string_view SentenceText(const docanalysis_sentence& s) const {
    return text().substr(s.begin, s.end - s.begin);
  }

  // This request's option `key` for this plugin, or `def`.
  std::string_view Option(std::string_view key, std::string_view def = {}) const {
    for (size_t i = 0; i < d_.option_count; ++i)
      if (ToView(d_.options[i].key) == key) return ToView(d_.options[i].value);
    return def;
  }
  double OptionDouble(std::string_view key, double def) const {
    std::string v(Option(key));
    if (v.empty()) return def;
    char* end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    return (end && *end == '\0') ? x : def;
  }
  long OptionInt(std::string_view key, long def) const {
    std::string v(Option(key));
    if (v.empty()) return def;
    char* end = nullptr;
    long x = std::strtol(v.c_str(), &end, 10);
    return (end && *end == '\0') ? x : def;
  }
  bool OptionBool(std::string_view key, bool def) const {
    std::string_view v = Option(key);
    if (v.empty()) return def;
    return v == "1" || v == "true" || v == "yes" || v == "on";
  }
  // Whether the request asked for `feature` of this plugin.
  bool WantsFeature(std::string_view feature) const {
    for (size_t i = 0; i < d_.feature_count; ++i)
      if (ToView(d_.features[i]) == feature) return true;
    return false;
  }
  // True once the request is cancelled, past its deadline, or the plugin past its budget.
  bool Cancelled() const { return d_.is_cancelled != nullptr && d_.is_cancelled(d_.cancel_ctx) != 0; }
  // ABI 1.1: results of the plugins named by this plugin's "needs" (empty view when none).
  Upstream upstream() const { return Upstream(d_.upstream); }

  const docanalysis_document& raw() const { return d_; }

 private:
  const docanalysis_document& d_;
};

// Where results go; every call copies its arguments.
class Sink {
 public:
  explicit Sink(const docanalysis_sink& s) : s_(s) {}

  void AddEntityMention(uint32_t begin, uint32_t end, int32_t type, float confidence,
                        std::string_view canonical = {}) const {
    s_.add_entity_mention(s_.ctx, begin, end, type, confidence, ToStr(canonical));
  }
  void SetSentenceSentiment(uint32_t sentence, float score, float magnitude) const {
    s_.set_sentence_sentiment(s_.ctx, sentence, score, magnitude);
  }
  void SetDocumentSentiment(float score, float magnitude) const {
    s_.set_document_sentiment(s_.ctx, score, magnitude);
  }
  void AddSummarySentence(uint32_t sentence, float score) const { s_.add_summary_sentence(s_.ctx, sentence, score); }
  void AddAnnotation(std::string_view label, uint32_t begin, uint32_t end, float score,
                     const std::vector<std::pair<std::string, std::string>>& attributes = {}) const {
    std::vector<docanalysis_option> attrs;
    attrs.reserve(attributes.size());
    for (const auto& kv : attributes) attrs.push_back({ToStr(kv.first), ToStr(kv.second)});
    s_.add_annotation(s_.ctx, ToStr(label), begin, end, score, attrs.data(), attrs.size());
  }
  void AddLabel(std::string_view name, std::string_view value, float score) const {
    s_.add_label(s_.ctx, ToStr(name), ToStr(value), score);
  }

  // ABI 1.1: whether the host takes syntactic words (a 1.0 host's sink has no such field).
  bool CanAddSyntaxTokens() const {
    return internal::g_host_abi_minor.load(std::memory_order_relaxed) >= 1 && s_.add_syntax_token != nullptr;
  }
  // One syntactic word (see docanalysis_syntax_token); `head` counts the words this call reported,
  // from 0. Returns false, reporting nothing, when the host is older than ABI 1.1.
  bool AddSyntaxToken(uint32_t begin, uint32_t end, std::string_view tag, std::string_view xpos,
                      std::string_view features, std::string_view lemma, uint32_t head,
                      std::string_view label) const {
    if (!CanAddSyntaxTokens()) return false;
    docanalysis_syntax_token t{begin, end, ToStr(tag), ToStr(xpos), ToStr(features), ToStr(lemma), head, ToStr(label)};
    s_.add_syntax_token(s_.ctx, &t);
    return true;
  }

 private:
  const docanalysis_sink& s_;
};

// The base class of a plugin. One instance serves every request, concurrently.
class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual Status Analyze(const Document& doc, Sink& sink) = 0;
};

namespace internal {

template <typename T>
int32_t Create(const docanalysis_create_args* args, void** instance) noexcept {
  auto fail = [args](int32_t code, const char* what) {
    std::string_view m(what ? what : "unknown error");
    if (args->set_error) args->set_error(args->error_ctx, ToStr(m));
    return code;
  };
  try {
    internal::g_host_abi_minor.store(args->host_abi_major == DOCANALYSIS_ABI_MAJOR ? args->host_abi_minor : 0,
                                     std::memory_order_relaxed);
    PluginConfig config(*args);
    *instance = static_cast<Plugin*>(new T(config));
    return DOCANALYSIS_OK;
  } catch (const PluginError& e) {
    return fail(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(DOCANALYSIS_RESOURCE_EXHAUSTED, "out of memory");
  } catch (const std::exception& e) {
    return fail(DOCANALYSIS_FAILED_PRECONDITION, e.what());
  } catch (...) {
    return fail(DOCANALYSIS_INTERNAL, "non-standard exception in plugin constructor");
  }
}

inline int32_t Analyze(void* instance, const docanalysis_document* doc, const docanalysis_sink* sink) noexcept {
  auto fail = [sink](int32_t code, const char* what) {
    std::string_view m(what ? what : "unknown error");
    if (sink->set_error) sink->set_error(sink->ctx, ToStr(m));
    return code;
  };
  try {
    Document d(*doc);
    Sink s(*sink);
    Status st = static_cast<Plugin*>(instance)->Analyze(d, s);
    if (!st.ok()) {
      fail(st.code(), st.message().c_str());
      return st.code();
    }
    return DOCANALYSIS_OK;
  } catch (const std::bad_alloc&) {
    return fail(DOCANALYSIS_RESOURCE_EXHAUSTED, "out of memory in plugin");
  } catch (const std::exception& e) {
    return fail(DOCANALYSIS_INTERNAL, e.what());
  } catch (...) {
    return fail(DOCANALYSIS_INTERNAL, "non-standard exception in plugin");
  }
}

inline void Destroy(void* instance) noexcept { delete static_cast<Plugin*>(instance); }

}  // namespace internal
}  // namespace docanalysis

// Defines the exported entry point for plugin class `Class` (constructible from
// `const docanalysis::PluginConfig&`), named `name` with version `version` (string literals).
#define DOCANALYSIS_REGISTER_PLUGIN(Class, name, version)                                       \
  extern "C" DOCANALYSIS_EXPORT const docanalysis_plugin_api* docanalysis_plugin_get_api(void) { \
    static const docanalysis_plugin_api api = {                                                \
        DOCANALYSIS_ABI_MAJOR,                                                                  \
        DOCANALYSIS_ABI_MINOR,                                                                  \
        name,                                                                                   \
        version,                                                                                \
        &::docanalysis::internal::Create<Class>,                                                \
        &::docanalysis::internal::Analyze,                                                      \
        &::docanalysis::internal::Destroy,                                                      \
    };                                                                                          \
    return &api;                                                                                \
  }

#endif  // DOCANALYSIS_PLUGIN_H_
