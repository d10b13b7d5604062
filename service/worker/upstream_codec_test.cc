#include "service/worker/upstream_codec.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "service/core/upstream_view.h"

namespace docanalysis::worker {
namespace {

std::string_view V(docanalysis_str s) { return std::string_view(s.data, s.size); }

// A view with every kind of result, built by the server's own UpstreamView.
struct Sample {
  std::string text = "Kurt Campbell met Ann. Campbell's plan was good.";
  ResultCollector entity, other;
  std::unique_ptr<UpstreamView> view;
  Sample() {
    for (ResultCollector* c : {&entity, &other}) c->text = text, c->sentence_count = 2;
    entity.mentions.push_back({0, 13, DOCANALYSIS_ENTITY_PERSON, 0.8f, ""});
    entity.mentions.push_back({23, 33, DOCANALYSIS_ENTITY_PERSON, 0.9f, ""});
    v1::Sentiment s;
    s.set_score(0.5f);
    s.set_magnitude(1.0f);
    other.sentence_sentiments.emplace_back(1, s);
    other.document_sentiment = s;
    other.summary.emplace_back(1, 2.0f);
    other.annotations.push_back({"plan", 34, 38, 1.0f, {{"k", "v"}, {"k2", ""}}});
    other.labels.push_back({"language", "en", 0.9f});
    view = std::make_unique<UpstreamView>(text, std::vector<std::pair<std::string, const ResultCollector*>>{
                                                    {"entity", &entity}, {"other", &other}});
  }
};

TEST(UpstreamCodec, RoundTripsEveryKindOfResult) {
  Sample sample;
  const docanalysis_upstream& in = *sample.view->view();
  std::string bytes;
  EncodeUpstream(in, &bytes);
  DecodedUpstream decoded;
  ASSERT_TRUE(decoded.Decode(bytes));
  const docanalysis_upstream& out = *decoded.view();
  ASSERT_EQ(out.mention_count, in.mention_count);
  for (size_t i = 0; i < in.mention_count; ++i) {
    EXPECT_EQ(out.mentions[i].begin, in.mentions[i].begin);
    EXPECT_EQ(out.mentions[i].end, in.mentions[i].end);
    EXPECT_EQ(out.mentions[i].type, in.mentions[i].type);
    EXPECT_FLOAT_EQ(out.mentions[i].confidence, in.mentions[i].confidence);
    EXPECT_EQ(V(out.mentions[i].canonical), V(in.mentions[i].canonical));
    EXPECT_EQ(V(out.mentions[i].plugin), V(in.mentions[i].plugin));
  }
  EXPECT_EQ(V(out.mentions[1].canonical), "Kurt Campbell");
  ASSERT_EQ(out.sentence_sentiment_count, 1u);
  EXPECT_EQ(out.sentence_sentiments[0].sentence_index, 1u);
  EXPECT_FLOAT_EQ(out.sentence_sentiments[0].magnitude, 1.0f);
  EXPECT_TRUE(out.has_document_sentiment);
  EXPECT_FLOAT_EQ(out.document_sentiment.score, 0.5f);
  ASSERT_EQ(out.summary_count, 1u);
  EXPECT_FLOAT_EQ(out.summary[0].score, 2.0f);
  ASSERT_EQ(out.annotation_count, 1u);
  EXPECT_EQ(V(out.annotations[0].plugin), "other");
  EXPECT_EQ(out.annotations[0].begin, 34u);
  ASSERT_EQ(out.annotations[0].attribute_count, 2u);
  EXPECT_EQ(V(out.annotations[0].attributes[0].key), "k");
  EXPECT_EQ(V(out.annotations[0].attributes[1].value), "");
  ASSERT_EQ(out.label_count, 1u);
  EXPECT_EQ(V(out.labels[0].name), "language");
  EXPECT_EQ(V(out.labels[0].value), "en");
}

TEST(UpstreamCodec, EmptyViewRoundTrips) {
  docanalysis_upstream empty{};
  std::string bytes;
  EncodeUpstream(empty, &bytes);
  DecodedUpstream decoded;
  ASSERT_TRUE(decoded.Decode(bytes));
  EXPECT_EQ(decoded.view()->mention_count, 0u);
  EXPECT_FALSE(decoded.view()->has_document_sentiment);
}

TEST(UpstreamCodec, RefusesEveryTruncationAndTrailingBytes) {
  Sample sample;
  std::string bytes;
  EncodeUpstream(*sample.view->view(), &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    DecodedUpstream decoded;
    EXPECT_FALSE(decoded.Decode(std::string_view(bytes).substr(0, n))) << n;
  }
  DecodedUpstream decoded;
  EXPECT_FALSE(decoded.Decode(bytes + "x"));
  // A count far larger than the bytes could hold is refused before anything is allocated.
  std::string huge(8, '\xff');
  EXPECT_FALSE(decoded.Decode(huge));
}

}  // namespace
}  // namespace docanalysis::worker
