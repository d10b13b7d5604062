#include "ner_features.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "conll.h"
#include "gazetteer.h"
#include "gtest/gtest.h"
#include "text_util.h"
#include "word_clusters.h"

namespace docanalysis::entity {
namespace {

TEST(TextUtilTest, LowerHandlesAsciiAndLatin1) {
  EXPECT_EQ(Lower("NATO Summit"), "nato summit");
  EXPECT_EQ(Lower("\xC3\x89" "COLE"), "\xC3\xA9" "cole");  // ÉCOLE -> école
  EXPECT_EQ(Lower("\xD0\x9C\xD0\xBE"), "\xD0\x9C\xD0\xBE");  // Cyrillic bytes are kept
}

TEST(TextUtilTest, ClassifiesCapitalisation) {
  EXPECT_EQ(ClassifyCaps("house"), CapClass::kLower);
  EXPECT_EQ(ClassifyCaps("House"), CapClass::kInitialCap);
  EXPECT_EQ(ClassifyCaps("NATO"), CapClass::kAllCaps);
  EXPECT_EQ(ClassifyCaps("U.S."), CapClass::kAllCaps);
  EXPECT_EQ(ClassifyCaps("A"), CapClass::kMixed);
  EXPECT_EQ(ClassifyCaps("1996"), CapClass::kNoLetters);
  EXPECT_EQ(ClassifyCaps("\xE4\xB8\xAD\xE5\x9B\xBD"), CapClass::kMixed);  // 中国: letters, no case
}

TEST(TextUtilTest, Shapes) {
  std::string s;
  AppendShape("McDonald's", 12, s);
  EXPECT_EQ(s, "XxXxxxxx'x");
  s.clear();
  AppendShortShape("McDonald's", 12, s);
  EXPECT_EQ(s, "XxXx'x");
  s.clear();
  AppendShape(std::string(10000, 'a'), 12, s);
  EXPECT_EQ(s.size(), 12u);
}

TEST(TextUtilTest, HashIsStable) {
  // Feature hashes are stored in model files: the function must never change.
  EXPECT_EQ(HashBytes("Reuters"), HashBytes(std::string("Reuters")));
  EXPECT_NE(HashBytes("a"), HashBytes("b"));
  EXPECT_EQ(HashBytes(""), Mix64(0xcbf29ce484222325ULL));
}

TEST(GazetteerTest, MatchesLongestPhrasePerCategory) {
  Gazetteer g;
  g.Add({"new", "york"}, 0);
  g.Add({"york"}, 0);
  g.Add({"new", "york", "city"}, 1);
  std::vector<uint64_t> keys;
  for (const char* w : {"in", "new", "york", "city", "today"}) keys.push_back(Gazetteer::TokenKey(w));
  std::vector<uint32_t> bits(keys.size(), 0);
  g.Match(keys.data(), keys.size(), bits.data());
  EXPECT_EQ(bits[0], 0u);
  EXPECT_TRUE(bits[1] & (1u << (0 * 4 + Gazetteer::kBegin)));
  EXPECT_TRUE(bits[2] & (1u << (0 * 4 + Gazetteer::kLast)));
  EXPECT_TRUE(bits[2] & (1u << (0 * 4 + Gazetteer::kUnit)));  // "york" alone also matches
  EXPECT_TRUE(bits[1] & (1u << (1 * 4 + Gazetteer::kBegin)));
  EXPECT_TRUE(bits[2] & (1u << (1 * 4 + Gazetteer::kInside)));
  EXPECT_TRUE(bits[3] & (1u << (1 * 4 + Gazetteer::kLast)));
  EXPECT_EQ(bits[4], 0u);
  EXPECT_EQ(g.size(), 3u);
}

TEST(GazetteerTest, RoundTripsThroughBytes) {
  Gazetteer g;
  g.set_category_names({"LOC", "PER"});
  g.Add({"niger"}, 0);
  g.Add({"kathleen"}, 1);
  BinaryWriter w;
  g.Write(w);
  Gazetteer h;
  BinaryReader r(w.data());
  ASSERT_TRUE(h.Read(r));
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.category_names(), g.category_names());
  uint64_t key = Gazetteer::TokenKey("kathleen");
  uint32_t bits = 0;
  h.Match(&key, 1, &bits);
  EXPECT_EQ(bits, 1u << (1 * 4 + Gazetteer::kUnit));
  BinaryReader truncated(std::string_view(w.data()).substr(0, w.data().size() - 3));
  EXPECT_FALSE(Gazetteer().Read(truncated));
}

TEST(SegmentsTest, CoversTokensOutsideSentences) {
  std::vector<docanalysis_token> tokens(5, docanalysis_token{0, 1, 0, 0});
  std::vector<docanalysis_sentence> sentences = {{0, 1, 1, 3, 0}};
  DocView v;
  v.tokens = tokens.data();
  v.token_count = tokens.size();
  v.sentences = sentences.data();
  v.sentence_count = sentences.size();
  std::vector<Segment> s = SegmentsOf(v);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].begin, 0u);
  EXPECT_EQ(s[0].end, 1u);
  EXPECT_EQ(s[1].begin, 1u);
  EXPECT_EQ(s[1].end, 3u);
  EXPECT_EQ(s[2].begin, 3u);
  EXPECT_EQ(s[2].end, 5u);
  // Out-of-range sentences from a buggy host are clamped, not trusted.
  sentences = {{0, 1, 4, 99, 0}};
  s = SegmentsOf(v);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].end, 5u);
}

TEST(SplitPossessivesTest, SplitsApostropheS) {
  std::string text = "The CNSP's view and Clinton\xE2\x80\x99s plan, it's";
  Segmented seg = WhitespaceSegment(text);
  std::vector<docanalysis_token> tokens;
  std::vector<docanalysis_sentence> sentences;
  ASSERT_TRUE(SplitPossessives(ViewOf(text, seg), &tokens, &sentences));
  std::vector<std::string> words;
  for (const auto& t : tokens) words.push_back(text.substr(t.begin, t.end - t.begin));
  std::vector<std::string> want = {"The", "CNSP", "'s", "view", "and", "Clinton", "\xE2\x80\x99s", "plan,", "it", "'s"};
  EXPECT_EQ(words, want);
  ASSERT_EQ(sentences.size(), 1u);
  EXPECT_EQ(sentences[0].token_end, tokens.size());
  std::string plain = "No possessives here";
  Segmented s2 = WhitespaceSegment(plain);
  EXPECT_FALSE(SplitPossessives(ViewOf(plain, s2), &tokens, &sentences));
}

TEST(FeatureExtractorTest, DeterministicAndDocumentAware) {
  std::string text = "Clinton met Blair in Anglo-Dutch talks .\nCLINTON SAYS YES\n";
  Segmented seg = WhitespaceSegment(text);
  DocView v = ViewOf(text, seg);
  std::vector<Segment> segments = SegmentsOf(v);
  Gazetteer g;
  g.Add({"blair"}, 1);
  FeatureExtractor fx(&g);
  FeatureMatrix a, b;
  fx.Extract(v, segments, nullptr, &a);
  fx.Extract(v, segments, nullptr, &b);
  EXPECT_EQ(a.keys, b.keys);
  ASSERT_EQ(a.token_count(), seg.tokens.size());
  // "CLINTON" in the all-caps line shares its lowercased-word feature with "Clinton".
  auto has = [&](size_t tok, uint64_t key) {
    for (uint32_t k = a.offsets[tok]; k < a.offsets[tok + 1]; ++k)
      if (a.keys[k] == key) return true;
    return false;
  };
  size_t shared = 0;
  for (uint32_t k = a.offsets[0]; k < a.offsets[1]; ++k) shared += has(4, a.keys[k]);
  EXPECT_GT(shared, 1u);
  // Second-stage features add keys.
  std::vector<uint8_t> labels(seg.tokens.size(), 0);
  FeatureMatrix c;
  fx.Extract(v, segments, labels.data(), &c);
  EXPECT_GT(c.keys.size(), a.keys.size());
  // The serving shortcut (reusing the first-stage features) gives exactly the same keys.
  FeatureMatrix d;
  fx.Extract(v, segments, labels.data(), &d, &a);
  EXPECT_EQ(d.keys, c.keys);
  EXPECT_EQ(d.offsets, c.offsets);
}

TEST(WordClustersTest, FindsByLowerCasedWordAndRoundTrips) {
  WordClusters c;
  EXPECT_EQ(c.Find(Gazetteer::TokenKey("nakuru")), 0u);
  ASSERT_TRUE(c.Add("nakuru", 7, 3, 2));
  ASSERT_TRUE(c.Add("eldoret", 7, 3, 2));
  EXPECT_FALSE(c.Add("x", 0, 1, 1));                            // ids are 1-based
  EXPECT_FALSE(c.Add("x", WordClusters::kMaxFine + 1, 1, 1));  // out of range
  uint32_t v = c.Find(Gazetteer::TokenKey("nakuru"));
  EXPECT_EQ(WordClusters::Fine(v), 7u);
  EXPECT_EQ(WordClusters::Mid(v), 3u);
  EXPECT_EQ(WordClusters::Coarse(v), 2u);
  EXPECT_EQ(c.Find(Gazetteer::TokenKey("unknown")), 0u);
  BinaryWriter w;
  c.Write(w);
  WordClusters d;
  BinaryReader r(w.data());
  ASSERT_TRUE(d.Read(r));
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(d.Find(Gazetteer::TokenKey("eldoret")), v);
  BinaryReader truncated(std::string_view(w.data()).substr(0, w.data().size() - 3));
  EXPECT_FALSE(d.Read(truncated));
}

TEST(FeatureExtractorTest, WordsOfOneClusterShareClusterFeatures) {
  // "Nakuru" and "Eldoret" are in one cluster: they share keys the unclustered extractor lacks, and
  // an unknown word gets the cluster keys of id 0 (not those of its neighbours' cluster).
  std::string text = "He flew to Nakuru .\nHe flew to Eldoret .\nHe flew to Zzyzx .\n";
  Segmented seg = WhitespaceSegment(text);
  DocView v = ViewOf(text, seg);
  std::vector<Segment> segments = SegmentsOf(v);
  Gazetteer g;
  WordClusters c;
  ASSERT_TRUE(c.Add("nakuru", 7, 3, 2));
  ASSERT_TRUE(c.Add("eldoret", 7, 3, 2));
  FeatureMatrix plain, clustered;
  FeatureExtractor(&g).Extract(v, segments, nullptr, &plain);
  FeatureExtractor(&g, false, &c).Extract(v, segments, nullptr, &clustered);
  auto keys_of = [](const FeatureMatrix& m, size_t tok) {
    return std::vector<uint64_t>(m.keys.begin() + m.offsets[tok], m.keys.begin() + m.offsets[tok + 1]);
  };
  auto shared = [](std::vector<uint64_t> a, std::vector<uint64_t> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    std::vector<uint64_t> out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out.size();
  };
  const size_t nakuru = 3, eldoret = 8, zzyzx = 13;
  EXPECT_GT(clustered.keys.size(), plain.keys.size());
  EXPECT_GE(shared(keys_of(clustered, nakuru), keys_of(clustered, eldoret)),
            shared(keys_of(plain, nakuru), keys_of(plain, eldoret)) + 4);
  EXPECT_LT(shared(keys_of(clustered, nakuru), keys_of(clustered, zzyzx)),
            shared(keys_of(clustered, nakuru), keys_of(clustered, eldoret)));
  // The word-type keys agree with what the serving path caches per word.
  TokenInfo t;
  std::string scratch;
  FillTokenInfo("Nakuru", t, scratch);
  WordTypeKeys without, with;
  WordTypeKeysOf(t, &without, false);
  t.cluster = c.Find(t.lower);
  WordTypeKeysOf(t, &with, true);
  EXPECT_EQ(with.begin[WordTypeKeys::kKinds], without.begin[WordTypeKeys::kKinds] + 10);
}

}  // namespace
}  // namespace docanalysis::entity
