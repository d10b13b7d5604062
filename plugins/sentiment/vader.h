// VaderAnalyzer: the VADER rule-based sentiment method (Hutto & Gilbert, "VADER: A Parsimonious
// Rule-based Model for Sentiment Analysis of Social Media Text", ICWSM 2014), written from the
// paper's description, plus a document scorer that aggregates sentence scores.
//
// A sentence is split at whitespace into words (emoticons and contractions stay whole, emoji become
// the words of their description, leading/trailing punctuation is stripped). Each lexicon word gets
// its mean human valence, then the paper's heuristics apply:
//   - ALL-CAPS emphasis: a lexicon word in capitals, when the sentence is not all capitals, +-0.733.
//   - Degree modifiers: a booster/dampener 1, 2 or 3 words before adds +-0.293 (scaled 1, .95, .9),
//     towards the sign of the word; in capitals it adds another +-0.733.
//   - Negation: a negation word (or any "n't") 1, 2 or 3 words before multiplies by -0.74; "no"
//     before a lexicon word negates it; "never so/this" intensifies (x1.25) instead; "without doubt"
//     does not negate; "least" negates unless "at least"/"very least".
//   - "kind of"/"sort of": dampen the word after them ("kind" itself carries no valence there).
//   - Idioms: special-case phrases ("the bomb", "kiss of death", "yeah right") and the lexicon's
//     multi-word entries ("fed up") replace the valence of their words.
//   - "but": valences before the first "but" are halved, those after it multiplied by 1.5.
//   - Punctuation: each '!' (up to 4) adds 0.292 and 2-3 '?' add 0.18 each (0.96 for more) to the
//     magnitude of the sum.
// VADER's compound normalises the sum s to s / sqrt(s^2 + 15); the reported score also accounts for
// the length of the text (see ScoringOptions).
//
// The document score aggregates its sentences' valence sums and lengths, position-weighted (see
// DocumentOptions); a one-sentence document gets that sentence's score.
//
// OWNERSHIP: the analyzer borrows its lexicon, which must outlive it. THREADING: all methods are
// const and safe to call concurrently (per-call scratch is thread-local).
//
//   VaderAnalyzer vader(lexicon.get());
//   SentimentScore s = vader.ScoreText("The plot was not great, but the acting was superb!");
#ifndef DOCANALYSIS_PLUGINS_SENTIMENT_VADER_H_
#define DOCANALYSIS_PLUGINS_SENTIMENT_VADER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "docanalysis/plugin_abi.h"
#include "vader_lexicon.h"

namespace docanalysis::sentiment {

// Constants of the method (Hutto & Gilbert 2014, empirically derived from human ratings).
inline constexpr double kBoosterIncrement = 0.293;
inline constexpr double kCapsIncrement = 0.733;
inline constexpr double kNegationScalar = -0.74;
inline constexpr double kNeverSoScalar = 1.25;
inline constexpr double kButBefore = 0.5;
inline constexpr double kButAfter = 1.5;
inline constexpr double kExclamationIncrement = 0.292;
inline constexpr int kMaxExclamations = 4;
inline constexpr double kQuestionIncrement = 0.18;
inline constexpr double kQuestionMax = 0.96;
inline constexpr double kNormalizeAlpha = 15.0;

// The sentiment of one sentence (or of a text scored in one pass).
struct SentimentScore {
  float score = 0.0f;      // in [-1, 1]: the reported score (see ScoringOptions)
  float compound = 0.0f;   // in [-1, 1]: VADER's compound, sum / sqrt(sum^2 + 15)
  float magnitude = 0.0f;  // >= 0: sum of |valence| / 4 (one extreme word = 1)
  double sum = 0.0;        // sum of valences after the rules and punctuation emphasis
  float positive = 0.0f;   // VADER's pos/neg/neu proportions
  float negative = 0.0f;
  float neutral = 0.0f;
  uint32_t words = 0;            // words after splitting
  uint32_t sentiment_words = 0;  // words with a non-zero valence
};

// How a valence sum becomes the reported score. VADER's compound normalises the sum alone, so one
// strong word scores the same in a 5-word tweet and in a 40-word sentence, and a long text
// saturates at +-1. Here the sum is first divided by (1 + length_damping * words), a sentiment
// density that neither saturates with length nor ignores it, and any text with sentiment evidence
// keeps at least min_polar_score (so it is not mistaken for neutral):
//   score = sign(sum) * (min + (1 - min) * |normalise(sum / (1 + length_damping * words))|).
// With length_damping = 0 and min_polar_score = 0 the score is VADER's compound.
// The defaults (and last_sentence_boost, clause_scope, so_this_intensifies, inflections) are chosen
// by tools/eval/tune_sentiment_cv.py: 5-fold cross-validation on VADER's sets (README, Figures).
struct ScoringOptions {
  double length_damping = 0.1;
  double min_polar_score = 0.05;
};

struct AnalyzerOptions {
  // Strip punctuation exactly as the Python reference does (keep the raw token whenever fewer than
  // three characters remain, so "no," and "ok!" are not recognised). The default strips unless the
  // raw token is itself a lexicon entry (an emoticon).
  bool reference_strip = false;
  // Negations and degree words do not reach across clause punctuation (, ; : . ! ?) between them
  // and the word they would modify. The reference lets them.
  bool clause_scope = true;
  // As the reference does: "so"/"this" right before a word intensifies it (x1.25) in place of a
  // negation three words back ("I have not been this disappointed").
  bool so_this_intensifies = true;
  // A word missing from the lexicon takes the valence of its base form when a regular English
  // inflection of a lexicon word ("-s", "-ed", "-ing", "-ly", "-ier", "-est"). The reference does not.
  bool inflections = true;
};

struct DocumentOptions {
  ScoringOptions scoring;
  // Documents whose |score| is below this are labelled neutral (scores are not clipped).
  double neutral_threshold = 0.05;
  // The document score is the scoring formula applied to the position-weighted sums of its
  // sentences' valence sums and word counts; sentence k of n weighs 1 + last_sentence_boost * k/(n-1)
  // (closing sentences of reviews and posts carry the verdict), normalised to a mean weight of 1.
  double last_sentence_boost = 0.5;
};

struct DocumentScore {
  SentimentScore document;
  std::vector<SentimentScore> sentences;  // one per docanalysis_sentence, in order
};

class VaderAnalyzer {
 public:
  explicit VaderAnalyzer(const VaderLexicon* lexicon, AnalyzerOptions options = {})
      : lexicon_(lexicon), options_(options) {}

  // Scores `text` as one sentence, splitting it at whitespace.
  SentimentScore ScoreText(std::string_view text, const ScoringOptions& scoring = {}) const;

  // Scores tokens [first, last) of `text` (as the host's segmenter made them) as one sentence.
  SentimentScore ScoreTokens(std::string_view text, const docanalysis_token* first, const docanalysis_token* last,
                             const ScoringOptions& scoring = {}) const;

  // Scores every sentence, then the document (see DocumentOptions), into *out (whose vector is
  // reused: callers on a hot path keep one per thread). `should_stop` (may be null) is polled
  // between sentences; when it returns true the remaining sentences are left neutral.
  void ScoreDocument(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                     const docanalysis_sentence* sentences, size_t sentence_count, const DocumentOptions& options,
                     DocumentScore* out, bool (*should_stop)(void*) = nullptr, void* stop_ctx = nullptr) const;
  DocumentScore ScoreDocument(std::string_view text, const docanalysis_token* tokens, size_t token_count,
                              const docanalysis_sentence* sentences, size_t sentence_count,
                              const DocumentOptions& options, bool (*should_stop)(void*) = nullptr,
                              void* stop_ctx = nullptr) const;

  // Combines sentence scores into a document score as ScoreDocument does.
  static SentimentScore Aggregate(const std::vector<SentimentScore>& sentences, const DocumentOptions& options);

  // s / sqrt(s^2 + alpha), clamped to [-1, 1].
  static double Normalize(double sum);
  // The reported score of a valence sum over `words` words (see ScoringOptions).
  static double Score(double sum, double words, const ScoringOptions& scoring);

 private:
  const VaderLexicon* lexicon_;
  AnalyzerOptions options_;
};

}  // namespace docanalysis::sentiment

#endif  // DOCANALYSIS_PLUGINS_SENTIMENT_VADER_H_
