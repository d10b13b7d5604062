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

}  // namespace
}  // namespace docanalysis
