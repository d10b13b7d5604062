#include "service/core/upstream_view.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docanalysis {
namespace {

std::string_view V(docanalysis_str s) { return std::string_view(s.data, s.size); }

TEST(UpstreamView, CopiesEveryKindOfResultWithCanonicalNames) {
  const std::string text = "Kurt Campbell met Ann. Campbell's plan was good.";
  ResultCollector entity;
  entity.text = text;
  entity.sentence_count = 2;
  // Out of order on purpose: the view sorts by position.
  entity.mentions.push_back({23, 33, DOCANALYSIS_ENTITY_PERSON, 0.9f, ""});       // Campbell's
  entity.mentions.push_back({0, 13, DOCANALYSIS_ENTITY_PERSON, 0.8f, ""});        // Kurt Campbell
  entity.mentions.push_back({18, 21, DOCANALYSIS_ENTITY_PERSON, 0.7f, "Ann Lee"});  // Ann
  ResultCollector other;
  other.text = text;
  other.sentence_count = 2;
  other.mentions.push_back({0, 13, DOCANALYSIS_ENTITY_PERSON, 0.5f, ""});  // duplicate
  v1::Sentiment s;
  s.set_score(0.5f);
  s.set_magnitude(1.0f);
  other.sentence_sentiments.emplace_back(1, s);
  other.document_sentiment = s;
  other.summary.emplace_back(1, 2.0f);
  other.annotations.push_back({"plan", 34, 38, 1.0f, {{"k", "v"}}});
  other.labels.push_back({"language", "en", 0.9f});

  UpstreamView up(text, {{"entity", &entity}, {"other", &other}});
  const docanalysis_upstream& u = *up.view();
  ASSERT_EQ(u.mention_count, 3u);
  EXPECT_EQ(u.mentions[0].begin, 0u);
  EXPECT_EQ(V(u.mentions[0].canonical), "Kurt Campbell");
  EXPECT_EQ(V(u.mentions[0].plugin), "entity");
  EXPECT_EQ(V(u.mentions[1].canonical), "Ann Lee");
  EXPECT_EQ(V(u.mentions[2].canonical), "Kurt Campbell");  // surname with a possessive
  ASSERT_EQ(u.sentence_sentiment_count, 1u);
  EXPECT_EQ(u.sentence_sentiments[0].sentence_index, 1u);
  EXPECT_FLOAT_EQ(u.sentence_sentiments[0].score, 0.5f);
  ASSERT_TRUE(u.has_document_sentiment);
  EXPECT_FLOAT_EQ(u.document_sentiment.magnitude, 1.0f);
  ASSERT_EQ(u.summary_count, 1u);
  EXPECT_EQ(u.summary[0].sentence_index, 1u);
  ASSERT_EQ(u.annotation_count, 1u);
  EXPECT_EQ(V(u.annotations[0].plugin), "other");
  EXPECT_EQ(V(u.annotations[0].label), "plan");
  ASSERT_EQ(u.annotations[0].attribute_count, 1u);
  EXPECT_EQ(V(u.annotations[0].attributes[0].value), "v");
  ASSERT_EQ(u.label_count, 1u);
  EXPECT_EQ(V(u.labels[0].value), "en");
}

TEST(UpstreamView, EmptyWhenNothingRan) {
  UpstreamView up("text", {});
  EXPECT_EQ(up.view()->mention_count, 0u);
  EXPECT_FALSE(up.view()->has_document_sentiment);
}

TEST(ProvidesAnyOf, MatchesFeatures) {
  EXPECT_TRUE(ProvidesAnyOf({"entities"}, {"sentiment", "entities"}));
  EXPECT_FALSE(ProvidesAnyOf({"summary"}, {"entities"}));
}

}  // namespace
}  // namespace docanalysis
