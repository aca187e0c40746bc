// The durations in the chapters' test messages: exact, in the largest unit that keeps them so.
#include "wb/testing/duration_text.hpp"

#include <chrono>

#include "wb/testing/catch.hpp"

using namespace std::chrono_literals;
using wb::testing::duration_text;

TEST_CASE("a duration is shown exactly, in seconds from one second up") {
  CHECK(duration_text(0s) == "0 ms");
  CHECK(duration_text(250ms) == "250 ms");
  CHECK(duration_text(999ms) == "999 ms");
  CHECK(duration_text(1s) == "1 s");
  CHECK(duration_text(3s) == "3 s");
  CHECK(duration_text(1250ms) == "1.25 s");
  CHECK(duration_text(1005ms) == "1.005 s");
  CHECK(duration_text(40us) == "40 µs");
  CHECK(duration_text(1500us) == "1500 µs");
  CHECK(duration_text(7ns) == "7 ns");
  CHECK(duration_text(-2s) == "-2 s");
}
