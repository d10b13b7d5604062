#include "entity_plugin.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace docanalysis::entity {
namespace {

using testing::ConfigFor;
using testing::RunPlugin;

// The shipped model, from the source tree.
std::string ModelDir() {
  std::string path = DOCANALYSIS_ENTITY_MODEL_PATH;
  return path.substr(0, path.rfind('/'));
}

class EntityPluginTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { plugin_ = new EntityPlugin(ConfigFor(ModelDir(), {})); }
  static void TearDownTestSuite() { delete plugin_; }
  static EntityPlugin* plugin_;
};
EntityPlugin* EntityPluginTest::plugin_ = nullptr;

bool Has(const testing::AnalyzeResult& r, const std::string& text, int32_t type) {
  for (const auto& m : r.mentions)
    if (m.text == text && m.type == type) return true;
  return false;
}

TEST_F(EntityPluginTest, FindsNamedEntitiesWithByteOffsets) {
  std::string text =
      "Foreign Minister Hassoumi Massoudou met U.S. officials in Niamey on Tuesday. "
      "Massoudou said Niger wants the troops out, the Pentagon said. The CNSP's interest is clear.";
  auto r = RunPlugin(*plugin_, text);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(Has(r, "Hassoumi Massoudou", DOCANALYSIS_ENTITY_PERSON));
  EXPECT_TRUE(Has(r, "Niamey", DOCANALYSIS_ENTITY_LOCATION));
  EXPECT_TRUE(Has(r, "Niger", DOCANALYSIS_ENTITY_LOCATION));
  EXPECT_TRUE(Has(r, "Pentagon", DOCANALYSIS_ENTITY_ORGANIZATION));
  EXPECT_TRUE(Has(r, "Tuesday", DOCANALYSIS_ENTITY_DATE));
  EXPECT_TRUE(Has(r, "CNSP", DOCANALYSIS_ENTITY_ORGANIZATION));  // possessive split off
  for (const auto& m : r.mentions) {
    EXPECT_EQ(text.substr(m.begin, m.end - m.begin), m.text);
    EXPECT_GT(m.confidence, 0.0f);
    EXPECT_LE(m.confidence, 1.0f);
  }
  // The surname alone is linked to the full name mentioned earlier.
  bool linked = false;
  for (const auto& m : r.mentions)
    if (m.text == "Massoudou" && m.type == DOCANALYSIS_ENTITY_PERSON) linked = m.canonical == "Hassoumi Massoudou";
  EXPECT_TRUE(linked);
}

// Sentences without a word of two characters holding a letter are left O without being decoded;
// the names around them keep their spans, and nothing named comes out of them.
TEST_F(EntityPluginTest, RunsWithoutWordsAreSkippedAndTheNamesAroundThemKeepTheirSpans) {
  std::string text =
      "1,1,1,1,1,1. a#a#a#a#a. Angela Merkel met Emmanuel Macron in Berlin. 3-1 2-0 (4:2). "
      "Then Merkel flew to Rome.";
  auto r = RunPlugin(*plugin_, text);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(Has(r, "Angela Merkel", DOCANALYSIS_ENTITY_PERSON));
  EXPECT_TRUE(Has(r, "Emmanuel Macron", DOCANALYSIS_ENTITY_PERSON));
  EXPECT_TRUE(Has(r, "Berlin", DOCANALYSIS_ENTITY_LOCATION));
  EXPECT_TRUE(Has(r, "Rome", DOCANALYSIS_ENTITY_LOCATION));
  const size_t words_begin = text.find("Angela"), words_end = text.find(" 3-1");
  for (const auto& m : r.mentions) {
    EXPECT_EQ(text.substr(m.begin, m.end - m.begin), m.text);
    const bool named = m.type == DOCANALYSIS_ENTITY_PERSON || m.type == DOCANALYSIS_ENTITY_LOCATION ||
                       m.type == DOCANALYSIS_ENTITY_ORGANIZATION || m.type == DOCANALYSIS_ENTITY_MISC;
    if (named && m.begin < words_begin) ADD_FAILURE() << "named mention in the skipped run: " << m.text;
    if (named && m.begin >= words_end && m.text != "Merkel" && m.text != "Rome")
      ADD_FAILURE() << "named mention in the skipped run: " << m.text;
  }
}

TEST_F(EntityPluginTest, TypesOptionFilters) {
  std::string text = "Angela Merkel visited Paris on 3 May 2020 and paid $ 5 million.";
  auto r = RunPlugin(*plugin_, text, {{"types", "person, MONEY"}});
  ASSERT_TRUE(r.status.ok());
  ASSERT_FALSE(r.mentions.empty());
  for (const auto& m : r.mentions)
    EXPECT_TRUE(m.type == DOCANALYSIS_ENTITY_PERSON || m.type == DOCANALYSIS_ENTITY_MONEY) << m.text;
  EXPECT_TRUE(Has(r, "Angela Merkel", DOCANALYSIS_ENTITY_PERSON));
  EXPECT_TRUE(Has(r, "$ 5 million", DOCANALYSIS_ENTITY_MONEY));
  auto bad = RunPlugin(*plugin_, text, {{"types", "PERSON,SPACESHIP"}});
  EXPECT_EQ(bad.status.code(), DOCANALYSIS_INVALID_ARGUMENT);
  EXPECT_NE(bad.status.message().find("spaceship"), std::string::npos);
}

TEST_F(EntityPluginTest, MinConfidenceFilters) {
  std::string text = "Angela Merkel visited Paris, and Ukrainian officials met Gazprom in Moscow.";
  auto all = RunPlugin(*plugin_, text, {{"min_confidence", "0"}});
  auto none = RunPlugin(*plugin_, text, {{"min_confidence", "1.0"}});
  ASSERT_TRUE(all.status.ok());
  EXPECT_GT(all.mentions.size(), none.mentions.size());
  for (const auto& m : none.mentions) EXPECT_GE(m.confidence, 1.0f);
  auto bad = RunPlugin(*plugin_, text, {{"min_confidence", "high"}});
  EXPECT_EQ(bad.status.code(), DOCANALYSIS_INVALID_ARGUMENT);
}

TEST_F(EntityPluginTest, BadInput) {
  EXPECT_TRUE(RunPlugin(*plugin_, "").status.ok());
  EXPECT_TRUE(RunPlugin(*plugin_, "").mentions.empty());
  auto caps = RunPlugin(*plugin_, "PRESIDENT CLINTON VISITS GERMANY AND MEETS KOHL IN BONN");
  ASSERT_TRUE(caps.status.ok());
  EXPECT_TRUE(Has(caps, "CLINTON", DOCANALYSIS_ENTITY_PERSON));
  EXPECT_TRUE(Has(caps, "BONN", DOCANALYSIS_ENTITY_LOCATION));
  auto lower = RunPlugin(*plugin_, "angela merkel flew to bonn with german officials on monday.");
  ASSERT_TRUE(lower.status.ok());
  // All-lower-case text is truecased from the gazetteers before tagging; offsets stay on the original.
  EXPECT_TRUE(Has(lower, "angela merkel", DOCANALYSIS_ENTITY_PERSON));
  EXPECT_TRUE(Has(lower, "bonn", DOCANALYSIS_ENTITY_LOCATION));
  EXPECT_TRUE(Has(lower, "german", DOCANALYSIS_ENTITY_MISC));
  std::string huge = "Before " + std::string(10000, 'X') + " after " + std::string(10000, 'q') + " Paris.";
  auto h = RunPlugin(*plugin_, huge);
  ASSERT_TRUE(h.status.ok());
  for (const auto& m : h.mentions) EXPECT_LE(m.end, huge.size());
  auto cjk = RunPlugin(*plugin_, "\xE4\xB8\xAD\xE5\x9B\xBD\xE5\x92\x8C\xE4\xBF\x84\xE7\xBD\x97\xE6\x96\xAF\xE3\x80\x82 "
                                 "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0.");
  EXPECT_TRUE(cjk.status.ok());
  auto punct = RunPlugin(*plugin_, "... !!! ??? --- ((( )))");
  EXPECT_TRUE(punct.status.ok());
}

TEST_F(EntityPluginTest, ConcurrentAnalyzeGivesTheSameResults) {
  const std::string texts[] = {
      "Angela Merkel visited Paris on Monday and met Emmanuel Macron at the Elysee.",
      "Shares of Siemens AG rose 3.5% to 120 euros in Frankfurt, said Reuters.",
      "PRESIDENT CLINTON MET CHANCELLOR KOHL IN BONN",
  };
  std::vector<std::vector<std::string>> expected;
  for (const std::string& t : texts) {
    std::vector<std::string> found;
    for (const auto& m : RunPlugin(*plugin_, t).mentions) found.push_back(m.text + "/" + std::to_string(m.type));
    expected.push_back(found);
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int round = 0; round < 50; ++round) {
        size_t i = static_cast<size_t>(k + round) % 3;
        std::vector<std::string> found;
        for (const auto& m : RunPlugin(*plugin_, texts[i]).mentions) found.push_back(m.text + "/" + std::to_string(m.type));
        if (found != expected[i]) ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(EntityPluginTest, CancelledRequestStops) {
  std::string text = "Angela Merkel visited Paris.";
  Segmented seg = testing::SegmentForTest(text);
  docanalysis_document d{};
  d.text = docanalysis::ToStr(text);
  d.tokens = seg.tokens.data();
  d.token_count = seg.tokens.size();
  d.sentences = seg.sentences.data();
  d.sentence_count = seg.sentences.size();
  d.is_cancelled = [](void*) { return 1; };
  docanalysis_sink s{};
  s.add_entity_mention = [](void*, uint32_t, uint32_t, int32_t, float, docanalysis_str) {};
  docanalysis::Document doc(d);
  docanalysis::Sink sink(s);
  EXPECT_EQ(plugin_->Analyze(doc, sink).code(), DOCANALYSIS_CANCELLED);
}

TEST(EntityPluginLoadTest, MissingModelFailsWithClearMessage) {
  try {
    EntityPlugin p(ConfigFor("/nonexistent-dir", {}));
    FAIL() << "expected the load to fail";
  } catch (const docanalysis::PluginError& e) {
    EXPECT_EQ(e.code(), DOCANALYSIS_FAILED_PRECONDITION);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/ner-en.model"), std::string::npos) << e.what();
  }
}

TEST(EntityPluginLoadTest, CorruptModelFailsWithClearMessage) {
  std::string dir = ::testing::TempDir();
  const std::string broken = "broken-" + std::to_string(::getpid()) + ".model";  // unique per process
  {
    std::ifstream in(DOCANALYSIS_ENTITY_MODEL_PATH, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(bytes.size(), 1000u);
    bytes.resize(bytes.size() / 2);  // truncated
    std::ofstream(dir + "/" + broken, std::ios::binary) << bytes;
  }
  try {
    EntityPlugin p(ConfigFor(dir, {{"model", broken}}));
    FAIL() << "expected the load to fail";
  } catch (const docanalysis::PluginError& e) {
    EXPECT_EQ(e.code(), DOCANALYSIS_FAILED_PRECONDITION);
    EXPECT_NE(std::string(e.what()).find(broken), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
  }
}

TEST(EntityPluginLoadTest, CreateThroughTheAbiReportsTheError) {
  // The SDK trampoline turns the constructor's PluginError into a code and a copied message.
  std::string dir = "/nonexistent-dir";
  std::string message;
  docanalysis_create_args args{};
  args.host_abi_major = DOCANALYSIS_ABI_MAJOR;
  args.plugin_dir = docanalysis::ToStr(dir);
  args.error_ctx = &message;
  args.set_error = [](void* ctx, docanalysis_str m) { *static_cast<std::string*>(ctx) = std::string(m.data, m.size); };
  void* instance = nullptr;
  int32_t code = docanalysis::internal::Create<EntityPlugin>(&args, &instance);
  EXPECT_EQ(code, DOCANALYSIS_FAILED_PRECONDITION);
  EXPECT_EQ(instance, nullptr);
  EXPECT_NE(message.find("entity model not found"), std::string::npos) << message;
}

TEST(ParseTypesTest, Names) {
  uint32_t mask = 0;
  std::string error;
  ASSERT_TRUE(ParseTypes("", &mask, &error));
  EXPECT_EQ(mask, ~0u);
  ASSERT_TRUE(ParseTypes("PER,loc , Organization", &mask, &error));
  EXPECT_EQ(mask, (1u << DOCANALYSIS_ENTITY_PERSON) | (1u << DOCANALYSIS_ENTITY_LOCATION) |
                      (1u << DOCANALYSIS_ENTITY_ORGANIZATION));
  EXPECT_FALSE(ParseTypes("PERSON,foo", &mask, &error));
}

}  // namespace
}  // namespace docanalysis::entity
