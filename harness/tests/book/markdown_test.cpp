// Markdown to HTML: what md4c leaves to the book — heading ids, links, diagrams, search text.
#include "wb/book/markdown.hpp"

#include "wb/book/html.hpp"
#include "wb/testing/catch.hpp"

using wb::book::heading_id;
using wb::book::render_markdown;

namespace {

bool contains(std::string const& text, std::string const& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("heading ids are the ones mdBook gives") {
  CHECK(heading_id("The waker contract") == "the-waker-contract");
  CHECK(heading_id("Context and Waker: \"poll me again\"") == "context-and-waker-poll-me-again");
  CHECK(heading_id("Exercise: CountdownFuture") == "exercise-countdownfuture");
  CHECK(heading_id("Poll<T> and wake_by_ref()") == "pollt-and-wake_by_ref");
  CHECK(heading_id("Why — and when") == "why--and-when");
  CHECK(heading_id("Café au lait") == "café-au-lait");
}

TEST_CASE("a heading gets an id and a link to itself and repeated titles get numbered ids") {
  auto const page = render_markdown("# Title\n\n## Notes\n\ntext\n\n## Notes\n");
  CHECK(contains(page.html, "<h1 id=\"title\"><a class=\"header\" href=\"#title\">Title</a></h1>"));
  CHECK(contains(page.html, "<h2 id=\"notes\">"));
  CHECK(contains(page.html, "<h2 id=\"notes-1\">"));
  REQUIRE(page.headings.size() == 3);
  CHECK(page.headings[2].id == "notes-1");
  CHECK(page.ids.count("notes-1") == 1);
}

TEST_CASE("inline code in a heading counts toward its id") {
  auto const page = render_markdown("## The `Poll` type\n");
  CHECK(page.headings.at(0).id == "the-poll-type");
  CHECK(contains(page.html, "<code>Poll</code>"));
}

TEST_CASE("links to chapters become links to their pages") {
  auto const page = render_markdown(
      "See [poll](ch03-how-poll-works.md#the-waker) and [mdBook](https://example.org/a.md).\n");
  CHECK(contains(page.html, "href=\"ch03-how-poll-works.html#the-waker\""));
  CHECK(contains(page.html, "href=\"https://example.org/a.md\""));
  CHECK(page.links ==
        std::vector<std::string>{"ch03-how-poll-works.md#the-waker", "https://example.org/a.md"});
}

TEST_CASE("code blocks name their language and mermaid blocks are left for the diagram script") {
  auto const page = render_markdown(
      "```cpp\nint main() { return 1 < 2; }\n```\n\n```mermaid\ngraph LR\n  A-->B\n```\n\n"
      "```\nplain\n```\n");
  CHECK(
      contains(page.html,
               "<pre><code class=\"language-cpp\">int main() { return 1 &lt; 2; }\n</code></pre>"));
  CHECK(contains(page.html, "<pre class=\"mermaid\">graph LR\n  A--&gt;B\n</pre>"));
  CHECK(contains(page.html, "class=\"language-plaintext\""));
  CHECK(page.has_mermaid);
}

TEST_CASE("tables and details blocks come through") {
  auto const page = render_markdown(
      "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n<details>\n<summary>Solution</summary>\n\n"
      "Hidden **text**.\n\n</details>\n");
  CHECK(contains(page.html, "<th style=\"text-align: left\">a</th>"));
  CHECK(contains(page.html, "<td style=\"text-align: right\">2</td>"));
  CHECK(contains(page.html, "<details>"));
  CHECK(contains(page.html, "<p>Hidden <strong>text</strong>.</p>"));
}

TEST_CASE("ids and links in raw HTML are collected for the link checker") {
  auto const page = render_markdown("<a id=\"custom\"></a>\n\n<a href=\"other.md#x\">o</a>\n");
  CHECK(page.ids.count("custom") == 1);
  CHECK(page.links == std::vector<std::string>{"other.md#x"});
}

TEST_CASE("each heading starts a search section holding the text under it") {
  auto const page = render_markdown("# Title\n\nIntro words.\n\n## Waker\n\nCall `wake()` once.\n");
  REQUIRE(page.sections.size() == 2);
  CHECK(page.sections[0].id == "title");
  CHECK(contains(page.sections[0].text, "Intro words."));
  CHECK(!contains(page.sections[0].text, "Waker"));
  CHECK(page.sections[1].title == "Waker");
  CHECK(contains(page.sections[1].text, "Call wake() once."));
}

TEST_CASE("the print page prefixes ids and rewrites links through its callback") {
  wb::book::RenderOptions options;
  options.id_prefix = "ch02--";
  options.rewrite_link = [](std::string_view href) { return "#rewritten-" + std::string(href); };
  auto const page = render_markdown("## Part\n\n[x](#part)\n", options);
  CHECK(contains(page.html, "<h2 id=\"ch02--part\">"));
  CHECK(contains(page.html, "href=\"#rewritten-#part\""));
  CHECK(page.ids.count("part") == 1);
}

TEST_CASE("images keep their alt text") {
  auto const page = render_markdown("![a *small* diagram](pic.png \"Title\")\n");
  CHECK(contains(page.html, "<img src=\"pic.png\" alt=\"a small diagram\" title=\"Title\">"));
  CHECK(page.links == std::vector<std::string>{"pic.png"});
}

TEST_CASE("a heading can name its own id in braces as in mdBook") {
  auto const page = render_markdown("## The waker {#waker-rules}\n\n## Plain {.note}\n");
  CHECK(page.headings.at(0).id == "waker-rules");
  CHECK(page.headings.at(0).text == "The waker");
  CHECK(contains(
      page.html,
      "<h2 id=\"waker-rules\"><a class=\"header\" href=\"#waker-rules\">The waker</a></h2>"));
  CHECK(page.headings.at(1).id == "plain");
}
