// The one include for Catch2 in tests: Catch2 v2 (Debian 12) or v3, whichever the build found.
// Tests are written in v3's names; for v2 the names it lacks are defined here in terms of its own.
#pragma once

#if defined(WB_CATCH2_V3)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#else
#include <catch2/catch.hpp>
#include <string>

namespace Catch::Matchers {
// v3 keeps Contains for "a range has this element"; a substring is ContainsSubstring.
inline StdString::ContainsMatcher ContainsSubstring(
    std::string const& text, CaseSensitive::Choice case_sensitivity = CaseSensitive::Yes) {
  return Contains(text, case_sensitivity);
}
}  // namespace Catch::Matchers
#endif
