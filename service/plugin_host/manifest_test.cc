#include "service/plugin_host/manifest.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docanalysis {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(ParseManifest, ReadsEveryField) {
  auto m = ParseManifest(R"({"name": "summary", "version": "1.2.0", "abi_version": "1.0", "library": "libsummary.so",
      "provides": ["summary"], "needs": ["sentiment"], "default": false, "timeout_ms": 250,
      "options": {"max_sentences": "3", "ratio": 0.2, "lead": true}})", "x/plugin.json");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->name, "summary");
  EXPECT_EQ(m->version, "1.2.0");
  EXPECT_EQ(m->abi_major, 1u);
  EXPECT_EQ(m->abi_minor, 0u);
  EXPECT_EQ(m->library, "libsummary.so");
  EXPECT_THAT(m->provides, ElementsAre("summary"));
  EXPECT_THAT(m->needs, ElementsAre("sentiment"));
  EXPECT_FALSE(m->default_enabled);
  EXPECT_EQ(m->timeout_ms, 250);
  EXPECT_THAT(m->options, ElementsAre(Pair("lead", "true"), Pair("max_sentences", "3"), Pair("ratio", "0.2")));
}

TEST(ParseManifest, DefaultsAreSensible) {
  auto m = ParseManifest(R"({"name": "a", "version": "1", "abi_version": "1.0", "library": "liba.so", "provides": ["a"]})", "m");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->default_enabled);
  EXPECT_EQ(m->timeout_ms, 10000);
  EXPECT_TRUE(m->needs.empty());
}

TEST(ParseManifest, ErrorsNameTheFileAndField) {
  struct Case {
    const char* json;
    const char* expect;
  } cases[] = {
      {"not json", "not a JSON object"},
      {R"({"version": "1", "abi_version": "1.0", "library": "l.so", "provides": ["a"]})", "missing \"name\""},
      {R"({"name": "a", "version": "1", "abi_version": "one", "library": "l.so", "provides": ["a"]})", "abi_version"},
      {R"({"name": "a", "version": "1", "abi_version": "1.0", "library": "../l.so", "provides": ["a"]})", "library"},
      {R"({"name": "a b", "version": "1", "abi_version": "1.0", "library": "l.so", "provides": ["a"]})", "name"},
      {R"({"name": "a", "version": "1", "abi_version": "1.0", "library": "l.so", "provides": []})", "provides"},
      {R"({"name": "a", "version": "1", "abi_version": "1.0", "library": "l.so", "provides": ["a"], "timeout_ms": -1})", "timeout_ms"},
      {R"({"name": "a", "version": "1", "abi_version": "1.0", "library": "l.so", "provides": ["a"], "options": {"k": [1]}})", "option \"k\""},
  };
  for (const auto& c : cases) {
    auto m = ParseManifest(c.json, "plugins/a/plugin.json");
    ASSERT_FALSE(m.ok()) << c.json;
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(m.status().message()), HasSubstr("plugins/a/plugin.json")) << c.json;
    EXPECT_THAT(std::string(m.status().message()), HasSubstr(c.expect)) << c.json;
  }
}

}  // namespace
}  // namespace docanalysis
