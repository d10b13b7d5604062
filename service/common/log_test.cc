#include "service/common/log.h"

#include "gtest/gtest.h"

namespace docanalysis {
namespace {

TEST(EscapeLogValue, PlainWordsStayBare) { EXPECT_EQ(EscapeLogValue("entity"), "entity"); }

TEST(EscapeLogValue, ControlCharactersCannotSplitOrForgeALine) {
  EXPECT_EQ(EscapeLogValue("a\nINFO forged=1"), "\"a\\nINFO forged=1\"");
  EXPECT_EQ(EscapeLogValue("bell\a\x1b[31m"), "\"bell\\x07\\x1b[31m\"");
  EXPECT_EQ(EscapeLogValue("tab\there\r"), "\"tab\\there\\r\"");
  EXPECT_EQ(EscapeLogValue(std::string("nul\0x", 5)), "\"nul\\x00x\"");
  EXPECT_EQ(EscapeLogValue("del\x7f"), "\"del\\x7f\"");
}

TEST(EscapeLogValue, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(EscapeLogValue("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(EscapeLogValue("C:\\x"), "\"C:\\\\x\"");
  EXPECT_EQ(EscapeLogValue(""), "\"\"");
}

}  // namespace
}  // namespace docanalysis
