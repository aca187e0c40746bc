// The figures chapter 5's page gives (book/src/ch05-state-machine.md), measured again with the
// compiler that builds this test: the sizes of the pipeline's states, and the objects the
// coroutine version keeps alive after each poll. The page says GCC 12 and Clang 14 agree; the
// suite builds this test with both.
#include <pipeline_steps.hpp>
#include <string>
#include <variant>
#include <vector>
#include <wb/core/context.hpp>
#include <wb/core/waker.hpp>
#include <wb/task/task.hpp>

#include "wb/course/files.hpp"
#include "wb/testing/catch.hpp"

namespace {

std::string chapter_page() {
  auto page = wb::course::read_text_file(std::string(WB_BOOK_DIR) + "/src/ch05-state-machine.md");
  for (auto at = page.find("**"); at != std::string::npos; at = page.find("**", at)) {
    page.erase(at, 2);  // bold marks a figure, it is not part of it
  }
  return page;
}

// The same coroutine as the page's (and chapter 5's test file).
wb::Task<Items> pipeline_coroutine(std::string url) {
  Response response = co_await fetch(std::move(url));
  Body body = co_await response.body();
  co_return co_await parse(std::move(body), response.content_type());
}

struct ReadingBody {
  Response response;
  BodyFuture body;
};

}  // namespace

TEST_CASE("chapter 5's page gives the sizes of the pipeline's states that this compiler makes") {
  auto const page = chapter_page();
  auto const row = [](std::string const& value, std::string const& bytes) {
    return "| " + value + " | " + bytes + " |";
  };
  CHECK_THAT(page, Catch::Matchers::ContainsSubstring(row("`FetchFuture` (the Fetching state)",
                                                          std::to_string(sizeof(FetchFuture)))));
  CHECK_THAT(page,
             Catch::Matchers::ContainsSubstring(
                 row("`Response` + `BodyFuture` (the ReadingBody state)",
                     std::to_string(sizeof(Response)) + " + " + std::to_string(sizeof(BodyFuture)) +
                         " = " + std::to_string(sizeof(Response) + sizeof(BodyFuture)))));
  CHECK_THAT(page, Catch::Matchers::ContainsSubstring(row("`ParseFuture` (the Parsing state)",
                                                          std::to_string(sizeof(ParseFuture)))));
  CHECK_THAT(page,
             Catch::Matchers::ContainsSubstring(
                 row("the pipeline as a `std::variant` of the states",
                     std::to_string(sizeof(std::variant<FetchFuture, ReadingBody, ParseFuture>)))));
}

TEST_CASE("chapter 5's page gives the objects this compiler's coroutine keeps after each poll") {
  auto const page = chapter_page();
  auto task = pipeline_coroutine("mem://numbers");
  wb::Context cx(wb::Waker::noop());
  char const* states[] = {"Fetching", "ReadingBody", "Parsing", "Done"};
  for (int poll = 1; poll <= 4; ++poll) {
    bool const ready = task.poll(cx).is_ready();
    CHECK(ready == (poll == 4));
    auto const counts = std::to_string(LiveCount<Response>::live()) + " / " +
                        std::to_string(LiveCount<BodyFuture>::live()) + " / " +
                        std::to_string(LiveCount<Body>::live());
    // the row of this poll: "| 2 (ReadingBody) | by hand | coroutine |"
    auto const start = page.find("| " + std::to_string(poll) + " (" + states[poll - 1] + ") |");
    REQUIRE(start != std::string::npos);
    auto const end = page.find('\n', start);
    auto const line = page.substr(start, end - start);
    INFO("the page's row: " << line);
    CHECK(line.ends_with("| " + counts + " |"));
  }
}
