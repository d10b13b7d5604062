#include "summarizer.h"

#include <libstemmer.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace docanalysis::summary {
namespace {

// English function words that carry no topic (a list written for this project). A static object, not a leaked
// `new`: the plugin is loaded and unloaded many times in one server, and each unload must free it.
const std::unordered_set<std::string_view>& StopWords() {
  static const std::unordered_set<std::string_view> words{
      "a", "about", "above", "after", "again", "against", "ago", "all", "almost", "also", "although", "always",
      "am", "among", "an", "and", "another", "any", "anyone", "anything", "are", "around", "as", "at", "away",
      "back", "be", "became", "because", "become", "been", "before", "being", "below", "between", "both", "but",
      "by", "came", "can", "cannot", "could", "did", "do", "does", "doing", "done", "down", "during", "each",
      "either", "else", "enough", "even", "ever", "every", "few", "for", "from", "further", "get", "gets",
      "getting", "go", "goes", "going", "got", "had", "has", "have", "having", "he", "her", "here", "hers",
      "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself",
      "just", "least", "less", "like", "made", "make", "many", "may", "me", "might", "more", "most", "much",
      "must", "my", "myself", "never", "no", "nor", "not", "now", "of", "off", "often", "on", "once", "one",
      "only", "or", "other", "others", "our", "ours", "ourselves", "out", "over", "own", "per", "perhaps",
      "put", "quite", "rather", "really", "said", "same", "say", "says", "see", "seen", "she", "should", "since",
      "so", "some", "something", "still", "such", "take", "than", "that", "the", "their", "theirs", "them",
      "themselves", "then", "there", "these", "they", "this", "those", "though", "through", "thus", "to", "too",
      "told", "took", "toward", "towards", "under", "until", "up", "upon", "us", "use", "used", "very", "via",
      "was", "we", "well", "went", "were", "what", "whatever", "when", "where", "whether", "which", "while",
      "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your",
      "yours", "yourself", "yourselves", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't",
      "won't", "wouldn't", "can't", "couldn't", "shouldn't", "it's", "i'm", "he's", "she's", "that's",
      "there's", "they're", "we're", "you're", "i've", "we've", "they've", "i'd", "he'd", "she'd", "we'd",
      "they'd", "i'll", "he'll", "she'll", "we'll", "they'll", "let's", "mr", "mrs", "ms"};
  return words;
}

// Phrases that mark page furniture rather than content (matched case-insensitively).
constexpr std::string_view kBoilerplateStarts[] = {
    "updated on", "new update", "published:", "updated:", "last updated", "posted on", "posted:",
    "share this article", "share or comment", "follow us", "sign up", "subscribe", "click here",
    "read more:", "related:", "advertisement", "copyright", "all rights reserved", "image caption",
    "photo:", "image:", "video:", "watch:", "listen:", "scroll down for video", "e-mail to a friend",
};
constexpr std::string_view kBoilerplateAnywhere[] = {
    "all rights reserved", "scroll down for video", "click here to", "e-mail to a friend",
};

bool IsWordKind(uint32_t kind) { return kind == DOCANALYSIS_TOKEN_WORD || kind == DOCANALYSIS_TOKEN_NUMBER; }

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether `haystack` contains `needle` (lower-case ASCII), ignoring ASCII case.
bool ContainsIgnoringCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (LowerAscii(haystack[i]) != needle[0]) continue;
    size_t k = 1;
    while (k < needle.size() && LowerAscii(haystack[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Closing quotes and brackets that may follow a sentence's final punctuation.
std::string_view StripClosers(std::string_view s) {
  static constexpr std::string_view kClosers[] = {"\"", "'", ")", "]", "}", "\xE2\x80\x99", "\xE2\x80\x9D",
                                                  "\xC2\xBB", "*", "_"};
  bool stripped = true;
  while (stripped && !s.empty()) {
    stripped = false;
    s = Trim(s);
    for (std::string_view c : kClosers) {
      if (EndsWith(s, c)) {
        s.remove_suffix(c.size());
        stripped = true;
        break;
      }
    }
  }
  return s;
}

bool EndsWithSentencePunctuation(std::string_view sentence) {
  std::string_view s = StripClosers(sentence);
  if (s.empty()) return false;
  char last = s.back();
  return last == '.' || last == '!' || last == '?' || last == ':' || last == ';' ||
         EndsWith(s, "\xE2\x80\xA6" /* … */) || EndsWith(s, "\xE3\x80\x82" /* 。 */);
}

bool StartsWithQuote(std::string_view s) {
  s = Trim(s);
  return StartsWith(s, "\"") || StartsWith(s, "'") || StartsWith(s, "\xE2\x80\x98" /* ‘ */) ||
         StartsWith(s, "\xE2\x80\x9C" /* “ */) || StartsWith(s, "\xC2\xAB" /* « */);
}

// A direct quotation anywhere in the sentence: typographic or straight double quotes, an opening
// single quote after a space, or a closing one after punctuation.
bool HasQuotation(std::string_view s) {
  static constexpr std::string_view kMarks[] = {"\"", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98",
                                                " '", ",'", ".'", "!'", "?'", ",\xE2\x80\x99", ".\xE2\x80\x99"};
  for (std::string_view m : kMarks)
    if (s.find(m) != std::string_view::npos) return true;
  return StartsWithQuote(s);
}

bool EndsWithQuestion(std::string_view s) {
  s = StripClosers(s);
  return !s.empty() && s.back() == '?';
}

// A bullet marker at the start of `line` (already left-trimmed): • · ▪ ● ◦ ‣ ⁃ – — - * or "12." "3)".
bool StartsWithBullet(std::string_view line) {
  static constexpr std::string_view kBullets[] = {"\xE2\x80\xA2", "\xC2\xB7", "\xE2\x96\xAA", "\xE2\x97\x8F",
                                                  "\xE2\x97\xA6", "\xE2\x80\xA3", "\xE2\x81\x83", "\xE2\x80\x93",
                                                  "\xE2\x80\x94", "- ",           "* ",           "+ "};
  for (std::string_view b : kBullets)
    if (StartsWith(line, b)) return true;
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] >= '0' && line[i] <= '9') ++i;
  return i > 0 && i + 1 < line.size() && (line[i] == '.' || line[i] == ')') && line[i + 1] == ' ';
}

// Whether the text after `end` up to the next line break holds only blanks (or is the end).
bool LineEndsAt(std::string_view text, size_t end) {
  for (size_t i = end; i < text.size(); ++i) {
    if (text[i] == '\n') return true;
    if (!IsBlank(text[i])) return false;
  }
  return true;
}

// Byte offsets where lines start, for finding the line of a sentence in O(log lines).
std::vector<size_t> LineStarts(std::string_view text) {
  std::vector<size_t> starts{0};
  for (size_t i = text.find('\n'); i != std::string_view::npos; i = text.find('\n', i + 1)) starts.push_back(i + 1);
  return starts;
}

// The left-trimmed start (at most 16 bytes) of the line that contains byte `pos`.
std::string_view LineHead(std::string_view text, const std::vector<size_t>& line_starts, size_t pos) {
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), pos);
  size_t start = *(it - 1);
  while (start < text.size() && text[start] != '\n' && IsBlank(text[start])) ++start;
  std::string_view head = text.substr(start, 16);
  size_t newline = head.find('\n');
  return newline == std::string_view::npos ? head : head.substr(0, newline);
}

// Short capitalised "By Jane Smith" lines, and "By . Jane Smith ." from flattened bylines.
bool LooksLikeByline(std::string_view lower_sentence, int words) {
  return StartsWith(lower_sentence, "by ") && words <= 7;
}

struct SentenceInfo {
  std::string_view text;
  int words = 0;
  Exclusion exclusion = Exclusion::kNone;
  bool bullet = false;
};

std::vector<SentenceInfo> Describe(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                                   const docanalysis_sentence* sentences, size_t sentence_count,
                                   const Options& options) {
  std::vector<SentenceInfo> info(sentence_count);
  const std::vector<size_t> line_starts = LineStarts(text);
  for (size_t i = 0; i < sentence_count; ++i) {
    const docanalysis_sentence& s = sentences[i];
    SentenceInfo& si = info[i];
    if (s.begin > s.end || s.end > text.size()) {
      si.exclusion = Exclusion::kTooShort;  // malformed span: never a candidate
      continue;
    }
    si.text = text.substr(s.begin, s.end - s.begin);
    size_t tb = std::min<size_t>(s.token_begin, token_count), te = std::min<size_t>(s.token_end, token_count);
    for (size_t t = tb; t < te; ++t) si.words += IsWordKind(tokens[t].kind) ? 1 : 0;
    si.bullet = StartsWithBullet(LineHead(text, line_starts, s.begin));
    std::string lower = AsciiLower(si.text.substr(0, 64));
    bool boiler = false;
    for (std::string_view b : kBoilerplateStarts) boiler = boiler || StartsWith(lower, b);
    for (std::string_view b : kBoilerplateAnywhere) boiler = boiler || ContainsIgnoringCase(si.text, b);
    if (si.words == 0) {
      si.exclusion = Exclusion::kTooShort;
    } else if (boiler || LooksLikeByline(lower, si.words)) {
      si.exclusion = Exclusion::kBoilerplate;
    } else if (!EndsWithSentencePunctuation(si.text) && LineEndsAt(text, s.end)) {
      si.exclusion = Exclusion::kHeading;
    } else if (options.min_sentence_words > 0 && si.words < options.min_sentence_words) {
      si.exclusion = Exclusion::kTooShort;
    } else if (options.max_sentence_words > 0 && si.words > options.max_sentence_words) {
      si.exclusion = Exclusion::kTooLong;
    }
  }
  // Bullet items after the last prose sentence form a trailing list (takeaways, related links).
  size_t last_prose = 0;
  bool any_prose = false;
  for (size_t i = 0; i < sentence_count; ++i) {
    if (!info[i].bullet && info[i].exclusion == Exclusion::kNone) {
      last_prose = i;
      any_prose = true;
    }
  }
  if (any_prose) {
    for (size_t i = last_prose + 1; i < sentence_count; ++i)
      if (info[i].bullet && info[i].exclusion == Exclusion::kNone) info[i].exclusion = Exclusion::kTrailingList;
  }
  return info;
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};
using StemmerPtr = std::unique_ptr<sb_stemmer, StemmerDeleter>;

StemmerPtr NewStemmer() { return StemmerPtr(sb_stemmer_new("english", "UTF_8")); }

}  // namespace

// The stems of the words seen in earlier documents: news reuses its words, so most words of a
// document were stemmed before (the Snowball stemmer costs about 2,500 instructions a word).
// Direct-mapped: a word's slot is its hash modulo kSlots; a new word takes the slot over. One call
// uses a cache at a time (a stemmer is not thread-safe); the Summarizer keeps a pool of them.
class StemCache {
 public:
  StemCache() : stemmer_(NewStemmer()), slots_(kSlots) {}

  // The term text of `part` (a lower-cased word or part of a hyphenated word), or nullptr for a
  // part that is no term (a stop word, one character, no letter or digit). Valid until the next call.
  const std::string* Stem(std::string_view part) {
    const uint64_t h = std::hash<std::string_view>()(part);
    Slot& slot = slots_[h & (kSlots - 1)];
    if (!(slot.used && slot.hash == h && slot.surface == part)) {
      slot.used = true;
      slot.hash = h;
      slot.surface.assign(part.data(), part.size());
      bool has_alnum = false;
      for (char c : part) has_alnum = has_alnum || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c & 0x80);
      slot.term = part.size() >= 2 && has_alnum && StopWords().count(part) == 0;
      if (slot.term) {
        const sb_symbol* stem = stemmer_ ? sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(part.data()),
                                                           static_cast<int>(part.size()))
                                         : nullptr;
        if (stem != nullptr) slot.stem.assign(reinterpret_cast<const char*>(stem), sb_stemmer_length(stemmer_.get()));
        else slot.stem.assign(part.data(), part.size());
      }
    }
    return slot.term ? &slot.stem : nullptr;
  }

 private:
  static constexpr size_t kSlots = 1 << 14;
  struct Slot {
    uint64_t hash = 0;
    bool used = false;
    bool term = false;
    std::string surface, stem;
  };
  StemmerPtr stemmer_;
  std::vector<Slot> slots_;
};

namespace {

// Maps surface words to term ids for one document.
class Vocabulary {
 public:
  Vocabulary(StemCache& cache, size_t expected_words) : cache_(cache) { stems_.reserve(expected_words); }

  // Appends the term ids of `word` (a WORD or NUMBER token) to `out`.
  void Terms(std::string_view word, std::vector<uint32_t>* out) {
    std::string& lower = lower_;
    lower.assign(word.data(), word.size());
    for (char& c : lower) c = LowerAscii(c);
    // Possessives: "Locke's" and "Locke’s" count as "Locke".
    for (std::string_view suffix : {std::string_view("'s"), std::string_view("\xE2\x80\x99s")}) {
      if (EndsWith(lower, suffix) && lower.size() > suffix.size()) lower.resize(lower.size() - suffix.size());
    }
    size_t start = 0;
    while (start <= lower.size()) {  // hyphenated compounds count as their parts
      size_t dash = lower.find('-', start);
      if (dash == std::string::npos) dash = lower.size();
      if (dash > start) Part(std::string_view(lower).substr(start, dash - start), out);
      start = dash + 1;
    }
  }

  size_t size() const { return stems_.size(); }

 private:
  void Part(std::string_view part, std::vector<uint32_t>* out) {
    const std::string* stem = cache_.Stem(part);
    if (stem == nullptr) return;
    auto it = stems_.find(*stem);
    if (it == stems_.end()) it = stems_.emplace(*stem, static_cast<uint32_t>(stems_.size())).first;
    out->push_back(it->second);
  }

  StemCache& cache_;
  std::string lower_;  // scratch buffer, reused across words
  std::unordered_map<std::string, uint32_t> stems_;
};

using SparseVector = std::vector<std::pair<uint32_t, float>>;

// The surface features of a candidate sentence, in the order of their weights in Options.
enum Feature { kLeadSimilarity = 0, kCentroid, kNumber, kProper, kLength, kDangling, kSaid, kCaption, kFeatureCount };

// Whether `word` opens a sentence when capitalised ("The", "He", ...): met after a word with no
// punctuation between, it marks a photo caption run into the next sentence ("... in Utah The arrow").
bool IsSentenceOpener(std::string_view word) {
  static constexpr std::string_view kOpeners[] = {"The", "A", "An", "He", "She", "It", "They", "His", "Her",
                                                  "Their", "This", "These", "Police", "Mr", "Mrs", "Ms", "Dr"};
  for (std::string_view o : kOpeners)
    if (word == o) return true;
  return false;
}

// Words after which a capitalised "The" or "A" is a title or name, not a new sentence.
bool IsLinkWord(std::string_view word) {
  static constexpr std::string_view kLinks[] = {"of", "in", "the", "to", "at", "by", "from", "on", "for", "with",
                                                "and", "said", "told", "a", "an", "as", "into", "about", "or"};
  for (std::string_view l : kLinks)
    if (word == l) return true;
  return false;
}

bool HasSurfaceFeatures(const Options& o) {
  return o.lead_similarity_weight != 0 || o.centroid_weight != 0 || o.number_weight != 0 || o.proper_weight != 0 ||
         o.length_weight != 0 || o.dangling_penalty != 0 || o.said_penalty != 0 || o.caption_weight != 0;
}

// Opening words that point outside the sentence (pronouns, connectives): such a sentence is rarely
// self-contained.
bool IsDanglingOpener(std::string_view word) {
  static constexpr std::string_view kOpeners[] = {
      "he",   "she",     "it",      "they",  "this",    "these",   "those", "that",      "his",     "her",
      "its",  "their",   "him",     "them",  "but",     "and",     "or",    "so",        "yet",     "also",
      "then", "however", "instead", "still", "there",   "here",    "such",  "meanwhile", "both",    "another",
      "we",   "our",     "i",       "my",    "you",     "although", "though", "because", "moreover", "furthermore"};
  if (word.empty() || word.size() > 12) return false;
  char lower[16];
  for (size_t i = 0; i < word.size(); ++i) lower[i] = LowerAscii(word[i]);
  std::string_view w(lower, word.size());
  for (std::string_view o : kOpeners)
    if (w == o) return true;
  return false;
}

float Dot(const SparseVector& v, const std::vector<float>& dense) {
  float sum = 0;
  for (const auto& [term, w] : v) sum += w * dense[term];
  return sum;
}

bool ParseDouble(std::string_view text, double* out) {
  std::string s(Trim(text));
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == nullptr || *end != '\0' || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

bool ParseInt(std::string_view text, int* out) {
  double v;
  if (!ParseDouble(text, &v) || v != std::floor(v) || std::fabs(v) > 1e9) return false;
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

bool SetOption(std::string_view key, std::string_view value, Options* options) {
  struct IntField {
    std::string_view name;
    int Options::*field;
  };
  struct DoubleField {
    std::string_view name;
    double Options::*field;
  };
  static constexpr IntField kInts[] = {
      {"max_sentences", &Options::max_sentences},           {"min_sentence_words", &Options::min_sentence_words},
      {"max_sentence_words", &Options::max_sentence_words}, {"target_words", &Options::target_words},
      {"long_sentence_words", &Options::long_sentence_words}, {"max_iterations", &Options::max_iterations},
  };
  static constexpr DoubleField kDoubles[] = {
      {"ratio", &Options::ratio},
      {"position_weight", &Options::position_weight},
      {"position_decay", &Options::position_decay},
      {"centrality_weight", &Options::centrality_weight},
      {"topic_weight", &Options::topic_weight},
      {"overshoot_penalty", &Options::overshoot_penalty},
      {"directed_weight", &Options::directed_weight},
      {"forward_weight", &Options::forward_weight},
      {"backward_weight", &Options::backward_weight},
      {"mmr_lambda", &Options::mmr_lambda},
      {"duplicate_cosine", &Options::duplicate_cosine},
      {"quote_penalty", &Options::quote_penalty},
      {"question_penalty", &Options::question_penalty},
      {"quotation_penalty", &Options::quotation_penalty},
      {"long_penalty", &Options::long_penalty},
      {"first_bonus", &Options::first_bonus},
      {"second_bonus", &Options::second_bonus},
      {"third_bonus", &Options::third_bonus},
      {"lead_similarity_weight", &Options::lead_similarity_weight},
      {"centroid_weight", &Options::centroid_weight},
      {"number_weight", &Options::number_weight},
      {"proper_weight", &Options::proper_weight},
      {"length_weight", &Options::length_weight},
      {"dangling_penalty", &Options::dangling_penalty},
      {"said_penalty", &Options::said_penalty},
      {"caption_weight", &Options::caption_weight},
      {"damping", &Options::damping},
      {"teleport_decay", &Options::teleport_decay},
  };
  for (const IntField& f : kInts) {
    if (key != f.name) continue;
    int v;
    if (!ParseInt(value, &v)) return false;
    options->*f.field = v;
    return true;
  }
  for (const DoubleField& f : kDoubles) {
    if (key != f.name) continue;
    double v;
    if (!ParseDouble(value, &v)) return false;
    options->*f.field = v;
    return true;
  }
  if (key == "position_prior") {
    std::string v = AsciiLower(Trim(value));
    if (v == "false" || v == "0" || v == "off" || v == "no") {
      options->position_weight = 0.0;
      return true;
    }
    if (v == "true" || v == "1" || v == "on" || v == "yes") {
      if (options->position_weight <= 0) options->position_weight = Options().position_weight;
      return true;
    }
    return false;
  }
  return false;
}

Summarizer::Summarizer() {
  if (!NewStemmer()) throw std::runtime_error("libstemmer has no English stemmer");
}

Summarizer::~Summarizer() = default;

std::unique_ptr<StemCache> Summarizer::AcquireCache() const {
  {
    std::lock_guard<std::mutex> lock(caches_mu_);
    if (!caches_.empty()) {
      std::unique_ptr<StemCache> c = std::move(caches_.back());
      caches_.pop_back();
      return c;
    }
  }
  return std::make_unique<StemCache>();
}

void Summarizer::ReleaseCache(std::unique_ptr<StemCache> cache) const {
  std::lock_guard<std::mutex> lock(caches_mu_);
  caches_.push_back(std::move(cache));
}

std::vector<Exclusion> ClassifySentences(std::string_view text, const docanalysis_token* tokens,
                                         size_t token_count, const docanalysis_sentence* sentences,
                                         size_t sentence_count, const Options& options) {
  std::vector<SentenceInfo> info = Describe(text, tokens, token_count, sentences, sentence_count, options);
  std::vector<Exclusion> out;
  out.reserve(info.size());
  for (const SentenceInfo& si : info) out.push_back(si.exclusion);
  return out;
}

std::vector<Pick> Summarizer::Summarize(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                                        const docanalysis_sentence* sentences, size_t sentence_count,
                                        const Options& options, const std::function<bool()>& cancelled) const {
  std::unique_ptr<StemCache> stems = AcquireCache();
  std::vector<Pick> picks = Run(text, tokens, token_count, sentences, sentence_count, options, *stems, cancelled, nullptr);
  ReleaseCache(std::move(stems));
  return picks;
}

std::vector<CandidateFeatures> Summarizer::Explain(std::string_view text, const docanalysis_token* tokens,
                                                   size_t token_count, const docanalysis_sentence* sentences,
                                                   size_t sentence_count, const Options& options) const {
  std::vector<CandidateFeatures> rows;
  std::unique_ptr<StemCache> stems = AcquireCache();
  Run(text, tokens, token_count, sentences, sentence_count, options, *stems, nullptr, &rows);
  ReleaseCache(std::move(stems));
  return rows;
}

std::vector<Pick> Summarizer::Run(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                                  const docanalysis_sentence* sentences, size_t sentence_count, const Options& options,
                                  StemCache& stems, const std::function<bool()>& cancelled,
                                  std::vector<CandidateFeatures>* explain) {
  auto stop = [&cancelled] { return cancelled && cancelled(); };
  std::vector<Pick> picks;
  if (sentence_count == 0 || options.max_sentences <= 0) return picks;

  // 1. Candidates. With none left (a one-line note, text without punctuation), fall back to every
  //    sentence that has a word, so a document always gets a summary.
  std::vector<SentenceInfo> info = Describe(text, tokens, token_count, sentences, sentence_count, options);
  std::vector<uint32_t> candidates;
  for (size_t i = 0; i < sentence_count; ++i)
    if (info[i].exclusion == Exclusion::kNone) candidates.push_back(static_cast<uint32_t>(i));
  if (candidates.empty()) {  // first relax only the length bounds (a note of short sentences) ...
    for (size_t i = 0; i < sentence_count; ++i) {
      Exclusion e = info[i].exclusion;
      if (info[i].words > 0 && (e == Exclusion::kTooShort || e == Exclusion::kTooLong))
        candidates.push_back(static_cast<uint32_t>(i));
    }
  }
  if (candidates.empty()) {  // ... then every rule (headings only, text without punctuation)
    for (size_t i = 0; i < sentence_count; ++i)
      if (info[i].words > 0 && !info[i].text.empty()) candidates.push_back(static_cast<uint32_t>(i));
  }
  if (candidates.empty() || stop()) return picks;
  const size_t n = candidates.size();

  // 2. Term vectors: TF-IDF over stems, IDF over the candidate sentences, unit length.
  Vocabulary vocabulary(stems, std::min<size_t>(token_count, 1 << 16));
  std::vector<std::vector<uint32_t>> terms(n);
  for (size_t c = 0; c < n; ++c) {
    const docanalysis_sentence& s = sentences[candidates[c]];
    size_t tb = std::min<size_t>(s.token_begin, token_count), te = std::min<size_t>(s.token_end, token_count);
    for (size_t t = tb; t < te; ++t) {
      const docanalysis_token& tok = tokens[t];
      if (!IsWordKind(tok.kind) || tok.begin >= tok.end || tok.end > text.size()) continue;
      vocabulary.Terms(text.substr(tok.begin, tok.end - tok.begin), &terms[c]);
    }
    std::sort(terms[c].begin(), terms[c].end());
  }
  const size_t vocab = vocabulary.size();
  std::vector<uint32_t> df(vocab, 0);
  for (const auto& ts : terms)
    for (size_t k = 0; k < ts.size(); ++k)
      if (k == 0 || ts[k] != ts[k - 1]) ++df[ts[k]];
  std::vector<SparseVector> vectors(n);
  for (size_t c = 0; c < n; ++c) {
    const auto& ts = terms[c];
    double norm = 0;
    for (size_t k = 0; k < ts.size();) {
      size_t run = k;
      while (run < ts.size() && ts[run] == ts[k]) ++run;
      double w = (1.0 + std::log(static_cast<double>(run - k))) *
                 std::log((static_cast<double>(n) + 1.0) / (static_cast<double>(df[ts[k]]) + 0.5));
      vectors[c].emplace_back(ts[k], static_cast<float>(w));
      norm += w * w;
      k = run;
    }
    if (norm > 0) {
      float inv = static_cast<float>(1.0 / std::sqrt(norm));
      for (auto& entry : vectors[c]) entry.second *= inv;
    }
  }
  if (stop()) return picks;

  // 3. LexRank on the complete cosine graph without self-loops, in linear time per iteration.
  std::vector<float> centroid(vocab, 0.0f);
  for (const auto& v : vectors)
    for (const auto& [term, w] : v) centroid[term] += w;
  std::vector<double> degree(n), self(n), centroid_dot(n);
  for (size_t c = 0; c < n; ++c) {
    double s = 0;
    for (const auto& entry : vectors[c]) s += static_cast<double>(entry.second) * entry.second;
    self[c] = s;
    centroid_dot[c] = Dot(vectors[c], centroid);
    degree[c] = std::max(0.0, centroid_dot[c] - s);
  }
  // Teleport distribution: uniform, or biased to the start of the document (personalised LexRank).
  std::vector<double> teleport(n);
  double teleport_sum = 0;
  for (size_t c = 0; c < n; ++c) teleport_sum += teleport[c] = std::exp(-options.teleport_decay * static_cast<double>(c));
  for (double& t : teleport) t /= teleport_sum;
  std::vector<double> rank(teleport), next(n);
  std::vector<float> flow(vocab);
  const double d = std::clamp(options.damping, 0.0, 1.0);
  const int iterations = std::clamp(options.max_iterations, 0, kMaxIterationsCap);
  for (int iteration = 0; iteration < iterations && n > 1; ++iteration) {
    std::fill(flow.begin(), flow.end(), 0.0f);
    double dangling = 0;
    for (size_t c = 0; c < n; ++c) {
      if (degree[c] <= 1e-9) {
        dangling += rank[c];
        continue;
      }
      float share = static_cast<float>(rank[c] / degree[c]);
      for (const auto& [term, w] : vectors[c]) flow[term] += share * w;
    }
    double change = 0;
    for (size_t c = 0; c < n; ++c) {
      double incoming = Dot(vectors[c], flow);
      if (degree[c] > 1e-9) incoming -= rank[c] / degree[c] * self[c];
      next[c] = (1.0 - d) * teleport[c] + d * (std::max(0.0, incoming) + dangling * teleport[c]);
      change += std::fabs(next[c] - rank[c]);
    }
    rank.swap(next);
    if (change < 1e-6 || stop()) break;
  }
  double max_rank = *std::max_element(rank.begin(), rank.end());
  if (max_rank <= 0) max_rank = 1;

  // Directed degree (after PacSum): similarity to the sentences that follow and to those that
  // precede, each sum linear in the number of terms through running dense sums.
  std::vector<double> directed(n, 0.0);
  if (options.forward_weight != 0 || options.backward_weight != 0) {
    std::vector<float> running(vocab, 0.0f);
    for (size_t c = n; c-- > 0;) {  // suffix sums: sentences after c
      directed[c] += options.forward_weight * Dot(vectors[c], running);
      for (const auto& [term, w] : vectors[c]) running[term] += w;
    }
    std::fill(running.begin(), running.end(), 0.0f);
    for (size_t c = 0; c < n; ++c) {  // prefix sums: sentences before c
      directed[c] += options.backward_weight * Dot(vectors[c], running);
      for (const auto& [term, w] : vectors[c]) running[term] += w;
    }
    double max_abs = 0;
    for (double v : directed) max_abs = std::max(max_abs, std::fabs(v));
    if (max_abs > 0)
      for (double& v : directed) v /= max_abs;
  }

  // Topic density: how many of a sentence's words recur across the document (log of the number of
  // sentences holding each term), per word. Highlights are dense in the story's recurring names.
  std::vector<double> density(n, 0.0);
  double max_density = 0;
  for (size_t c = 0; c < n; ++c) {
    double sum = 0;
    for (uint32_t t : terms[c]) sum += std::log(static_cast<double>(df[t]));
    density[c] = sum / std::max(1, info[candidates[c]].words);
    max_density = std::max(max_density, density[c]);
  }
  if (max_density <= 0) max_density = 1;

  // Surface features (see Options): similarity to the lead and to the centroid, numbers, names,
  // length, openings that point outside the sentence, attribution.
  std::vector<double> features(n * kFeatureCount, 0.0);
  if (HasSurfaceFeatures(options) || explain != nullptr) {
    double max_centroid = 0;
    for (double v : centroid_dot) max_centroid = std::max(max_centroid, v);
    if (max_centroid <= 0) max_centroid = 1;
    std::vector<float> lead_dense(vocab, 0.0f);
    for (const auto& [term, w] : vectors[0]) lead_dense[term] = w;
    for (size_t c = 0; c < n; ++c) {
      const SentenceInfo& si = info[candidates[c]];
      const docanalysis_sentence& s = sentences[candidates[c]];
      double* f = &features[c * kFeatureCount];
      f[kLeadSimilarity] = c == 0 ? 1.0 : Dot(vectors[c], lead_dense);
      f[kCentroid] = std::max(0.0, centroid_dot[c]) / max_centroid;
      size_t tb = std::min<size_t>(s.token_begin, token_count), te = std::min<size_t>(s.token_end, token_count);
      int numbers = 0, capitals = 0, later_words = 0;
      std::string_view first_word;
      bool caption = false;
      for (size_t t = tb; t < te; ++t) {
        const docanalysis_token& tok = tokens[t];
        if (!IsWordKind(tok.kind) || tok.begin >= tok.end || tok.end > text.size()) continue;
        if (t > tb && !caption && tok.kind == DOCANALYSIS_TOKEN_WORD && IsWordKind(tokens[t - 1].kind) &&
            tokens[t - 1].end <= tok.begin && !first_word.empty()) {
          std::string_view prev = text.substr(tokens[t - 1].begin, tokens[t - 1].end - tokens[t - 1].begin);
          caption = IsSentenceOpener(text.substr(tok.begin, tok.end - tok.begin)) && !IsLinkWord(prev) &&
                    (tokens[t - 1].flags & DOCANALYSIS_TOKEN_ABBREVIATION) == 0;
        }
        if (tok.kind == DOCANALYSIS_TOKEN_NUMBER) ++numbers;
        if (first_word.empty()) {
          first_word = text.substr(tok.begin, tok.end - tok.begin);
          continue;
        }
        ++later_words;
        if (tok.kind == DOCANALYSIS_TOKEN_WORD && text[tok.begin] >= 'A' && text[tok.begin] <= 'Z') ++capitals;
      }
      f[kNumber] = numbers > 0 ? 1.0 : 0.0;
      f[kProper] = later_words > 0 ? static_cast<double>(capitals) / later_words : 0.0;
      f[kLength] = std::min(si.words, 40) / 40.0;
      f[kDangling] = IsDanglingOpener(first_word) ? 1.0 : 0.0;
      f[kCaption] = caption ? 1.0 : 0.0;
      f[kSaid] = (ContainsIgnoringCase(si.text, " said") || ContainsIgnoringCase(si.text, " says") ||
                  ContainsIgnoringCase(si.text, " told "))
                     ? 1.0
                     : 0.0;
    }
  }

  // 4. Scores: position prior + centrality + topic density + surface features - penalties.
  std::vector<double> score(n);
  for (size_t c = 0; c < n; ++c) {
    const SentenceInfo& si = info[candidates[c]];
    double s = options.position_weight * std::exp(-options.position_decay * static_cast<double>(c)) +
               options.centrality_weight * rank[c] / max_rank + options.topic_weight * density[c] / max_density +
               options.directed_weight * directed[c];
    if (StartsWithQuote(si.text)) s -= options.quote_penalty;
    if (EndsWithQuestion(si.text)) s -= options.question_penalty;
    if (HasQuotation(si.text)) s -= options.quotation_penalty;
    if (c < 3) s += c == 0 ? options.first_bonus : c == 1 ? options.second_bonus : options.third_bonus;
    const double* f = &features[c * kFeatureCount];
    s += options.lead_similarity_weight * f[kLeadSimilarity] + options.centroid_weight * f[kCentroid] +
         options.number_weight * f[kNumber] + options.proper_weight * f[kProper] +
         options.length_weight * f[kLength] - options.dangling_penalty * f[kDangling] -
         options.said_penalty * f[kSaid] + options.caption_weight * f[kCaption];
    if (options.long_sentence_words > 0 && si.words > options.long_sentence_words)
      s -= options.long_penalty * (si.words - options.long_sentence_words) / 10.0;
    score[c] = s;
    if (explain != nullptr) {
      const double excess = options.long_sentence_words > 0 && si.words > options.long_sentence_words
                                ? (si.words - options.long_sentence_words) / 10.0
                                : 0.0;
      explain->push_back({candidates[c],
                          {static_cast<double>(c), std::exp(-options.position_decay * static_cast<double>(c)),
                           rank[c] / max_rank, density[c] / max_density, directed[c],
                           StartsWithQuote(si.text) ? 1.0 : 0.0, EndsWithQuestion(si.text) ? 1.0 : 0.0,
                           HasQuotation(si.text) ? 1.0 : 0.0, excess, f[kLeadSimilarity], f[kCentroid], f[kNumber],
                           f[kProper], f[kLength], f[kDangling], f[kSaid], static_cast<double>(si.words),
                           f[kCaption]}});
    }
  }
  if (explain != nullptr) return picks;

  // 5. Greedy MMR selection with a duplicate cut and a length target.
  int limit = std::min(options.max_sentences, kMaxSentencesCap);
  if (options.ratio > 0)
    limit = std::min<int>(limit, std::max<int>(1, static_cast<int>(std::ceil(options.ratio * static_cast<double>(n)))));
  std::vector<float> redundancy(n, 0.0f);
  std::vector<char> available(n, 1);
  std::vector<float> chosen_dense(vocab, 0.0f);
  int words = 0;
  while (static_cast<int>(picks.size()) < limit && (options.target_words <= 0 || words < options.target_words)) {
    if (stop()) break;
    size_t best = n;
    double best_value = 0;
    for (size_t c = 0; c < n; ++c) {
      if (!available[c]) continue;
      if (!picks.empty() && redundancy[c] > options.duplicate_cosine) {
        available[c] = 0;
        continue;
      }
      double value = score[c] - options.mmr_lambda * redundancy[c];
      if (options.target_words > 0 && !picks.empty()) {
        int over = words + info[candidates[c]].words - options.target_words;
        if (over > 0) value -= options.overshoot_penalty * over / 10.0;
      }
      if (best == n || value > best_value) {
        best = c;
        best_value = value;
      }
    }
    if (best == n) break;
    available[best] = 0;
    picks.push_back({candidates[best], static_cast<float>(best_value)});
    words += info[candidates[best]].words;
    for (const auto& [term, w] : vectors[best]) chosen_dense[term] = w;
    for (size_t c = 0; c < n; ++c)
      if (available[c]) redundancy[c] = std::max(redundancy[c], Dot(vectors[c], chosen_dense));
    for (const auto& entry : vectors[best]) chosen_dense[entry.first] = 0.0f;
  }
  std::sort(picks.begin(), picks.end(), [](const Pick& a, const Pick& b) { return a.sentence < b.sentence; });
  return picks;
}

}  // namespace docanalysis::summary
