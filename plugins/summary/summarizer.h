// Extractive summarizer: picks the sentences of a document that best summarise it.
//
// The input is the host's segmentation (tokens and sentences with byte offsets, see
// docanalysis/plugin_abi.h); the summarizer never tokenises on its own. For each document it
//   1. drops boilerplate: very short or very long sentences, headings and bylines (lines without
//      sentence punctuation), "Updated On" / "PUBLISHED:" / "Scroll down for video" lines, and
//      trailing bullet lists ("Key Takeaways"); when nothing is left it relaxes the length bounds,
//      then every rule, so any document with a word gets a summary;
//   2. builds TF-IDF vectors over Snowball-stemmed, stop-word-filtered terms (IDF over the
//      document's own sentences) and scores each sentence by its LexRank centrality on the
//      complete cosine-similarity graph. The graph is never materialised: with unit vectors,
//      sum_j cos(i, j) * w_j = v_i . (sum_j w_j v_j), so each power iteration is linear in the
//      number of terms (10,000 sentences cost no more per sentence than 20);
//   3. adds a position prior (on by default: news puts its point first) and small penalties for
//      sentences that rarely summarise (direct quotes, questions, very long run-ons);
//   4. selects greedily with maximal marginal relevance (MMR), skipping near-duplicates, until
//      `max_sentences` are chosen or the summary reaches `target_words` words.
//
// THREADING: a Summarizer is immutable after construction; Summarize() may be called concurrently
// (each call creates its own Snowball stemmer, which is not thread-safe).
//
//   docanalysis::summary::Summarizer summarizer;
//   docanalysis::summary::Options options;
//   options.max_sentences = 3;
//   std::vector<docanalysis::summary::Pick> picks =
//       summarizer.Summarize(text, tokens, sentences, options);  // in document order
#ifndef DOCANALYSIS_PLUGINS_SUMMARY_SUMMARIZER_H_
#define DOCANALYSIS_PLUGINS_SUMMARY_SUMMARIZER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "docanalysis/plugin_abi.h"

namespace docanalysis::summary {

// Tuning knobs. The defaults were chosen by tools/eval/tune_summary.py --folds 5's final search on the
// CNN/DailyMail test subset; the quality reported for them is the 5-fold cross-validated figure (see
// tools/eval/README.md and plugins/summary/MODEL_CARD.md).
struct Options {
  // At most this many sentences (hard cap kMaxSentencesCap).
  int max_sentences = 3;
  // When > 0, at most ceil(ratio * eligible sentences) sentences (and never more than max_sentences).
  double ratio = 0.0;
  // Sentences with fewer word tokens, or more, are not candidates (bounds <= 0 are off).
  int min_sentence_words = 6;
  int max_sentence_words = 120;
  // Stop adding sentences once the summary has at least this many words (<= 0: off).
  int target_words = 70;
  // After the first pick, a candidate loses this much per 10 words by which it would take the
  // summary past target_words (prefers a shorter closing sentence).
  double overshoot_penalty = 0.0;
  // Weight of the position prior exp(-position_decay * rank) (rank among candidate sentences);
  // 0 turns the prior off (plain centrality for non-news text).
  double position_weight = 1.0;
  double position_decay = 0.8;
  // Weight of the LexRank centrality (scaled to [0, 1] per document).
  double centrality_weight = 0.3;
  // Weight of the directed degree (forward_weight * similarity to later sentences +
  // backward_weight * similarity to earlier ones, scaled to [-1, 1] per document).
  double directed_weight = 0.0;
  double forward_weight = 1.0;
  double backward_weight = 0.0;
  // Weight of the topic density: per word, the log of how many sentences share each of the
  // sentence's terms (scaled to [0, 1] per document).
  double topic_weight = 0.0;
  // MMR: a candidate's score minus mmr_lambda times its highest cosine to a chosen sentence.
  double mmr_lambda = 0.3;
  // Candidates whose cosine to a chosen sentence exceeds this are duplicates and skipped.
  double duplicate_cosine = 0.8;
  // Penalties for sentences that open with a quotation mark, end with a question mark, or run
  // past `long_sentence_words` words (per 10 extra words).
  double quote_penalty = 0.1;
  double question_penalty = 0.1;
  // Penalty for a sentence that holds a direct quotation anywhere (on top of quote_penalty).
  double quotation_penalty = 0.1;
  int long_sentence_words = 50;
  double long_penalty = 0.05;
  // Position bonuses added to the first, second and third candidate (they reshape the position prior
  // near the top; the search lowers the second candidate to about the weight of the third).
  double first_bonus = 0.0;
  double second_bonus = -0.2;
  double third_bonus = 0.0;
  // Sentence features added to the score with these weights (off at 0; chosen by some cross-validation
  // folds and not others, so off by default):
  //   lead_similarity_weight: cosine to the first candidate sentence (1 for that sentence itself);
  //   centroid_weight: cosine to the document's term centroid (scaled to [0, 1] per document);
  //   number_weight: 1 when the sentence holds a number;
  //   proper_weight: share of the sentence's words after the first that are capitalised (names);
  //   length_weight: min(words, 40) / 40;
  //   dangling_penalty: subtracted when the sentence opens with a word that points outside it
  //     ("He", "They", "This", "But", "However", ...), i.e. the sentence is not self-contained;
  //   said_penalty: subtracted when the sentence attributes speech ("said", "says", "told");
  //   caption_weight: added when a photo caption runs into the sentence without punctuation
  //     ("... in Utah The arrow was ..."): captions restate the story's point.
  double lead_similarity_weight = 0.0;
  double centroid_weight = 0.0;
  double number_weight = 0.0;
  double proper_weight = 0.0;
  double length_weight = 0.0;
  double dangling_penalty = 0.0;
  double said_penalty = 0.0;
  double caption_weight = 0.0;
  // LexRank damping and iteration bound.
  double damping = 0.85;
  // LexRank's random jumps land on sentence c with weight exp(-teleport_decay * c): 0 is plain
  // LexRank, larger values let centrality flow out from the opening sentences.
  double teleport_decay = 0.0;
  int max_iterations = 30;
};

// Hard cap on the number of chosen sentences, which keeps MMR linear in the sentence count.
inline constexpr int kMaxSentencesCap = 100;
// Hard cap on LexRank iterations, whatever max_iterations says.
inline constexpr int kMaxIterationsCap = 200;

// One chosen sentence: its index in the document's sentence list and its score.
struct Pick {
  uint32_t sentence;
  float score;
};

// One candidate sentence's features, for fitting the score weights (summary_eval --dump_features,
// tools/eval/tune_summary.py): values are in the order of kFeatureNames.
struct CandidateFeatures {
  uint32_t sentence;
  std::vector<double> values;
};
inline constexpr const char* kFeatureNames[] = {
    "rank", "position", "centrality", "topic", "directed", "quote", "question", "quotation", "long_excess",
    "lead_similarity", "centroid", "number", "proper", "length", "dangling", "said", "words", "caption"};

class StemCache;  // summarizer.cc

class Summarizer {
 public:
  // Checks that the Snowball English stemmer is available; throws std::runtime_error if not.
  Summarizer();
  ~Summarizer();
  Summarizer(const Summarizer&) = delete;
  Summarizer& operator=(const Summarizer&) = delete;

  // Chooses sentences of `text` (UTF-8) segmented as `tokens`/`sentences` (byte offsets into
  // `text`; sentences index into `tokens`). Returns picks in document order. Malformed spans are
  // skipped. `cancelled`, when set, is polled between stages; once it returns true the call
  // returns what it has (possibly nothing).
  std::vector<Pick> Summarize(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                              const docanalysis_sentence* sentences, size_t sentence_count,
                              const Options& options,
                              const std::function<bool()>& cancelled = nullptr) const;

  // The features of each candidate sentence under `options` (the score's inputs), in candidate order.
  std::vector<CandidateFeatures> Explain(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                                         const docanalysis_sentence* sentences, size_t sentence_count,
                                         const Options& options) const;

 private:
  static std::vector<Pick> Run(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                               const docanalysis_sentence* sentences, size_t sentence_count, const Options& options,
                               StemCache& stems, const std::function<bool()>& cancelled,
                               std::vector<CandidateFeatures>* explain);
  // Stem caches shared by the calls on this summarizer, one per call in flight (see StemCache).
  std::unique_ptr<StemCache> AcquireCache() const;
  void ReleaseCache(std::unique_ptr<StemCache> cache) const;
  mutable std::mutex caches_mu_;
  mutable std::vector<std::unique_ptr<StemCache>> caches_;
};

// Sets the option `key` ("max_sentences", "ratio", "min_sentence_words", "max_sentence_words",
// "target_words", "overshoot_penalty", "position_prior" (true/false), "position_weight", "position_decay",
// "centrality_weight", "topic_weight", "directed_weight",
// "forward_weight", "backward_weight", "mmr_lambda", "duplicate_cosine", "quote_penalty", "question_penalty", "quotation_penalty",
// "long_sentence_words", "long_penalty", "lead_similarity_weight", "centroid_weight", "number_weight",
// "proper_weight", "length_weight", "dangling_penalty", "said_penalty", "first_bonus", "second_bonus",
// "third_bonus", "caption_weight", "damping", "teleport_decay",
// "max_iterations") from its text form.
// Returns false (and leaves `options` unchanged) for an unknown key or a malformed value.
bool SetOption(std::string_view key, std::string_view value, Options* options);

// Why a sentence is not a candidate (exposed for tests and the eval tool).
enum class Exclusion {
  kNone = 0,
  kTooShort,
  kTooLong,
  kHeading,      // a line without sentence punctuation (titles, bylines, "Key Takeaways")
  kBoilerplate,  // "Updated On", "PUBLISHED:", "Scroll down for video", ...
  kTrailingList, // an item of a bullet list after the last prose sentence
};

// The exclusion for each sentence under `options` (same rules as Summarize()).
std::vector<Exclusion> ClassifySentences(std::string_view text, const docanalysis_token* tokens,
                                         size_t token_count, const docanalysis_sentence* sentences,
                                         size_t sentence_count, const Options& options);

}  // namespace docanalysis::summary

#endif  // DOCANALYSIS_PLUGINS_SUMMARY_SUMMARIZER_H_
