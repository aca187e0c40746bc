// How verify decides that a wrong-on-purpose version failed with the words that name its mistake.
#include <wb/cli/mutant.hpp>
#include <wb/testing/catch.hpp>

using wb::cli::ExpectedFailure;

TEST_CASE("a failure names the mistake when it contains the expected message") {
  ExpectedFailure const expected{"a test", "read after it was destroyed", ""};
  CHECK(expected.matches("a lookup read after it was destroyed (5 reads)"));
  CHECK_FALSE(expected.matches("AddressSanitizer found a stack-buffer-overflow"));
}

TEST_CASE("a failure in another compiler's words counts only when expect.toml gives them") {
  ExpectedFailure const expected{"a test", "use of deleted function",
                                 "call to deleted constructor"};
  CHECK(expected.matches("error: use of deleted function 'Immovable::Immovable(Immovable&&)'"));
  CHECK(expected.matches("error: call to deleted constructor of 'Immovable'"));
  CHECK_FALSE(expected.matches("error: expected ';' after return statement"));
}
