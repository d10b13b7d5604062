#include "model.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "conll.h"
#include "gtest/gtest.h"
#include "perceptron.h"
#include "viterbi.h"

namespace docanalysis::entity {
namespace {

TEST(LabelsTest, TransitionsAreWellFormed) {
  int b_per = MakeLabel(0, kB), l_per = MakeLabel(0, kL), i_loc = MakeLabel(1, kI), u_org = MakeLabel(2, kU);
  EXPECT_TRUE(AllowedTransition(-1, b_per));
  EXPECT_FALSE(AllowedTransition(-1, l_per));
  EXPECT_TRUE(AllowedTransition(b_per, l_per));
  EXPECT_FALSE(AllowedTransition(b_per, i_loc));
  EXPECT_FALSE(AllowedTransition(b_per, 0));
  EXPECT_TRUE(AllowedTransition(l_per, u_org));
  EXPECT_FALSE(AllowedEnd(b_per));
  EXPECT_EQ(LabelName(u_org), "U-ORG");
}

TEST(ViterbiTest, NeverProducesIllFormedSequences) {
  // Emissions that prefer B-PER everywhere: the decoder must still close every entity.
  const size_t n = 5;
  std::vector<float> emit(n * kNumLabels, 0.0f), trans(kTransSize, 0.0f), score;
  std::vector<uint8_t> back, out(n);
  for (size_t i = 0; i < n; ++i) emit[i * kNumLabels + MakeLabel(0, kB)] = 5.0f;
  Viterbi(emit.data(), n, trans.data(), out.data(), score, back);
  int prev = -1;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_TRUE(AllowedTransition(prev, out[i])) << i;
    prev = out[i];
  }
  EXPECT_TRUE(AllowedEnd(prev));
}

// The best well-formed sequence by exhaustive search over every sequence (17^n), scored in the
// decoder's order of additions, against the vectorised decoder on random scores.
TEST(ViterbiTest, FindsTheBestWellFormedSequenceOnRandomScores) {
  std::mt19937 rng(11);
  std::normal_distribution<float> weight(0.0f, 2.0f);
  std::vector<float> score;
  std::vector<uint8_t> back;
  for (int round = 0; round < 60; ++round) {
    const size_t n = 1 + round % 4;
    std::vector<float> emit(n * kNumLabels), trans(kTransSize);
    for (float& e : emit) e = weight(rng);
    for (float& t : trans) t = weight(rng);
    std::vector<uint8_t> out(n);
    Viterbi(emit.data(), n, trans.data(), out.data(), score, back);
    std::vector<int> seq(n, 0), best_seq;
    float best = -std::numeric_limits<float>::infinity();
    for (;;) {
      bool ok = AllowedEnd(seq[n - 1]);
      float s = 0;
      for (size_t i = 0; i < n && ok; ++i) {
        int p = i == 0 ? -1 : seq[i - 1];
        ok = AllowedTransition(p, seq[i]);
        s += trans[(p < 0 ? kNumLabels : p) * kNumLabels + seq[i]] + emit[i * kNumLabels + seq[i]];
      }
      if (ok && s > best) best = s, best_seq = seq;
      size_t k = 0;
      while (k < n && ++seq[k] == kNumLabels) seq[k++] = 0;
      if (k == n) break;
    }
    float got = 0;
    for (size_t i = 0; i < n; ++i) {
      int p = i == 0 ? -1 : out[i - 1];
      ASSERT_TRUE(AllowedTransition(p, out[i])) << "round " << round;
      got += trans[(p < 0 ? kNumLabels : p) * kNumLabels + out[i]] + emit[i * kNumLabels + out[i]];
    }
    ASSERT_TRUE(AllowedEnd(out[n - 1]));
    EXPECT_NEAR(got, best, 1e-3f) << "round " << round << ": not the best sequence";
    std::vector<uint8_t> portable(n);
    internal::ViterbiPortable(emit.data(), n, trans.data(), portable.data(), score, back);
    EXPECT_EQ(portable, out) << "round " << round << ": the vector widths disagree";
  }
}

// The BILOU-shaped kernel Viterbi uses on AVX2 against the generic one (every label pair tried), on
// random scores, long sentences and ties: the same labels, always.
TEST(ViterbiTest, BilouKernelMatchesTheGenericOne) {
  std::mt19937 rng(20261202);
  std::normal_distribution<float> weight(0.0f, 3.0f);
  std::vector<float> score;
  std::vector<uint8_t> back;
  for (int round = 0; round < 400; ++round) {
    const size_t n = 1 + (round * 7) % 90;
    std::vector<float> emit(n * kNumLabels), trans(kTransSize);
    for (float& e : emit) e = weight(rng);
    for (float& t : trans) t = weight(rng);
    if (round % 5 == 0) {  // ties: scores from a few values only
      for (float& e : emit) e = std::round(e);
      for (float& t : trans) t = std::round(t / 2);
    }
    if (round % 7 == 0)  // a trained model's extremes: large transition penalties
      for (float& t : trans) t *= 40.0f;
    std::vector<uint8_t> got(n), want(n);
    Viterbi(emit.data(), n, trans.data(), got.data(), score, back);
    internal::ViterbiGeneric(emit.data(), n, trans.data(), want.data(), score, back);
    ASSERT_EQ(got, want) << "round " << round << ", " << n << " tokens";
  }
}

TEST(MentionsTest, FromLabels) {
  std::vector<uint8_t> labels = {0, static_cast<uint8_t>(MakeLabel(0, kB)), static_cast<uint8_t>(MakeLabel(0, kL)),
                                 static_cast<uint8_t>(MakeLabel(1, kU)), 0};
  std::vector<docanalysis_token> tokens(labels.size(), docanalysis_token{0, 1, 0, 0});
  std::vector<Mention> m = MentionsFromLabels(labels.data(), labels.size(), tokens.data());
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].token_begin, 1u);
  EXPECT_EQ(m[0].token_end, 3u);
  EXPECT_EQ(m[0].type, 0);
  EXPECT_EQ(m[1].token_begin, 3u);
  EXPECT_EQ(m[1].type, 1);
}

// Unique per process: ctest runs the tests of this file in parallel processes.
std::string WriteTemp(const std::string& name, const std::string& bytes) {
  std::string path = ::testing::TempDir() + "/" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// A small CoNLL corpus, written by the test itself.
const char kConll[] =
    "-DOCSTART- -X- O O\n\n"
    "Peter NNP I-NP I-PER\nSmith NNP I-NP I-PER\nvisited VBD I-VP O\nParis NNP I-NP I-LOC\n. . O O\n\n"
    "Acme NNP I-NP I-ORG\nCorp NNP I-NP I-ORG\nhired VBD I-VP O\nAnna NNP I-NP I-PER\n. . O O\n\n"
    "-DOCSTART- -X- O O\n\n"
    "Anna NNP I-NP I-PER\nflew VBD I-VP O\nto TO I-PP O\nBerlin NNP I-NP I-LOC\nand CC O O\n"
    "Rome NNP I-NP B-LOC\n. . O O\n\n";

TEST(ConllTest, ReadsDocumentsSpansAndAligns) {
  std::vector<ConllDoc> docs = ReadConll(WriteTemp("tiny.conll", kConll));
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].text, "Peter Smith visited Paris .\nAcme Corp hired Anna .\n");
  ASSERT_EQ(docs[0].spans.size(), 4u);
  EXPECT_EQ(docs[0].text.substr(docs[0].spans[0].begin, docs[0].spans[0].end - docs[0].spans[0].begin),
            "Peter Smith");
  Segmented seg = WhitespaceSegment(docs[0].text);
  std::vector<uint8_t> labels;
  EXPECT_EQ(AlignGold(seg.tokens, docs[0].spans, &labels), 0u);
  EXPECT_EQ(labels[0], MakeLabel(0, kB));
  EXPECT_EQ(labels[1], MakeLabel(0, kL));
  EXPECT_EQ(labels[3], MakeLabel(1, kU));
  EXPECT_THROW(ReadConll("/nonexistent/file.conll"), std::runtime_error);
}

TEST(ScoresTest, ComputesConllevalF1) {
  Scores s;
  s.Add({{0, 5, 0}, {6, 9, 1}, {10, 12, 2}}, {{0, 5, 0}, {6, 9, 2}, {20, 25, 3}});
  EXPECT_EQ(s.tp[0], 1);
  EXPECT_EQ(s.fp[1], 1);
  EXPECT_EQ(s.fn[2], 1);
  EXPECT_EQ(s.fn[3], 1);
  EXPECT_NEAR(s.F1(-1), 200.0 * 1 / (2 * 1 + 2 + 2), 1e-9);
}

std::string TrainTiny() {
  std::vector<ConllDoc> docs = ReadConll(WriteTemp("tiny2.conll", kConll));
  Model model;
  model.gazetteer().Add({"paris"}, 0);
  FeatureExtractor fx(&model.gazetteer(), false, &model.clusters());
  std::vector<TrainDoc> train(docs.size());
  std::vector<const TrainDoc*> ptrs;
  for (size_t d = 0; d < docs.size(); ++d) {
    Segmented seg = WhitespaceSegment(docs[d].text);
    DocView v = ViewOf(docs[d].text, seg);
    train[d].segments = SegmentsOf(v);
    fx.Extract(v, train[d].segments, nullptr, &train[d].features);
    AlignGold(seg.tokens, docs[d].spans, &train[d].gold);
    ptrs.push_back(&train[d]);
  }
  TrainOptions opts;
  opts.epochs = 5;
  model.stage1() = TrainStage(ptrs, opts, nullptr, nullptr);
  model.set_description("tiny");
  return model.Serialize();
}

TEST(ModelTest, TrainingIsDeterministicAndLearnsItsData) {
  std::string a = TrainTiny(), b = TrainTiny();
  EXPECT_EQ(a, b);
  std::string error;
  std::unique_ptr<Model> m = Model::Parse(a, &error);
  ASSERT_NE(m, nullptr) << error;
  EXPECT_EQ(m->description(), "tiny");
  std::string text = "Peter Smith visited Paris .\n";
  Segmented seg = WhitespaceSegment(text);
  std::vector<Mention> mentions;
  m->Tag(ViewOf(text, seg), &mentions);
  ASSERT_EQ(mentions.size(), 2u);
  EXPECT_EQ(mentions[0].type, 0);
  EXPECT_EQ(mentions[0].token_end - mentions[0].token_begin, 2u);
  EXPECT_EQ(mentions[1].type, 1);
  EXPECT_GT(mentions[0].confidence, 0.0f);
  EXPECT_LE(mentions[0].confidence, 1.0f);
}

// The shipped model (format 3: gazetteer, word clusters, two regimes) reads and writes back to the
// same bytes: every section round-trips and is written in a reproducible order.
TEST(ModelTest, ShippedModelRoundTripsToTheSameBytes) {
  std::ifstream in(DOCANALYSIS_ENTITY_MODEL_PATH, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string error;
  std::unique_ptr<Model> m = Model::Parse(bytes, &error, /*compact=*/false);
  ASSERT_NE(m, nullptr) << error;
  EXPECT_GT(m->clusters().size(), 300000u);
  EXPECT_TRUE(m->Serialize() == bytes);
}

TEST(ModelTest, RejectsCorruptTruncatedAndMissingFiles) {
  std::string bytes = TrainTiny();
  std::string error;
  std::string corrupt = bytes;
  corrupt[corrupt.size() / 2] ^= 0x5a;
  EXPECT_EQ(Model::Parse(corrupt, &error), nullptr);
  EXPECT_NE(error.find("checksum"), std::string::npos) << error;
  EXPECT_EQ(Model::Parse(bytes.substr(0, bytes.size() - 100), &error), nullptr);
  EXPECT_EQ(Model::Parse("not a model at all", &error), nullptr);
  EXPECT_NE(error.find("magic"), std::string::npos) << error;
  EXPECT_EQ(Model::Parse("", &error), nullptr);
  try {
    Model::Load("/nonexistent/ner.model");
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ner.model"), std::string::npos);
  }
  EXPECT_THROW(Model::Load(WriteTemp("corrupt.model", corrupt)), std::runtime_error);
}

TEST(ModelTest, LongDocumentsAreTaggedInChunks) {
  std::string bytes = TrainTiny();
  std::string error;
  std::unique_ptr<Model> m = Model::Parse(bytes, &error);
  ASSERT_NE(m, nullptr);
  std::string text;
  const size_t kSentences = Model::kMaxChunkTokens / 5 + 100;  // > one chunk
  for (size_t i = 0; i < kSentences; ++i) text += "Peter Smith visited Paris .\n";
  Segmented seg = WhitespaceSegment(text);
  std::vector<Mention> mentions;
  m->Tag(ViewOf(text, seg), &mentions);
  ASSERT_EQ(mentions.size(), 2 * kSentences);
  EXPECT_EQ(mentions.back().token_end, seg.tokens.size() - 1);
  // Cancellation is polled between chunks.
  std::vector<Mention> partial;
  int polls = 0;
  EXPECT_FALSE(m->Tag(ViewOf(text, seg), &partial, [&polls] { return ++polls > 1; }));
  EXPECT_LT(partial.size(), mentions.size());
  EXPECT_GT(partial.size(), 0u);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The serving path (compact tables, word-type scores cached across calls) must tag exactly as the
// full scoring the trainer uses, in both casing regimes, and on repeated calls (warm cache).
TEST(ModelTest, CachedServingPathMatchesFullScoring) {
  std::string bytes = ReadFile(DOCANALYSIS_ENTITY_MODEL_PATH);
  std::string error;
  std::unique_ptr<Model> full = Model::Parse(bytes, &error, /*compact=*/false);
  ASSERT_NE(full, nullptr) << error;
  std::unique_ptr<Model> fast = Model::Parse(bytes, &error);
  ASSERT_NE(fast, nullptr) << error;
  ASSERT_TRUE(fast->has_caseless());
  const std::string texts[] = {
      "German Chancellor Helmut Kohl met Boris Yeltsin in Moscow on Tuesday .\n"
      "Kohl said the European Union would help Russia , Reuters reported .\n",
      "barack obama flew to paris with the new york times team .\nobama met angela merkel .\n",
      "MANCHESTER UNITED BEAT ARSENAL IN LONDON .\nALEX FERGUSON PRAISED ERIC CANTONA .\n",
  };
  for (int round = 0; round < 2; ++round) {
    for (const std::string& text : texts) {
      Segmented seg = WhitespaceSegment(text);
      std::vector<Mention> a, b;
      full->Tag(ViewOf(text, seg), &a);
      fast->Tag(ViewOf(text, seg), &b);
      ASSERT_EQ(a.size(), b.size()) << text;
      EXPECT_GT(a.size(), 2u) << text;
      for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].begin, b[i].begin);
        EXPECT_EQ(a[i].end, b[i].end);
        EXPECT_EQ(a[i].type, b[i].type);
        EXPECT_NEAR(a[i].confidence, b[i].confidence, 1e-3);
      }
    }
  }
}

TEST(ModelTest, DetectsCasingOfDocumentsAndSentences) {
  auto casing = [](const std::string& text) {
    Segmented seg = WhitespaceSegment(text);
    return DetectCasing(ViewOf(text, seg), 0, seg.tokens.size());
  };
  EXPECT_EQ(casing("the quick brown fox in london"), Casing::kLower);
  EXPECT_EQ(casing("THE QUICK BROWN FOX IN LONDON"), Casing::kUpper);
  EXPECT_EQ(casing("The quick brown fox in London"), Casing::kMixed);
  EXPECT_EQ(casing("i met a man in paris 1996"), Casing::kLower);  // "i" alone is no capital
  EXPECT_EQ(casing("ok go"), Casing::kMixed);                       // too few words to judge
  EXPECT_EQ(casing("NATO and the UN"), Casing::kMixed);
  EXPECT_EQ(casing("omg @TaylorSwift13 is playing in london #TSwift"), Casing::kLower);  // handles, hashtags
  // Headline title case: capitals everywhere but on short function words.
  EXPECT_EQ(casing("Microsoft CEO Satya Nadella Visits India, Meets Prime Minister Modi"), Casing::kTitle);
  EXPECT_EQ(casing("Leeds Beat Arsenal in the Cup Final"), Casing::kTitle);
  EXPECT_EQ(casing("Leeds beat Arsenal in the Cup Final"), Casing::kMixed);  // "beat" is no function word
  EXPECT_EQ(casing("eBay Opens New Store"), Casing::kMixed);                // mixed-case word
}

TEST(ModelTest, HandlesAndHashtagsAreNotMentions) {
  std::unique_ptr<Model> m = Model::Load(DOCANALYSIS_ENTITY_MODEL_PATH);
  ASSERT_NE(m, nullptr);
  const std::string text = "Elon Musk says Tesla will open a factory in Indonesia #Tesla #EV @ElonMusk";
  Segmented seg = WhitespaceSegment(text);
  std::vector<Mention> out;
  m->Tag(ViewOf(text, seg), &out);
  std::vector<std::string> names;
  for (const Mention& x : out) names.push_back(text.substr(x.begin, x.end - x.begin));
  EXPECT_EQ(names, (std::vector<std::string>{"Elon Musk", "Tesla", "Indonesia"}));
}

// A document written wholly in title case is read by the caseless weights (its capitals carry no
// evidence); with the switch off, by the cased ones.
TEST(ModelTest, TitleCaseDocumentUsesCaselessWeights) {
  std::unique_ptr<Model> m = Model::Load(DOCANALYSIS_ENTITY_MODEL_PATH);
  ASSERT_NE(m, nullptr);
  ASSERT_TRUE(m->has_caseless());
  const std::string text = "Ryanair Cancels Flights From Dublin as Strike Spreads to Spain and Italy";
  Segmented seg = WhitespaceSegment(text);
  std::vector<Mention> served, lowered, cased;
  m->Tag(ViewOf(text, seg), &served);
  std::string low = Lower(text);
  std::vector<uint8_t> labels;
  m->TagLabels(ViewOf(low, seg), Regime::kCaseless, &labels, &lowered);
  ASSERT_EQ(served.size(), lowered.size());
  for (size_t i = 0; i < served.size(); ++i) {
    EXPECT_EQ(served[i].begin, lowered[i].begin);
    EXPECT_EQ(served[i].type, lowered[i].type);
  }
  m->set_title_case_caseless(false);
  m->Tag(ViewOf(text, seg), &cased);
  std::vector<Mention> direct;
  m->TagLabels(ViewOf(text, seg), Regime::kCased, &labels, &direct);
  ASSERT_EQ(cased.size(), direct.size());
  for (size_t i = 0; i < cased.size(); ++i) EXPECT_EQ(cased[i].confidence, direct[i].confidence);
}

// A lower-case sentence inside a mixed-case document is read by the caseless weights; the other
// sentences keep the cased weights' mentions.
TEST(ModelTest, LowerCaseSentenceInMixedDocumentUsesCaselessWeights) {
  std::unique_ptr<Model> m = Model::Load(DOCANALYSIS_ENTITY_MODEL_PATH);
  const std::string text =
      "German Chancellor Helmut Kohl met Boris Yeltsin in Moscow on Tuesday .\n"
      "later kohl flew to paris to meet jacques chirac at the elysee palace .\n";
  Segmented seg = WhitespaceSegment(text);
  std::vector<Mention> on, off;
  m->Tag(ViewOf(text, seg), &on);
  m->set_per_sentence_casing(false);
  m->Tag(ViewOf(text, seg), &off);
  auto found = [&text](const std::vector<Mention>& ms, const std::string& name) {
    for (const Mention& x : ms)
      if (text.substr(x.begin, x.end - x.begin) == name) return true;
    return false;
  };
  EXPECT_TRUE(found(on, "Helmut Kohl"));
  EXPECT_TRUE(found(on, "paris"));
  EXPECT_TRUE(found(on, "jacques chirac"));
  EXPECT_GT(on.size(), off.size());
}

}  // namespace
}  // namespace docanalysis::entity
