// The one include for Catch2 in tests: Catch2 v2 (Debian 12) or v3, whichever the build found.
#pragma once

#if defined(WB_CATCH2_V3)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#else
#include <catch2/catch.hpp>
#endif
