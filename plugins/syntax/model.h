// The syntax model: word splitter, part-of-speech tagger, morphology and lemma tables, and an
// arc-hybrid dependency parser, all in one file (syntax-en.model) produced by
// docanalysis-syntax-train.
//
//   SyntaxModel m;
//   std::string error;
//   if (!m.Load("plugins/syntax/data/syntax-en.model", &error)) ...;
//   std::vector<OutToken> out;
//   SyntaxModel::Scratch scratch;
//   m.AnalyzeDocument(text, tokens, n_tokens, sentences, n_sentences, {}, scratch, &out, nullptr);
//
// OWNERSHIP: the model owns its tables. LIFETIME: load once, use for the plugin's life.
// THREADING: immutable after Load(); Analyze* are const and keep per-call state in a Scratch that
// the caller owns (one per thread), so concurrent calls are safe.
#ifndef DOCANALYSIS_PLUGINS_SYNTAX_MODEL_H_
#define DOCANALYSIS_PLUGINS_SYNTAX_MODEL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "flat_map.h"
#include "text_atoms.h"
#include "weights.h"

namespace docanalysis::syntax {

// A syntactic word: a byte span of the document text.
struct WordSpan {
  uint32_t begin, end;
};

// Splits host tokens into UD syntactic words (don't -> do + n't, cannot -> can + not, long-term ->
// long + - + term): a table learned from the treebank, else general rules for clitics and hyphens.
class WordSplitter {
 public:
  // Appends the words of token `tok` (which starts at byte `begin`) to `out`.
  void Split(std::string_view tok, uint32_t begin, std::vector<WordSpan>* out) const;
  // The piece lengths the general rules give (one piece: no split).
  static std::vector<uint8_t> RuleSplit(std::string_view tok);
  // Learned exceptions, by lower-cased token text.
  std::unordered_map<std::string, std::vector<uint8_t>> table;

  // Runs of host tokens with nothing between them that the treebank writes as one word (file.pdf,
  // 08/16/2000, b/c): learned decisions by lower-cased text, else by the run's shape (MergeShape).
  static constexpr size_t kMaxMerge = 6;
  std::unordered_map<std::string, bool> merge_text, merge_shape;
  static std::string MergeShape(std::string_view s);
  // How many host tokens from tokens[i] (up to `end`) make one word; 1 when no merge applies.
  size_t MergeLength(std::string_view text, const docanalysis_token* tokens, size_t i, size_t end) const;

  void Write(BinaryWriter& out) const;
  bool Read(BinaryReader& in, bool with_merges);
};

// Part-of-speech classes: each a (UPOS, XPOS) pair seen in training.
struct TagSet {
  std::vector<std::string> upos, xpos;  // by class
  size_t size() const { return upos.size(); }
};

// Features of the tagger for word `i` given the two previous predicted classes (-1: none).
// `hash`: the feature hashing scheme, 1 (Feat) or 2 (Feat2).
size_t TaggerFeatures(const std::vector<WordAtoms>& words, size_t i, int prev1, int prev2, uint64_t* out, int hash = 1);
constexpr size_t kMaxTaggerFeatures = 40;

// The parser's view of one sentence: words 1..n, 0 is the root.
struct ParseWord {
  uint64_t norm;
  uint32_t tag;  // class + 2 (0: none, 1: root)
};

// The arc-hybrid transition system's state, with the children summaries the features read.
struct ParseState {
  int n = 0;
  std::vector<int> stack;
  int b = 1;  // buffer front; n + 1 when empty
  std::vector<int> head, label, lc1, lc2, rc1, rc2, nl, nr;
  std::vector<uint64_t> lset, rset;
  void Init(int words);
  bool Terminal() const { return b > n && stack.size() == 1; }
  void AddArc(int h, int d, int l);
};

// Transition classes: 0 SHIFT, 1 + l LEFT-l, 1 + L + l RIGHT-l.
struct Transitions {
  int labels = 0;
  int root_label = 0;
  int count() const { return 1 + 2 * labels; }
  // Sets valid[c] for every class.
  void Valid(const ParseState& s, bool* valid) const;
  void Apply(ParseState& s, int cls) const;
  // The one legal class in the two states that have one whatever the labels (a lone root on the
  // stack: SHIFT; the buffer empty and the root below: RIGHT-root), else -1.
  int Forced(const ParseState& s) const;
  // The first legal class of the highest score (what a scan of Valid()'s classes for a strictly
  // greater score picks), or -1 if none is legal. Overwrites the scores of illegal classes and of
  // the padding up to `stride` (a multiple of 8, at least count()); scores hold no NaN.
  int Best(const ParseState& s, float* scores, size_t stride) const;
};

// `lean` (models of format 2 on) leaves out four sparse word-pair templates. `small`, when given, is
// ParserSmallFeatures(): the features of one atom below 256 (tags, labels, a missing word) are read
// from it instead of hashed (the same values).
// `hash`: the feature hashing scheme, 1 (Feat) or 2 (Feat2).
size_t ParserFeatures(const ParseState& s, const std::vector<ParseWord>& words, bool lean, uint64_t* out,
                      const uint64_t* small = nullptr, int hash = 1);
constexpr size_t kMaxParserFeatures = 96;
constexpr uint32_t kParserTemplates = 88;
// Feat(t, a) for every template t < kParserTemplates and atom a < 256, at [t * 256 + a].
std::vector<uint64_t> ParserSmallFeatures(int hash = 1);

// Lemmas and FEATS from tables learned from the treebank.
class Morphology {
 public:
  struct Rule {
    uint8_t cut;
    std::string add;
  };
  // FEATS by (normalised form, class), else by class.
  std::unordered_map<uint64_t, uint16_t> feats_by_form;
  std::vector<uint16_t> feats_by_class;
  std::vector<std::string> feats;
  // Lemma exceptions by (form hash, UPOS id) (exact form, then lower case), and suffix rules by
  // (UPOS id, suffix).
  std::unordered_map<uint64_t, std::string> lemma_exact, lemma_lower;
  std::unordered_map<uint64_t, uint32_t> rule_by_suffix;
  std::vector<Rule> rules;
  std::vector<std::string> upos_names;  // UPOS id -> name

  uint16_t Feats(std::string_view form, int cls) const;
  // The same, given HashStr(Normalize(form)) (WordAtoms::norm).
  uint16_t FeatsOfNorm(uint64_t norm, int cls) const;
  // The flat copy of feats_by_form that FeatsOfNorm() reads; made by Read() (a model trained in
  // memory reads the map itself).
  FlatHashMap<uint16_t> feats_index;
  std::string Lemma(std::string_view form, int upos_id) const;
  std::string RuleLemma(std::string_view form, int upos_id) const;
  static uint64_t FormKey(uint64_t h, uint32_t id) { return Mix(h ^ (static_cast<uint64_t>(id) * 0x9e3779b97f4a7c15ULL)); }
  static uint64_t SuffixKey(uint32_t upos, std::string_view suffix, size_t k) {
    return Mix(HashStr(suffix) + upos * 1315423911ULL + k);
  }

  void Write(BinaryWriter& out) const;
  bool Read(BinaryReader& in);
};

// One analysed syntactic word of a document.
struct OutToken {
  uint32_t begin, end;   // bytes of the document text
  uint16_t cls;          // tag class
  uint16_t feats;        // index into Morphology::feats
  int32_t head;          // index into the document's OutTokens; the root points at itself
  uint16_t label;        // index into SyntaxModel::labels
};

struct AnalyzeOptions {
  // A line break inside a host sentence also ends a sentence for the parser.
  bool split_at_newlines = true;
};

class SyntaxModel {
 public:
  WordSplitter splitter;
  TagSet tags;
  WeightTable tagger;
  Morphology morph;
  std::vector<std::string> labels;
  Transitions transitions;
  WeightTable parser;
  std::vector<uint32_t> upos_id_of_class;  // class -> Morphology UPOS id
  // Ambiguity classes: normalised form hash -> hash of the set of tag classes seen in training.
  std::unordered_map<uint64_t, uint64_t> ambiguity;
  // The parser sees words without an ambiguity class (seen less than twice in training) as their
  // shape only (models of format 2 on).
  bool parser_unknown_words = false;
  // The feature hashing scheme of tagger and parser: 1 (Feat), or 2 (Feat2; format 4 on).
  int feature_hash = 1;

  ParseWord MakeParseWord(const WordAtoms& a, int cls) const {
    uint64_t w = parser_unknown_words && a.amb == 0 ? Mix(a.shape ^ 0x756e6b6e6f776eULL) : a.norm;
    return ParseWord{w, static_cast<uint32_t>(cls) + 2};
  }

  // ParserSmallFeatures(), made by Parse() (a model trained in memory hashes every feature).
  std::vector<uint64_t> parser_small_features;
  // The flat copy of `ambiguity` that Atoms() reads; made by Parse() (a model trained in memory
  // reads the map itself).
  FlatHashMap<uint64_t> ambiguity_index;

  // The feature atoms of a word, with its ambiguity class.
  WordAtoms Atoms(std::string_view form) const {
    WordAtoms a = MakeAtoms(form);
    if (ambiguity_index.built()) {
      const uint64_t* amb = ambiguity_index.Find(a.norm);
      a.amb = amb == nullptr ? 0 : *amb;
    } else {
      auto it = ambiguity.find(a.norm);
      a.amb = it == ambiguity.end() ? 0 : it->second;
    }
    return a;
  }

  // Per-call working memory; one per thread.
  struct Scratch {
    std::vector<WordSpan> words;
    std::vector<WordAtoms> atoms;
    std::vector<uint16_t> classes;
    std::vector<ParseWord> pwords;
    ParseState state;
    std::vector<float> scores;
  };

  bool Load(const std::string& path, std::string* error);
  bool Parse(std::string_view bytes, std::string* error);
  std::string Serialize() const;

  // Tags words (forms), writing one class per word.
  void Tag(const std::vector<WordAtoms>& atoms, std::vector<uint16_t>* classes, std::vector<float>* scores) const;
  // Parses one sentence: heads (0 = root, else 1-based) and labels.
  void ParseSentence(const std::vector<ParseWord>& words, Scratch& s) const;

  // Analyses a document given the host's tokens and sentences; appends to `out`. Returns false if
  // `cancelled` said so.
  bool AnalyzeDocument(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                       const docanalysis_sentence* sentences, size_t sentence_count, const AnalyzeOptions& options,
                       Scratch& scratch, std::vector<OutToken>* out,
                       const std::function<bool()>& cancelled) const;
  // Analyses one sentence given its words; appends to `out` (heads as document indices).
  void AnalyzeWords(std::string_view text, const std::vector<WordSpan>& words, Scratch& scratch,
                    std::vector<OutToken>* out) const;
};

}  // namespace docanalysis::syntax

#endif  // DOCANALYSIS_PLUGINS_SYNTAX_MODEL_H_
