#include "service/plugin_host/document_view.h"

#include "gtest/gtest.h"

namespace docanalysis {
namespace {

TEST(OverlayOption, ReplacesInPlaceOrAppends) {
  OptionList o = {{"a", "1"}, {"b", "2"}};
  OverlayOption(&o, "b", "3");
  OverlayOption(&o, "c", "4");
  EXPECT_EQ(o, (OptionList{{"a", "1"}, {"b", "3"}, {"c", "4"}}));
  OverlayOptions(&o, {{"a", "x"}, {"a", "y"}});
  EXPECT_EQ(o[0].second, "y");
  EXPECT_EQ(o.size(), 3u);
}

TEST(DocumentView, PointsAtItsPartsAndNeverCancelsByDefault) {
  std::string text = "Hi there.";
  docanalysis_token tokens[2] = {};
  DocumentParts parts;
  parts.id = "d1";
  parts.text = text;
  parts.language = "en";
  parts.tokens = tokens;
  parts.token_count = 2;
  const OptionList options = {{"k", "v"}};
  const std::vector<std::string> features = {"summary"};
  DocumentView view(parts, options, features);
  const docanalysis_document& d = view.doc();
  EXPECT_EQ(View(d.text), "Hi there.");
  EXPECT_EQ(d.text.data, text.data());  // no copy
  EXPECT_EQ(d.tokens, tokens);
  ASSERT_EQ(d.option_count, 1u);
  EXPECT_EQ(View(d.options[0].key), "k");
  EXPECT_EQ(View(d.options[0].value), "v");
  ASSERT_EQ(d.feature_count, 1u);
  EXPECT_EQ(View(d.features[0]), "summary");
  EXPECT_EQ(d.is_cancelled(d.cancel_ctx), 0);
}

}  // namespace
}  // namespace docanalysis
