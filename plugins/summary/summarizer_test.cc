#include "summarizer.h"

#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/text/segmenter.h"

namespace docanalysis::summary {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

struct SummaryRun {
  std::string text;
  text::Segmentation seg;
  std::vector<Pick> picks;

  std::string Sentence(uint32_t i) const {
    const docanalysis_sentence& s = seg.sentences[i];
    return text.substr(s.begin, s.end - s.begin);
  }
  std::vector<uint32_t> Indices() const {
    std::vector<uint32_t> out;
    for (const Pick& p : picks) out.push_back(p.sentence);
    return out;
  }
};

SummaryRun Summarize(std::string text, const Options& options = Options()) {
  SummaryRun run;
  run.text = std::move(text);
  run.seg = text::Segment(run.text);
  Summarizer summarizer;
  run.picks = summarizer.Summarize(run.text, run.seg.tokens.data(), run.seg.tokens.size(), run.seg.sentences.data(),
                                   run.seg.sentences.size(), options);
  return run;
}

std::vector<Exclusion> Classify(const std::string& text, const Options& options = Options()) {
  text::Segmentation seg = text::Segment(text);
  return ClassifySentences(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(), seg.sentences.size(),
                           options);
}

constexpr char kArticle[] =
    "Storm Floods Coastal Town\n\n"
    "By Jane Roe\n"
    "Updated On\n\n"
    "A powerful storm flooded the coastal town of Marlow on Monday, forcing hundreds of residents to leave "
    "their homes. Emergency crews used boats to rescue families trapped by the rising water near the harbour. "
    "The town council said the flood defences built in 1990 had failed under the pressure of the storm surge. "
    "Forecasters expect more heavy rain across the region until Thursday, and warned of further flooding. "
    "Local schools will stay closed for the rest of the week while engineers inspect the damaged buildings.\n\n"
    "Key Takeaways\n"
    "  \xE2\x80\xA2 Storm floods Marlow, hundreds of residents leave their homes.\n"
    "  \xE2\x80\xA2 Flood defences built in 1990 failed under the storm surge.\n";

TEST(SummarizerTest, PicksProseAndSkipsHeadingsBylinesAndTrailingList) {
  SummaryRun run = Summarize(kArticle);
  ASSERT_THAT(run.picks, SizeIs(3));
  for (const Pick& p : run.picks) {
    std::string s = run.Sentence(p.sentence);
    EXPECT_EQ(s.find("\xE2\x80\xA2"), std::string::npos) << s;
    EXPECT_NE(s, "Key Takeaways");
    EXPECT_NE(s.find('.'), std::string::npos) << s;
  }
  // The lead sentence of the story comes first and the picks are in document order.
  EXPECT_EQ(run.Sentence(run.picks[0].sentence).rfind("A powerful storm", 0), 0u);
  for (size_t i = 1; i < run.picks.size(); ++i) EXPECT_LT(run.picks[i - 1].sentence, run.picks[i].sentence);
}

TEST(SummarizerTest, ClassifiesBoilerplate) {
  std::vector<Exclusion> ex = Classify(kArticle);
  text::Segmentation seg = text::Segment(kArticle);
  std::string text = kArticle;
  ASSERT_EQ(ex.size(), seg.sentences.size());
  int headings = 0, boiler = 0, trailing = 0, prose = 0;
  for (size_t i = 0; i < ex.size(); ++i) {
    std::string s = text.substr(seg.sentences[i].begin, seg.sentences[i].end - seg.sentences[i].begin);
    if (s == "Updated On" || s == "By Jane Roe" || s == "Key Takeaways" || s == "Storm Floods Coastal Town") {
      EXPECT_NE(ex[i], Exclusion::kNone) << s;
    }
    headings += ex[i] == Exclusion::kHeading;
    boiler += ex[i] == Exclusion::kBoilerplate;
    trailing += ex[i] == Exclusion::kTrailingList;
    prose += ex[i] == Exclusion::kNone;
  }
  EXPECT_EQ(trailing, 2);
  EXPECT_EQ(prose, 5);
  EXPECT_GE(headings + boiler, 3);  // title, byline, "Updated On", "Key Takeaways"
}

TEST(SummarizerTest, ShortSentencesAreUsedWhenNothingElseIs) {
  std::string text =
      "Weekly Notes\n\n"
      "Updated On\n"
      "The pump broke. We fixed it fast. Costs were low.\n";
  SummaryRun run = Summarize(text);
  ASSERT_THAT(run.picks, SizeIs(3));
  for (const Pick& p : run.picks) {
    std::string s = run.Sentence(p.sentence);
    EXPECT_NE(s, "Weekly Notes");
    EXPECT_NE(s, "Updated On");
  }
}

TEST(SummarizerTest, LongHeadingsAndPageFurnitureAreNotCandidates) {
  std::string text =
      "Officials and Farmers Discuss the Future of the Northern Water Supply Plan\n\n"
      "Scroll down for video. The plan would move water from the northern lakes to the dry southern farms.\n"
      "Published: 10:02 EST, 3 April 2015 | Updated: 11:40 EST, 3 April 2015.\n"
      "By Jane Roe and John Doe.\n"
      "Farmers in the south say the plan comes too late for this year's harvest.\n";
  std::vector<Exclusion> ex = Classify(text);
  text::Segmentation seg = text::Segment(text);
  ASSERT_EQ(ex.size(), seg.sentences.size());
  int prose = 0;
  for (size_t i = 0; i < ex.size(); ++i) {
    std::string s = text.substr(seg.sentences[i].begin, seg.sentences[i].end - seg.sentences[i].begin);
    if (s.rfind("Officials and Farmers", 0) == 0) {
      EXPECT_EQ(ex[i], Exclusion::kHeading) << s;
    }
    if (s.rfind("Scroll down", 0) == 0 || s.rfind("Published", 0) == 0 || s.rfind("By Jane", 0) == 0) {
      EXPECT_NE(ex[i], Exclusion::kNone) << s;
    }
    prose += ex[i] == Exclusion::kNone;
  }
  EXPECT_EQ(prose, 2);
}

TEST(SummarizerTest, MidDocumentBulletsStayCandidates) {
  std::string text =
      "The committee published three proposals for the new railway line on Friday morning.\n"
      "- The first proposal routes the railway line along the river valley to the port.\n"
      "- The second proposal builds a long tunnel under the hills north of the city.\n"
      "Residents have until June to comment on the proposals before the committee decides.\n";
  std::vector<Exclusion> ex = Classify(text);
  ASSERT_THAT(ex, SizeIs(4));
  EXPECT_THAT(ex, ElementsAre(Exclusion::kNone, Exclusion::kNone, Exclusion::kNone, Exclusion::kNone));
}

TEST(SummarizerTest, EmptyDocumentGivesNoSummary) {
  EXPECT_THAT(Summarize("").picks, IsEmpty());
  EXPECT_THAT(Summarize("   \n\n ").picks, IsEmpty());
}

TEST(SummarizerTest, OneShortSentenceIsStillSummarised) {
  SummaryRun run = Summarize("Hello world.");
  EXPECT_THAT(run.Indices(), ElementsAre(0u));
}

TEST(SummarizerTest, TextWithoutPunctuationGetsASummary) {
  SummaryRun run = Summarize("no capitals and no full stops here just a stream of words about the weather and trains");
  EXPECT_THAT(run.picks, SizeIs(1));
}

TEST(SummarizerTest, DuplicateSentencesArePickedOnce) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += "The central bank raised interest rates again to fight inflation. ";
  text += "Markets fell sharply after the surprise announcement by the governor. ";
  SummaryRun run = Summarize(text);
  std::set<std::string> seen;
  for (const Pick& p : run.picks) EXPECT_TRUE(seen.insert(run.Sentence(p.sentence)).second) << "duplicate pick";
  EXPECT_THAT(run.picks, SizeIs(2));
}

TEST(SummarizerTest, TenThousandSentencesFinishQuickly) {
  std::string text;
  const char* topics[] = {"river", "election", "harbour", "vaccine", "railway", "festival", "budget"};
  for (int i = 0; i < 10000; ++i) {
    text += "Report number " + std::to_string(i) + " covers the " + topics[i % 7] + " and the " + topics[(i * 3) % 7] +
            " in district " + std::to_string(i % 97) + ". ";
  }
  auto start = std::chrono::steady_clock::now();
  SummaryRun run = Summarize(text);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(run.seg.sentences.size(), 10000u);
  EXPECT_THAT(run.picks, SizeIs(3));
  EXPECT_LT(seconds, 5.0);  // generous bound for debug builds; the benchmark measures the real cost

  // The optional graph features stay linear too.
  Options all_on;
  all_on.directed_weight = 0.3;
  all_on.backward_weight = -0.5;
  all_on.topic_weight = 0.2;
  all_on.teleport_decay = 0.5;
  all_on.quotation_penalty = 0.1;
  all_on.overshoot_penalty = 0.1;
  start = std::chrono::steady_clock::now();
  SummaryRun again = Summarize(text, all_on);
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_THAT(again.picks, SizeIs(3));
  EXPECT_LT(seconds, 5.0);
}

// The stems cached from earlier documents (and from other threads' calls) never change a summary:
// one summarizer used for many documents, from two threads at once, picks what a fresh one picks.
TEST(SummarizerTest, StemsCachedAcrossDocumentsAndThreadsChangeNothing) {
  const std::vector<std::string> texts = {
      kArticle,
      "The running runners ran. Runs were run by the runner's team. Running is what runners do. A run a day helps.",
      "Shares fell sharply. The share price of the company's shares fell. Sharp falls were reported by traders.",
  };
  std::vector<std::vector<uint32_t>> fresh;
  for (const std::string& t : texts) fresh.push_back(Summarize(t).Indices());
  Summarizer shared;
  auto run = [&](size_t rounds) {
    for (size_t r = 0; r < rounds; ++r) {
      for (size_t i = 0; i < texts.size(); ++i) {
        const std::string& t = texts[(i + r) % texts.size()];
        text::Segmentation seg = text::Segment(t);
        std::vector<Pick> picks = shared.Summarize(t, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                                   seg.sentences.size(), Options());
        std::vector<uint32_t> got;
        for (const Pick& p : picks) got.push_back(p.sentence);
        EXPECT_EQ(got, fresh[(i + r) % texts.size()]);
      }
    }
  };
  std::thread other(run, 20);
  run(20);
  other.join();
}

TEST(SummarizerTest, OptionsBoundTheSummary) {
  Options one;
  one.max_sentences = 1;
  EXPECT_THAT(Summarize(kArticle, one).picks, SizeIs(1));

  Options none;
  none.max_sentences = 0;
  EXPECT_THAT(Summarize(kArticle, none).picks, IsEmpty());

  Options many;
  many.max_sentences = 10;
  many.target_words = 0;
  EXPECT_THAT(Summarize(kArticle, many).picks, SizeIs(5));  // every prose sentence, none of the list

  Options ratio = many;
  ratio.ratio = 0.4;  // ceil(0.4 * 5) = 2
  EXPECT_THAT(Summarize(kArticle, ratio).picks, SizeIs(2));

  Options words;
  words.max_sentences = 10;
  words.target_words = 10;  // the first pick already has more than 10 words
  EXPECT_THAT(Summarize(kArticle, words).picks, SizeIs(1));
}

TEST(SummarizerTest, PositionPriorCanBeTurnedOff) {
  // The first sentence is off-topic; without the prior, central sentences win.
  std::string text =
      "It was a quiet spring morning when the letter arrived at the small office downtown. "
      "The city approved a new budget for public transport, adding buses and trams. "
      "The transport budget pays for new buses, new trams and longer hours of service. "
      "Critics of the transport budget say buses and trams will still run late. "
      "Officials said the budget for transport will be reviewed next spring.";
  Options with_prior;
  with_prior.max_sentences = 1;
  EXPECT_THAT(Summarize(text, with_prior).Indices(), ElementsAre(0u));
  Options no_prior = with_prior;
  ASSERT_TRUE(SetOption("position_prior", "false", &no_prior));
  EXPECT_EQ(no_prior.position_weight, 0.0);
  std::vector<uint32_t> picked = Summarize(text, no_prior).Indices();
  ASSERT_THAT(picked, SizeIs(1));
  EXPECT_NE(picked[0], 0u);
}

TEST(SummarizerTest, SetOptionParsesAndRejects) {
  Options o;
  EXPECT_TRUE(SetOption("max_sentences", "5", &o));
  EXPECT_EQ(o.max_sentences, 5);
  EXPECT_TRUE(SetOption("ratio", "0.25", &o));
  EXPECT_DOUBLE_EQ(o.ratio, 0.25);
  EXPECT_TRUE(SetOption("min_sentence_words", "3", &o));
  EXPECT_TRUE(SetOption("max_sentence_words", "60", &o));
  EXPECT_TRUE(SetOption("position_weight", "2", &o));
  EXPECT_DOUBLE_EQ(o.position_weight, 2.0);
  for (const char* key : {"target_words", "overshoot_penalty", "position_decay", "centrality_weight", "topic_weight",
                          "directed_weight", "forward_weight", "backward_weight", "mmr_lambda", "duplicate_cosine",
                          "quote_penalty", "question_penalty", "quotation_penalty", "long_sentence_words",
                          "long_penalty", "damping", "teleport_decay", "max_iterations", "lead_similarity_weight",
                          "centroid_weight", "number_weight", "proper_weight", "length_weight", "dangling_penalty",
                          "said_penalty", "caption_weight", "first_bonus", "second_bonus", "third_bonus"}) {
    Options probe;
    EXPECT_TRUE(SetOption(key, "2", &probe)) << key;
  }
  EXPECT_FALSE(SetOption("max_sentences", "three", &o));
  EXPECT_FALSE(SetOption("max_sentences", "2.5", &o));
  EXPECT_FALSE(SetOption("ratio", "", &o));
  EXPECT_FALSE(SetOption("no_such_option", "1", &o));
  EXPECT_FALSE(SetOption("position_prior", "maybe", &o));
  EXPECT_EQ(o.max_sentences, 5);
}

size_t FeatureIndex(std::string_view name) {
  for (size_t i = 0; i < std::size(kFeatureNames); ++i)
    if (name == kFeatureNames[i]) return i;
  ADD_FAILURE() << "no feature " << name;
  return 0;
}

TEST(SummarizerTest, ExplainGivesEachCandidatesFeatures) {
  const std::string text =
      "Officials counted 12 new cases of the illness in the city of Leeds on Monday. "
      "He said that more tests of the water supply would follow next week. "
      "A photo shows the old clinic in Leeds The clinic opened a second ward for patients.";
  text::Segmentation seg = text::Segment(text);
  ASSERT_THAT(seg.sentences, SizeIs(3));
  Summarizer summarizer;
  std::vector<CandidateFeatures> rows = summarizer.Explain(text, seg.tokens.data(), seg.tokens.size(),
                                                           seg.sentences.data(), seg.sentences.size(), Options());
  ASSERT_THAT(rows, SizeIs(3));
  for (size_t c = 0; c < rows.size(); ++c) {
    EXPECT_EQ(rows[c].sentence, c);
    ASSERT_THAT(rows[c].values, SizeIs(std::size(kFeatureNames)));
    EXPECT_DOUBLE_EQ(rows[c].values[FeatureIndex("rank")], static_cast<double>(c));
  }
  EXPECT_DOUBLE_EQ(rows[0].values[FeatureIndex("lead_similarity")], 1.0);
  EXPECT_EQ(rows[0].values[FeatureIndex("number")], 1.0);
  EXPECT_EQ(rows[1].values[FeatureIndex("number")], 0.0);
  EXPECT_EQ(rows[0].values[FeatureIndex("dangling")], 0.0);
  EXPECT_EQ(rows[1].values[FeatureIndex("dangling")], 1.0);  // "He said ..." points outside the sentence
  EXPECT_EQ(rows[1].values[FeatureIndex("said")], 1.0);
  EXPECT_EQ(rows[0].values[FeatureIndex("caption")], 0.0);
  EXPECT_EQ(rows[2].values[FeatureIndex("caption")], 1.0);  // "... in Leeds The clinic ..."
  EXPECT_GT(rows[0].values[FeatureIndex("proper")], 0.0);    // "Leeds"
}

TEST(SummarizerTest, FeatureWeightsMoveThePick) {
  const std::string text =
      "Officials counted 12 new cases of the illness in the city of Leeds on Monday. "
      "He said that more tests of the water supply would follow next week. "
      "A photo shows the old clinic in Leeds The clinic opened a second ward for patients.";
  Options one;
  one.max_sentences = 1;
  EXPECT_THAT(Summarize(text, one).Indices(), ElementsAre(0u));
  Options caption = one;
  caption.caption_weight = 2.0;
  EXPECT_THAT(Summarize(text, caption).Indices(), ElementsAre(2u));
  Options first_off = one;
  first_off.first_bonus = -2.0;
  first_off.dangling_penalty = 1.0;
  EXPECT_THAT(Summarize(text, first_off).Indices(), ElementsAre(2u));
}

TEST(SummarizerTest, MalformedSpansAreIgnored) {
  std::string text = "A sentence that is long enough to be a candidate here. Another sentence follows it now.";
  text::Segmentation seg = text::Segment(text);
  ASSERT_THAT(seg.sentences, SizeIs(2));
  seg.sentences[1].end = static_cast<uint32_t>(text.size() + 100);  // past the text
  seg.sentences[0].token_end = 100000;                               // past the tokens
  Summarizer summarizer;
  std::vector<Pick> picks = summarizer.Summarize(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                                 seg.sentences.size(), Options());
  for (const Pick& p : picks) EXPECT_EQ(p.sentence, 0u);
}

TEST(SummarizerTest, ConcurrentCallsOnOneInstanceAgree) {
  const Summarizer summarizer;
  std::string text = kArticle;
  text::Segmentation seg = text::Segment(text);
  auto run = [&] {
    return summarizer.Summarize(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                seg.sentences.size(), Options());
  };
  std::vector<Pick> expected = run();
  ASSERT_THAT(expected, SizeIs(3));
  std::vector<std::vector<Pick>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) {
    threads.emplace_back([&r, &run] {
      for (int i = 0; i < 50; ++i) r = run();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_EQ(r.size(), expected.size());
    for (size_t i = 0; i < r.size(); ++i) {
      EXPECT_EQ(r[i].sentence, expected[i].sentence);
      EXPECT_FLOAT_EQ(r[i].score, expected[i].score);
    }
  }
}

TEST(SummarizerTest, CancellationStopsEarly) {
  Summarizer summarizer;
  std::string text = kArticle;
  text::Segmentation seg = text::Segment(text);
  std::vector<Pick> picks = summarizer.Summarize(text, seg.tokens.data(), seg.tokens.size(), seg.sentences.data(),
                                                 seg.sentences.size(), Options(), [] { return true; });
  EXPECT_THAT(picks, IsEmpty());
}

// The shared sample article ends with a human-written "Key Takeaways" list: the summary must not
// pick from it, and must cover its main points (most of its content words).
TEST(SummarizerTest, SampleArticleCoversKeyTakeaways) {
  std::ifstream in(std::string(DOCANALYSIS_SAMPLES_DIR) + "/000_ac263380b61652b0.txt");
  if (!in) GTEST_SKIP() << "sample article not found under " << DOCANALYSIS_SAMPLES_DIR;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  size_t list = text.find("Key Takeaways");
  ASSERT_NE(list, std::string::npos);
  SummaryRun run = Summarize(text);
  ASSERT_THAT(run.picks, SizeIs(3));
  std::string summary;
  for (const Pick& p : run.picks) {
    EXPECT_LT(run.seg.sentences[p.sentence].begin, list) << "picked from the takeaways: " << run.Sentence(p.sentence);
    summary += run.Sentence(p.sentence) + " ";
  }
  // Main points of the takeaways, as word stems.
  const char* points[] = {"withdraw", "Russia", "troop", "Niger", "U.S.", "military"};
  for (const char* point : points) EXPECT_NE(summary.find(point), std::string::npos) << point << " in: " << summary;
}

}  // namespace
}  // namespace docanalysis::summary
