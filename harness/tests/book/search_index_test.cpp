// The prebuilt search index: MiniSearch's terms and serialised form.
#include "wb/book/search_index.hpp"

#include "wb/testing/catch.hpp"

using wb::book::search_index_script;
using wb::book::search_terms;

TEST_CASE("search terms are split on spaces and punctuation and lower-cased like MiniSearch") {
  CHECK(search_terms("wb::Waker calls wake_by_ref() — “twice”") ==
        std::vector<std::string>{"wb", "waker", "calls", "wake", "by", "ref", "twice"});
  CHECK(search_terms("Poll<T> a+b") == std::vector<std::string>{"poll<t>", "a+b"});
  CHECK(search_terms("ÉTÉ") == std::vector<std::string>{"été"});
}

TEST_CASE("the index script holds documents terms and counts in MiniSearch's form") {
  auto const script = search_index_script({{"a.html#w", "Waker", "A » Waker", "wake the waker"},
                                           {"b.html", "B", "B", "no match here"}});
  CHECK(script.rfind("window.wbSearchIndex = {", 0) == 0);
  CHECK(script.find("\"serializationVersion\":2") != std::string::npos);
  CHECK(script.find("\"documentIds\":{\"0\":\"a.html#w\",\"1\":\"b.html\"}") != std::string::npos);
  // "waker" is once in the title (field 0) and once in the body (field 1) of document 0.
  CHECK(script.find("[\"waker\",{\"0\":{\"0\":1},\"1\":{\"0\":1}}]") != std::string::npos);
  CHECK(script.find("\"fieldLength\":{\"0\":[1,3],\"1\":[1,3]}") != std::string::npos);
}

TEST_CASE("text in the index cannot end the script it is in") {
  auto const script = search_index_script({{"a.html", "t", "t", "</script><b>\"quoted\"\n"}});
  CHECK(script.find("</script>") == std::string::npos);
  CHECK(script.find("\\u003c/script>") != std::string::npos);
  CHECK(script.find("\\\"quoted\\\"\\n") != std::string::npos);
}
