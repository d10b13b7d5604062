// Unit tests of each VADER rule, against the lexicon the build fetched (valences are read from it,
// never assumed), plus the scoring formula, document aggregation and bad input.
#include "vader.h"

#include <cmath>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "service/text/segmenter.h"
#include "vader_lexicon.h"

namespace docanalysis::sentiment {
namespace {

class VaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    lexicon_ = VaderLexicon::Load(SENTIMENT_LEXICON_DIR, &error).release();
    ASSERT_NE(lexicon_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete lexicon_;
    lexicon_ = nullptr;
  }

  // The lexicon valence of `word`; fails the test if it is not a lexicon word.
  static double V(const std::string& word) {
    const WordInfo* w = lexicon_->Find(word);
    EXPECT_TRUE(w != nullptr && w->in_lexicon) << word << " is not in the lexicon";
    return (w != nullptr && w->in_lexicon) ? w->valence : 0.0;
  }
  // Asserts that `word` carries no valence of its own (so sums below are exact).
  static void ExpectNeutral(const std::string& word) {
    const WordInfo* w = lexicon_->Find(word);
    EXPECT_TRUE(w == nullptr || !w->in_lexicon) << word << " is a lexicon word";
  }
  double Sum(const std::string& text) const { return analyzer().ScoreText(text).sum; }
  VaderAnalyzer analyzer() const { return VaderAnalyzer(lexicon_); }

  static VaderLexicon* lexicon_;
};
VaderLexicon* VaderTest::lexicon_ = nullptr;

constexpr double kEps = 1e-4;

TEST_F(VaderTest, LexiconLoadsFromFetchedPackage) {
  EXPECT_GT(lexicon_->lexicon_size(), 7000u);
  EXPECT_GT(lexicon_->emoji_size(), 1000u);
  EXPECT_GT(V("good"), 0.0);
  EXPECT_LT(V("bad"), 0.0);
  ASSERT_NE(lexicon_->Find("not"), nullptr);
  EXPECT_TRUE(lexicon_->Find("not")->is_negation);
  ASSERT_NE(lexicon_->Find("very"), nullptr);
  EXPECT_NEAR(lexicon_->Find("very")->booster, kBoosterIncrement, 1e-6);
  EXPECT_NEAR(lexicon_->Find("slightly")->booster, -kBoosterIncrement, 1e-6);
}

TEST_F(VaderTest, LoadFailsWithClearErrorOnMissingDir) {
  std::string error;
  EXPECT_EQ(VaderLexicon::Load("/nonexistent-dir", &error), nullptr);
  EXPECT_NE(error.find("vader_lexicon.txt"), std::string::npos) << error;
}

TEST_F(VaderTest, LexiconWordAndCompound) {
  SentimentScore s = analyzer().ScoreText("good");
  EXPECT_NEAR(s.sum, V("good"), kEps);
  EXPECT_NEAR(s.compound, V("good") / std::sqrt(V("good") * V("good") + 15.0), kEps);
  EXPECT_EQ(s.words, 1u);
  EXPECT_EQ(s.sentiment_words, 1u);
  EXPECT_NEAR(Sum("The movie is good"), V("good"), kEps);
  EXPECT_NEAR(Sum("good, bad"), V("good") + V("bad"), kEps);
}

TEST_F(VaderTest, PunctuationIsStrippedFromWords) {
  EXPECT_NEAR(Sum("(good),"), V("good"), kEps);
  EXPECT_NEAR(Sum("\"bad\""), V("bad"), kEps);
}

TEST_F(VaderTest, NegationOneTwoAndThreeWordsBack) {
  ExpectNeutral("really");
  ExpectNeutral("that");
  const double g = V("good");
  EXPECT_NEAR(Sum("not good"), g * kNegationScalar, kEps);
  EXPECT_NEAR(Sum("isn't good"), g * kNegationScalar, kEps);  // any "n't"
  EXPECT_NEAR(Sum("not that good"), g * kNegationScalar, kEps);
  // "really" two back boosts (x0.95), "not" three back negates.
  EXPECT_NEAR(Sum("not really that good"), (g + kBoosterIncrement * 0.95) * kNegationScalar, kEps);
  // Four words back is outside the window.
  ExpectNeutral("alpha");
  ExpectNeutral("beta");
  ExpectNeutral("gamma");
  EXPECT_NEAR(Sum("not alpha beta gamma good"), g, kEps);
}

TEST_F(VaderTest, NegationDoesNotCrossClausePunctuation) {
  EXPECT_NEAR(Sum("not really, good"), V("good"), kEps);
}

TEST_F(VaderTest, NeverSoAndNeverThisIntensify) {
  const double g = V("good");
  EXPECT_NEAR(Sum("never so good"), (g + kBoosterIncrement) * kNeverSoScalar, kEps);
  EXPECT_NEAR(Sum("never this good"), g * kNeverSoScalar, kEps);
  EXPECT_NEAR(Sum("never good"), g * kNegationScalar, kEps);
}

TEST_F(VaderTest, WithoutDoubtDoesNotNegate) {
  // "doubt" is a lexicon word itself (negated by "without"); "without doubt" must not flip "good".
  EXPECT_NEAR(Sum("without doubt good"), V("doubt") * kNegationScalar + V("good"), kEps);
  EXPECT_NEAR(Sum("without good"), V("good") * kNegationScalar, kEps);
}

TEST_F(VaderTest, NoNegatesTheNextLexiconWord) {
  // "no" is a lexicon word, but before another lexicon word it only negates it.
  EXPECT_NEAR(Sum("no good"), V("good") * kNegationScalar, kEps);
  EXPECT_NEAR(Sum("no"), V("no"), kEps);
  EXPECT_NEAR(Sum("no alpha good"), V("no") + V("good") * kNegationScalar, kEps);
}

TEST_F(VaderTest, BoostersAndDampenersFollowTheSign) {
  const double g = V("good"), b = V("bad");
  EXPECT_NEAR(Sum("very good"), g + kBoosterIncrement, kEps);
  EXPECT_NEAR(Sum("very bad"), b - kBoosterIncrement, kEps);
  EXPECT_NEAR(Sum("slightly good"), g - kBoosterIncrement, kEps);
  EXPECT_NEAR(Sum("slightly bad"), b + kBoosterIncrement, kEps);
  // Scaled by distance: x0.95 two words back, x0.9 three words back.
  EXPECT_NEAR(Sum("very alpha good"), g + kBoosterIncrement * 0.95, kEps);
  EXPECT_NEAR(Sum("very alpha beta good"), g + kBoosterIncrement * 0.9, kEps);
  // A booster on its own carries nothing.
  EXPECT_NEAR(Sum("very"), 0.0, kEps);
}

TEST_F(VaderTest, AllCapsEmphasisOnlyWhenOtherWordsAreNot) {
  const double g = V("good");
  EXPECT_NEAR(Sum("the movie is GOOD"), g + kCapsIncrement, kEps);
  EXPECT_NEAR(Sum("the movie is BAD"), V("bad") - kCapsIncrement, kEps);
  EXPECT_NEAR(Sum("THE MOVIE IS GOOD"), g, kEps);  // all capitals: no differential
  EXPECT_NEAR(Sum("the movie is VERY good"), g + kBoosterIncrement + kCapsIncrement, kEps);
}

TEST_F(VaderTest, ButShiftsWeightToTheSecondClause) {
  const double g = V("good"), b = V("bad");
  EXPECT_NEAR(Sum("good but bad"), g * kButBefore + b * kButAfter, kEps);
  EXPECT_NEAR(Sum("bad but good"), b * kButBefore + g * kButAfter, kEps);
}

TEST_F(VaderTest, LeastNegatesExceptAtLeastAndVeryLeast) {
  const double g = V("good");
  EXPECT_NEAR(Sum("least good"), g * kNegationScalar, kEps);
  EXPECT_NEAR(Sum("the least good"), g * kNegationScalar, kEps);
  EXPECT_NEAR(Sum("at least good"), g, kEps);
  EXPECT_NEAR(Sum("the very least good"), g + kBoosterIncrement * 0.95, kEps);  // "very" still boosts
}

TEST_F(VaderTest, KindOfDampensAndCarriesNoValence) {
  const double g = V("good");
  ASSERT_GT(V("kind"), 0.0);  // "kind" alone is a positive word
  EXPECT_NEAR(Sum("kind"), V("kind"), kEps);
  EXPECT_NEAR(Sum("kind of good"), g - kBoosterIncrement, kEps);
  EXPECT_NEAR(Sum("kind of bad"), V("bad") + kBoosterIncrement, kEps);
  EXPECT_NEAR(Sum("sort of good"), g - kBoosterIncrement, kEps);
}

TEST_F(VaderTest, IdiomsReplaceTheirWordsValences) {
  float v = 0;
  ASSERT_TRUE(lexicon_->FindIdiom("the bomb", &v));
  EXPECT_NEAR(Sum("the bomb"), v, kEps);
  EXPECT_GT(Sum("this phone is the bomb"), 0.0);
  EXPECT_LT(Sum("bomb"), 0.0);
  ASSERT_TRUE(lexicon_->FindIdiom("kiss of death", &v));
  EXPECT_NEAR(Sum("a kiss of death"), v, kEps);
  ASSERT_TRUE(lexicon_->FindIdiom("yeah right", &v));
  EXPECT_NEAR(Sum("yeah right"), v, kEps);
  ASSERT_TRUE(lexicon_->FindIdiom("to die for", &v));
  EXPECT_NEAR(Sum("a screenplay to die for"), v, kEps);
  // Lexicon entries of several words ("fed up").
  ASSERT_TRUE(lexicon_->FindLexiconPhrase("fed up", &v));
  EXPECT_NEAR(Sum("I am fed up"), v, kEps);
}

TEST_F(VaderTest, InflectedFormsTakeTheirBaseValence) {
  ExpectNeutral("annoyingly");
  EXPECT_NEAR(Sum("annoyingly"), V("annoying"), kEps);
  ExpectNeutral("loveliest");
  EXPECT_NEAR(Sum("loveliest"), V("lovely"), kEps);
  ExpectNeutral("robbing");  // doubled consonant
  EXPECT_NEAR(Sum("robbing"), V("rob"), kEps);
  // Agent nouns are not comparatives: "player" does not take the valence of "play".
  ExpectNeutral("player");
  EXPECT_NEAR(Sum("player"), 0.0, kEps);
  // Negation applies to them like to any lexicon word.
  EXPECT_NEAR(Sum("not annoyingly"), V("annoying") * kNegationScalar, kEps);
  // The reference behaviour can be asked for.
  AnalyzerOptions reference;
  reference.inflections = false;
  EXPECT_NEAR(VaderAnalyzer(lexicon_, reference).ScoreText("annoyingly").sum, 0.0, kEps);
}

TEST_F(VaderTest, ExclamationAndQuestionEmphasis) {
  const double g = V("good"), b = V("bad");
  EXPECT_NEAR(Sum("good!"), g + kExclamationIncrement, kEps);
  EXPECT_NEAR(Sum("bad!!"), b - 2 * kExclamationIncrement, kEps);
  EXPECT_NEAR(Sum("good!!!!!!!!"), g + kMaxExclamations * kExclamationIncrement, kEps);
  EXPECT_NEAR(Sum("good?"), g, kEps);  // one '?' adds nothing
  EXPECT_NEAR(Sum("good??"), g + 2 * kQuestionIncrement, kEps);
  EXPECT_NEAR(Sum("good????"), g + kQuestionMax, kEps);
  EXPECT_NEAR(Sum("nothing here!!!"), 0.0, kEps);  // emphasis needs sentiment to amplify
  // A chunk longer than the scanner's 255-byte blocks still counts every mark.
  EXPECT_NEAR(Sum("good" + std::string(600, '!')), g + kMaxExclamations * kExclamationIncrement, kEps);
  EXPECT_NEAR(Sum("good " + std::string(300, 'x') + std::string(300, '?')), g + kQuestionMax, kEps);
}

TEST_F(VaderTest, Emoticons) {
  EXPECT_NEAR(Sum("great day :)"), V("great") + V(":)"), kEps);
  EXPECT_NEAR(Sum("sad :("), V("sad") + V(":("), kEps);
  const WordInfo* d = lexicon_->FindExact(":D");
  ASSERT_NE(d, nullptr);
  EXPECT_NEAR(Sum("lol :D"), V("lol") + d->valence, kEps);
}

TEST_F(VaderTest, EmojiBecomeTheirDescriptions) {
  // U+1F600 grinning face; U+1F620 angry face; U+1F697 automobile.
  EXPECT_NEAR(Sum("\xF0\x9F\x98\x80"), V("grinning"), kEps);
  EXPECT_NEAR(Sum("fine\xF0\x9F\x98\xA0"), V("fine") + V("angry"), kEps);
  EXPECT_NEAR(Sum("\xF0\x9F\x9A\x97"), 0.0, kEps);
  // A variation selector after the emoji does not hide it.
  EXPECT_NEAR(Sum("\xF0\x9F\x98\x80\xEF\xB8\x8F"), V("grinning"), kEps);
}

TEST_F(VaderTest, ReportedScoreAccountsForLength) {
  ScoringOptions vader{0.0, 0.0};
  EXPECT_NEAR(analyzer().ScoreText("good", vader).score, analyzer().ScoreText("good").compound, kEps);
  ScoringOptions def;
  double short_score = analyzer().ScoreText("good movie").score;
  double long_score = analyzer().ScoreText("the movie that we saw in the old town hall on friday was good").score;
  EXPECT_GT(short_score, long_score);
  EXPECT_GT(long_score, def.min_polar_score);
  EXPECT_EQ(VaderAnalyzer::Score(0.0, 10, def), 0.0);
  EXPECT_NEAR(VaderAnalyzer::Score(1e-6, 10, def), def.min_polar_score, 1e-4);
  EXPECT_LE(VaderAnalyzer::Score(1e9, 1, def), 1.0);
  EXPECT_GE(VaderAnalyzer::Score(-1e9, 1, def), -1.0);
}

TEST_F(VaderTest, DocumentAggregatesSentencesWithPositionWeights) {
  std::string text = "The plot was dull. The acting was superb and the ending was wonderful!";
  text::Segmentation seg = text::Segment(text);
  ASSERT_EQ(seg.sentences.size(), 2u);
  DocumentOptions options;
  DocumentScore d = analyzer().ScoreDocument(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                             seg.sentences.size(), options);
  ASSERT_EQ(d.sentences.size(), 2u);
  EXPECT_LT(d.sentences[0].score, 0.0f);
  EXPECT_GT(d.sentences[1].score, 0.0f);
  EXPECT_GT(d.document.score, 0.0f);
  // Sentence 2 weighs (1 + boost) against 1, normalised to a mean weight of 1.
  const double w0 = 1.0 / (1.0 + options.last_sentence_boost / 2), w1 = (1.0 + options.last_sentence_boost) * w0;
  const double sum = w0 * d.sentences[0].sum + w1 * d.sentences[1].sum;
  const double words = w0 * d.sentences[0].words + w1 * d.sentences[1].words;
  EXPECT_NEAR(d.document.score, VaderAnalyzer::Score(sum, words, options.scoring), kEps);
  EXPECT_NEAR(d.document.magnitude, d.sentences[0].magnitude + d.sentences[1].magnitude, kEps);
  // The same text scored by token spans matches scoring the sentence text.
  std::string_view s1(text.data() + seg.sentences[1].begin, seg.sentences[1].end - seg.sentences[1].begin);
  EXPECT_NEAR(d.sentences[1].sum, analyzer().ScoreText(s1).sum, kEps);
}

TEST_F(VaderTest, LongDocumentDoesNotSaturate) {
  // 40 mildly positive sentences and one negative: VADER's single pass saturates near 1; the
  // density score stays below it.
  std::string text;
  for (int i = 0; i < 40; ++i) text += "The service was fine and the room was okay. ";
  text += "Breakfast was bad.";
  text::Segmentation seg = text::Segment(text);
  DocumentScore d = analyzer().ScoreDocument(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                             seg.sentences.size(), DocumentOptions{});
  EXPECT_GT(d.document.compound, 0.99f);
  EXPECT_GT(d.document.score, 0.3f);
  EXPECT_LT(d.document.score, 0.9f);
}

TEST_F(VaderTest, BadInputIsNeutralAndSafe) {
  EXPECT_EQ(analyzer().ScoreText("").score, 0.0f);
  EXPECT_EQ(analyzer().ScoreText("   \n\t ").score, 0.0f);
  EXPECT_EQ(analyzer().ScoreText("!!! ??? ... ,;: --- ***").score, 0.0f);
  EXPECT_EQ(analyzer().ScoreText("\xF0\x9F\x9A\x97\xF0\x9F\x9A\x95").score, 0.0f);  // car, taxi
  EXPECT_EQ(analyzer().ScoreText("\xFF\xFE invalid \xC3").score, 0.0f);
  // Mixed scripts: Chinese, Russian, Arabic and one English word.
  SentimentScore mixed = analyzer().ScoreText(
      "\xE8\xBF\x99\xE6\x98\xAF \xD1\x8D\xD1\x82\xD0\xBE \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 table");
  EXPECT_EQ(mixed.score, 0.0f);
  EXPECT_EQ(mixed.words, 4u);
}

TEST_F(VaderTest, OneMegabyteOfARepeatedWord) {
  std::string neutral, positive;
  while (neutral.size() < (1u << 20)) neutral += "table ";
  while (positive.size() < (1u << 20)) positive += "good ";
  for (const std::string* text : {&neutral, &positive}) {
    text::Segmentation seg = text::Segment(*text);
    DocumentScore d = analyzer().ScoreDocument(*text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                               seg.sentences.size(), DocumentOptions{});
    EXPECT_TRUE(std::isfinite(d.document.score));
    EXPECT_LE(std::fabs(d.document.score), 1.0f);
    if (text == &neutral) EXPECT_EQ(d.document.score, 0.0f);
    else EXPECT_GT(d.document.score, 0.5f);
  }
}

}  // namespace
}  // namespace docanalysis::sentiment
