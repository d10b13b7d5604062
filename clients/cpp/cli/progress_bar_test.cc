#include "cli/progress_bar.h"

#include <sstream>

#include "gtest/gtest.h"

namespace docanalysis {
namespace {

TEST(RenderProgress, EmptyHalfAndFull) {
  EXPECT_EQ(RenderProgress(0, 10, 0, 0, 10), "[..........]  0/10   0%  0.0 docs/s");
  EXPECT_EQ(RenderProgress(5, 10, 0, 2.0, 10), "[#####.....]  5/10  50%  2.5 docs/s");
  EXPECT_EQ(RenderProgress(10, 10, 2, 4.0, 10), "[##########] 10/10 100%  2.5 docs/s  2 failed");
}

TEST(RenderProgress, NoWorkIsDone) { EXPECT_EQ(RenderProgress(0, 0, 0, 0, 4), "[####] 0/0 100%  0.0 docs/s"); }

TEST(ProgressBar, DrawsOnlyWhenEnabled) {
  std::ostringstream on, off;
  ProgressBar a(2, on, true), b(2, off, false);
  a.Update(1, 0);
  a.Update(2, 1);
  a.Finish();
  b.Update(2, 0);
  b.Finish();
  EXPECT_NE(on.str().find("2/2 100%"), std::string::npos) << on.str();
  EXPECT_NE(on.str().find("1 failed"), std::string::npos) << on.str();
  EXPECT_EQ(on.str().back(), '\n');
  EXPECT_EQ(off.str(), "");
}

TEST(ProgressBar, ClearErasesAndUpdateRedraws) {
  std::ostringstream out;
  ProgressBar bar(3, out, true);
  bar.Update(1, 0);
  bar.Update(1, 0);  // same state: not drawn again
  bar.Clear();
  bar.Update(1, 0);  // cleared: drawn again
  const std::string s = out.str();
  EXPECT_NE(s.find("\r\033[K"), std::string::npos);
  size_t count = 0;
  for (size_t pos = s.find("1/3"); pos != std::string::npos; pos = s.find("1/3", pos + 1)) ++count;
  EXPECT_EQ(count, 2u) << s;
}

}  // namespace
}  // namespace docanalysis
