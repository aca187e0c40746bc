// Tests of the inspection of what was compiled (wb/grade/inspection.hpp): reading nm, readelf and
// `g++ -E -dD` output, and the findings of a submission's unit against the stub's.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>
#include <wb/grade/inspection.hpp>
#include <wb/testing/catch.hpp>

namespace {

using Catch::Matchers::ContainsSubstring;
using wb::grade::CompiledUnit;
using wb::grade::FrameworkSymbols;

std::string all(std::vector<std::string> const& findings) {
  std::string text;
  for (auto const& finding : findings) text += finding + "\n";
  return text;
}

// A preprocessed unit: the test file, a framework header, then the exercise's header (the
// learner's, or the stub in the course's chapter folder).
std::string preprocessed(std::string const& header_lines, std::string const& framework_lines = "",
                         std::string const& header = "/work/overlay/countdown.hpp") {
  return "# 0 \"/course/chapters/ch02/countdown_test.cpp\"\n"
         "# 1 \"/course/harness/catch.hpp\" 1\n"
         "#define TEST_CASE(...) INTERNAL_CATCH_TESTCASE( __VA_ARGS__ )\n"
         "#define CHECK(...) INTERNAL_CATCH_TEST( \"CHECK\", __VA_ARGS__ )\n" +
         framework_lines +
         "# 2 \"/course/chapters/ch02/countdown_test.cpp\" 2\n"
         "# 1 \"" +
         header + "\" 1\n" + header_lines +
         "# 3 \"/course/chapters/ch02/countdown_test.cpp\" 2\nint tests;\n";
}

CompiledUnit read(std::string const& text) {
  CompiledUnit unit;
  wb::grade::read_preprocessed(unit, text, "/work/overlay");
  return unit;
}

}  // namespace

TEST_CASE("the framework's namespaces are found in mangled names of every kind") {
  using wb::grade::framework_namespace;
  // an explicit specialisation of wb::oracle::drive
  CHECK(framework_namespace("_ZN2wb6oracle5driveI15CountdownFutureEENS0_7OutcomeINT_6OutputEEERS4_"
                            "RKNS0_7OptionsERKNS0_6PolicyE") == "wb::oracle");
  CHECK(framework_namespace("_ZN2wb7testing9sign_lineB5cxx11ERKNS0_9ResultKeyEmSt17basic_string_"
                            "viewIcSt11char_traitsIcEE") == "wb::testing");
  CHECK(framework_namespace("_ZNK5Catch9StringRef5c_strEv") == "Catch");     // a const member
  CHECK(framework_namespace("_ZTVN5Catch17StreamingReporterE") == "Catch");  // a vtable
  CHECK(framework_namespace("_ZN2wb4Poll4takeEv").empty());                  // the runtime
  CHECK(framework_namespace("_ZN15CountdownFuture4pollERN2wb7ContextE").empty());
  CHECK(framework_namespace("read").empty());
}

TEST_CASE("macros the learner's header redefines are flagged and its own macros are not") {
  auto const stub =
      read(preprocessed("#define COUNTDOWN_LIMIT 3\n", "", "/course/chapters/ch02/countdown.hpp"));
  auto const own = read(preprocessed("#define MY_HELPER(x) (x)\n#define COUNTDOWN_LIMIT 4\n"));
  auto const redefined =
      read(preprocessed("#define TEST_CASE(...) static void f()\n#define CHECK(...) (void)0\n"));
  FrameworkSymbols const none;
  CHECK(wb::grade::inspect(stub, own, none, "/course/chapters/ch02").empty());
  auto const findings = all(wb::grade::inspect(stub, redefined, none, "/course/chapters/ch02"));
  CHECK_THAT(findings, ContainsSubstring("redefines macros of the test framework"));
  CHECK_THAT(findings, ContainsSubstring("CHECK, TEST_CASE"));
}

TEST_CASE("words made by token pasting are seen in the learner's preprocessed lines") {
  // what `EARLY_JOIN(__a, sm__) volatile("syscall")` becomes after -E
  auto const pasted = read(preprocessed("void f() { __asm__ volatile(\"syscall\"); }\n"));
  CHECK_THAT(all(pasted.learner_findings), ContainsSubstring("inline assembly"));
  // the same words in the framework's lines, in strings or in longer names are not the learner's
  auto const elsewhere =
      read(preprocessed("char const* s = \"asm syscall\"; int asm_count; int syscalls;\n",
                        "inline void g() { __asm__ volatile(\"\" ::: \"memory\"); }\n"));
  CHECK(elsewhere.learner_findings.empty());
}

TEST_CASE("the learner's lines stay the learner's after a #line that names another file") {
  auto const renamed =
      read(preprocessed("# 1 \"/course/harness/catch.hpp\"\nvoid f() { asm(\"nop\"); }\n"));
  auto const findings = all(renamed.learner_findings);
  CHECK_THAT(findings, ContainsSubstring("inline assembly"));
  CHECK_THAT(findings, ContainsSubstring("#line"));
}

TEST_CASE("a namespace alias of the framework's namespace is seen") {
  auto const unit = read(preprocessed("using namespace wb;\nnamespace o = oracle;\n"));
  CHECK_THAT(all(unit.learner_findings), ContainsSubstring("wb::oracle"));
  auto const own = read(preprocessed("bool testing = false;\nint oracle(int x) { return x; }\n"));
  CHECK(own.learner_findings.empty());
}

TEST_CASE("a raw string that spans lines does not end the learner's lines early") {
  auto const unit =
      read(preprocessed("char const* text = R\"x(\n# 1 \"/course/harness/catch.hpp\" 2\n)x\";\n"
                        "namespace o = wb::oracle;\n"));
  CHECK_THAT(all(unit.learner_findings), ContainsSubstring("wb::oracle"));
}

TEST_CASE("strong definitions in the framework's namespaces and IFUNC symbols are flagged") {
  CompiledUnit stub;
  wb::grade::read_symbols(stub,
                          "_ZN2wb6oracle5spinI15CountdownFutureEEvT_ W 0 10\n"
                          "_ZN15CountdownFuture4pollERN2wb7ContextE W 0 10\n"
                          "read U\n");
  CompiledUnit submission = stub;
  // an explicit specialisation is strong; a weak instantiation of the same kind is not flagged
  wb::grade::read_symbols(submission,
                          "_ZN2wb6oracle5driveI15CountdownFutureEEvRT_ T 0 10\n"
                          "_ZN2wb6oracle5spinIiEEvT_ W 0 10\n"
                          "early_probe i 0 10\n"
                          "early_resolve T 10 10\n"
                          "__bss_start U\n");
  auto const findings = all(wb::grade::inspect(stub, submission, {}, "/course/chapters/ch02"));
  CHECK_THAT(findings, ContainsSubstring("in the test framework's namespace wb::oracle"));
  CHECK_THAT(findings, ContainsSubstring("drive<CountdownFuture>"));
  CHECK_THAT(findings, !ContainsSubstring("spin<int>"));
  CHECK_THAT(findings, ContainsSubstring("early_probe as an indirect function (IFUNC)"));
  CHECK_THAT(findings, ContainsSubstring("early_resolve with C linkage"));  // the last one listed
  CHECK_THAT(findings, ContainsSubstring("refers to __bss_start"));
}

TEST_CASE("a definition of a name the framework calls is flagged") {
  FrameworkSymbols framework;
  wb::grade::read_symbols(framework,
                          "libwb_test_main.a[catch_main.cpp.o]:\n"
                          "read U\n"
                          "_ZN2wb7testing9sign_lineEv T 0 10\n"
                          "_ZN5Catch13MessageStreamC2Ev W 0 10\n");
  CompiledUnit const stub;
  CompiledUnit submission;
  wb::grade::read_symbols(submission, "read T 0 10\ncounter B 0 4\n");
  auto const findings = all(wb::grade::inspect(stub, submission, framework, "/x"));
  CHECK_THAT(findings, ContainsSubstring("defines read, which the test framework also defines"));
  // a weak stand-in for a function of the framework's libraries
  CompiledUnit weak;
  wb::grade::read_symbols(weak, "_ZN2wb7testing9sign_lineEv W 0 10\n");
  CHECK_THAT(
      all(wb::grade::inspect(stub, weak, framework, "/x")),
      ContainsSubstring("wb::testing::sign_line() (weak) in the test framework's namespace"));
  // a weak copy of an inline function the framework also has is no replacement
  CompiledUnit inline_copy;
  wb::grade::read_symbols(inline_copy, "_ZN5Catch13MessageStreamC2Ev W 0 10\n");
  CHECK(wb::grade::inspect(stub, inline_copy, framework, "/x").empty());
  CHECK_THAT(findings, !ContainsSubstring("counter"));  // a global variable of its own
}

TEST_CASE("start-up entries beyond the stub's are counted from readelf's sections") {
  auto const sections = [](std::string const& extra) {
    return "  [Nr] Name              Type            Address          Off    Size   ES Flg Lk Inf "
           "Al\n"
           "  [12] .init_array       INIT_ARRAY      0000000000000000 0014d8 000008 08  WA  0   0  "
           "8\n" +
           extra;
  };
  CompiledUnit stub;
  wb::grade::read_sections(stub, sections(""));
  CompiledUnit submission;
  wb::grade::read_sections(submission,
                           sections("  [13] .preinit_array    PREINIT_ARRAY   0000000000000000 "
                                    "0014e0 000008 08  WA  0   0  8\n"
                                    "  [14] .init_array.00101 INIT_ARRAY      0000000000000000 "
                                    "0014e8 000008 08  WA  0   0  8\n"));
  auto const findings = all(wb::grade::inspect(stub, submission, {}, "/x"));
  CHECK_THAT(findings, ContainsSubstring("adds 1 entry to .preinit_array"));
  CHECK_THAT(findings, ContainsSubstring("adds 1 entry to .init_array"));
  CompiledUnit same;
  wb::grade::read_sections(same, sections(""));
  CHECK(wb::grade::inspect(stub, same, {}, "/x").empty());
  // clang's entry for an inline variable's initializer, in the variable's section group (GCC
  // folds it into the unit's one initializer): not an entry of the learner's own
  CompiledUnit inline_variable;
  wb::grade::read_sections(inline_variable,
                           sections("  [22] .init_array       INIT_ARRAY      0000000000000000 "
                                    "000148 000008 00 WAG  0   0  8\n"));
  CHECK(wb::grade::inspect(stub, inline_variable, {}, "/x").empty());
}

TEST_CASE("constructor tables are found by name or type among an object's many sections") {
  CompiledUnit unit;
  wb::grade::read_sections(
      unit,
      "  [ 5] .text._ZN2ex4PollEv PROGBITS      0000000000000000 000040 000010 00 AXG  0   0 16\n"
      "  [ 6] .ctors            PROGBITS        0000000000000000 000050 000010 00  WA  0   0  8\n"
      "  [ 7] .my_table         FINI_ARRAY      0000000000000000 000060 000008 08  WA  0   0  8\n"
      "  [ 8] .dtors.00200      PROGBITS        0000000000000000 000068 000008 00  WA  0   0  8\n");
  CHECK(unit.startup_bytes ==
        std::map<std::string, std::uint64_t>{{".ctors", 16}, {".dtors", 8}, {".fini_array", 8}});
}

TEST_CASE("nm's symbols are read with their letters, and an archive's member lines skipped") {
  CompiledUnit unit;
  wb::grade::read_symbols(unit,
                          "libwb.a[drive.cpp.o]:\n"
                          "_ZN2ex5startEv T 0000000000000010 0000000000000020\n"
                          "environ U\n"
                          "_ZN2ex4pollEv W 0000000000000000 0000000000000008\n"
                          "weak_ref w         \n");
  CHECK(unit.defined ==
        std::map<std::string, char>{{"_ZN2ex4pollEv", 'W'}, {"_ZN2ex5startEv", 'T'}});
  CHECK(unit.undefined == std::set<std::string>{"environ", "weak_ref"});
}

TEST_CASE("a compiled unit kept in the cache reads back the same") {
  CompiledUnit unit = read(preprocessed("#define OWN 1\nasm(\"nop\");\n"));
  wb::grade::read_symbols(unit, "_ZN2ex5startEv T 0 8\nmain T 8 8\nsyscall U\n");
  unit.startup_bytes[".init_array"] = 8;
  unit.proc_strings = 2;
  unit.truncated = true;
  auto const back =
      wb::grade::compiled_unit_from_json(nlohmann::json::parse(wb::grade::to_json(unit).dump()));
  CHECK(back.defined == unit.defined);
  CHECK(back.undefined == unit.undefined);
  CHECK(back.startup_bytes == unit.startup_bytes);
  CHECK(back.proc_strings == 2);
  CHECK(back.truncated);
  CHECK(back.learner_findings == unit.learner_findings);
  CHECK_FALSE(back.learner_findings.empty());
  REQUIRE(back.macros.size() == unit.macros.size());
  for (auto const& [name, macro] : unit.macros) {
    CHECK(back.macros.at(name).definition == macro.definition);
    CHECK(back.macros.at(name).file == macro.file);
  }
  CHECK_THROWS(wb::grade::compiled_unit_from_json(nlohmann::json::parse(R"({"defined": {}})")));
}
