#include "service/plugin_host/dependencies.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace docanalysis {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

PluginManifest M(std::string name, std::vector<std::string> provides, std::vector<std::string> needs) {
  PluginManifest m;
  m.name = std::move(name);
  m.provides = std::move(provides);
  m.needs = std::move(needs);
  return m;
}

TEST(CheckDependencies, AcceptsMetNeedsAndSelfNeeds) {
  PluginManifest entity = M("entity", {"entities"}, {});
  PluginManifest quotes = M("quotes", {"quotes"}, {"entities"});
  PluginManifest self = M("self", {"a", "b"}, {"a"});
  EXPECT_THAT(CheckDependencies({&quotes, &entity, &self}), IsEmpty());
}

TEST(CheckDependencies, RefusesAMissingNeedWithAClearMessage) {
  PluginManifest quotes = M("quotes", {"quotes"}, {"entities"});
  PluginManifest sentiment = M("sentiment", {"sentiment"}, {});
  auto refused = CheckDependencies({&quotes, &sentiment});
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_THAT(refused["quotes"], HasSubstr("needs feature \"entities\", which no loaded plugin provides"));
}

TEST(CheckDependencies, RefusesACycleAndWhatDependsOnIt) {
  PluginManifest a = M("a", {"fa"}, {"fb"});
  PluginManifest b = M("b", {"fb"}, {"fc"});
  PluginManifest c = M("c", {"fc"}, {"fa"});
  PluginManifest d = M("d", {"fd"}, {"fa"});
  PluginManifest e = M("e", {"fe"}, {});
  auto refused = CheckDependencies({&a, &b, &c, &d, &e});
  EXPECT_EQ(refused.size(), 4u);
  EXPECT_THAT(refused["a"], HasSubstr("dependency cycle through \"needs\": a -> b -> c -> a"));
  EXPECT_THAT(refused["b"], HasSubstr("dependency cycle"));
  EXPECT_THAT(refused["c"], HasSubstr("dependency cycle"));
  EXPECT_THAT(refused["d"], HasSubstr("whose provider a cannot run: dependency cycle"));
  EXPECT_FALSE(refused.count("e"));
}

TEST(CheckDependencies, TwoPluginCycle) {
  PluginManifest a = M("a", {"fa"}, {"fb"});
  PluginManifest b = M("b", {"fb"}, {"fa"});
  auto refused = CheckDependencies({&a, &b});
  EXPECT_THAT(refused, UnorderedElementsAre(Pair("a", HasSubstr("a -> b -> a")), Pair("b", HasSubstr("a -> b -> a"))));
}

TEST(CheckDependencies, ChainsOfMissingNeedsAreRefusedInTurn) {
  PluginManifest a = M("a", {"fa"}, {"missing"});
  PluginManifest b = M("b", {"fb"}, {"fa"});
  auto refused = CheckDependencies({&a, &b});
  EXPECT_THAT(refused["a"], HasSubstr("\"missing\", which no loaded plugin provides"));
  EXPECT_THAT(refused["b"], HasSubstr("whose provider a cannot run"));
}

}  // namespace
}  // namespace docanalysis
