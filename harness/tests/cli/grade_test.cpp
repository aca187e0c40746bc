// Tests of the parts of `workbook grade` that need no build tree: signed results, hashing,
// reading submissions, the sandbox's limits, and the report formats.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <wb/grade/gradebook.hpp>
#include <wb/grade/grading_tree.hpp>
#include <wb/grade/sandbox.hpp>
#include <wb/grade/sha256.hpp>
#include <wb/grade/submission.hpp>
#include <wb/run/runner.hpp>
#include <wb/testing/catch.hpp>
#include <wb/testing/result_signature.hpp>

#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using wb::testing::ResultKey;

using wb::test::TempDir;
using wb::test::write_file;

ResultKey sequential_key() {
  ResultKey key;
  // bytes 00 01 … 0f, read little-endian, as in SipHash's reference vectors
  key.words = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  return key;
}

}  // namespace

TEST_CASE("siphash matches the reference vector") {
  std::string message;
  for (char c = 0; c < 15; ++c) message += c;
  CHECK(wb::testing::siphash24(sequential_key(), message) == 0xa129ca6149be45e5ULL);
  CHECK(wb::testing::siphash24(sequential_key(), "") == 0x726fdb47dd0e0e31ULL);
}

TEST_CASE("a signed line verifies only with its key and its line number") {
  auto const key = ResultKey::random();
  auto const line = wb::testing::sign_line(key, 3, "end\tcountdown\tpass\t");
  CHECK(wb::testing::verify_line(key, 3, line) == std::string_view("end\tcountdown\tpass\t"));
  CHECK_FALSE(wb::testing::verify_line(key, 4, line));  // replayed as a later line
  CHECK_FALSE(wb::testing::verify_line(ResultKey::random(), 3, line));
  auto forged = line;
  forged.replace(forged.find("pass"), 4, "fail");
  CHECK_FALSE(wb::testing::verify_line(key, 3, forged));
  CHECK_FALSE(wb::testing::verify_line(key, 3, "end\tcountdown\tpass\t"));
  CHECK(ResultKey::from_hex(key.to_hex())->words == key.words);
  CHECK_FALSE(ResultKey::from_hex("not a key"));
}

TEST_CASE("a forged result counts when results are not signed and not when they are") {
  wb::run::RunOptions options;
  options.program = WB_RUN_FIXTURE_PROGRAM;
  options.tests = {"forges a pass and leaves"};
  options.time_limit = std::chrono::seconds(5);
  auto const trusting = wb::run::run_tests(options);
  CHECK(trusting.tests.at(0).status == wb::testing::Status::pass);

  options.signed_results = true;
  options.tests_are_known = true;
  auto const signed_run = wb::run::run_tests(options);
  CHECK(signed_run.tests.at(0).status == wb::testing::Status::fail);
  CHECK(signed_run.tests.at(0).message.find("ended in the middle of this test") !=
        std::string::npos);
  CHECK(signed_run.output.find("end\tforges a pass and leaves\tpass") != std::string::npos);

  options.tests = {"passes", "fails with a message"};
  auto const honest = wb::run::run_tests(options);
  CHECK(honest.tests.at(0).status == wb::testing::Status::pass);
  CHECK(honest.tests.at(1).status == wb::testing::Status::fail);
}

TEST_CASE("a program that prints past the cap is stopped and its test fails") {
  wb::run::RunOptions options;
  options.program = WB_RUN_FIXTURE_PROGRAM;
  options.tests = {"prints a lot", "passes"};
  options.output_cap = 64 * 1024;
  auto const report = wb::run::run_tests(options);
  CHECK(report.tests.at(0).reason == wb::testing::Reason::too_much_output);
  CHECK(report.tests.at(1).status == wb::testing::Status::pass);
}

TEST_CASE("sha256 matches the standard's examples") {
  CHECK(wb::grade::sha256_hex("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(wb::grade::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(wb::grade::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(wb::grade::sha256_hex(std::string(1000, 'a')) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  CHECK(wb::grade::Sha256().field("ab").field("c").hex() !=
        wb::grade::Sha256().field("a").field("bc").hex());
}

TEST_CASE("ninja's command lines split into the words the shell would pass") {
  auto const words = wb::grade::split_shell_words(
      R"(/usr/bin/c++ -DX=\"/usr/bin/c++\" -DFLAGS="\"-std=c++20 -fsyntax-only\"" 'a b' -c f.cpp)");
  REQUIRE(words.size() == 6);
  CHECK(words[1] == "-DX=\"/usr/bin/c++\"");
  CHECK(words[2] == "-DFLAGS=\"-std=c++20 -fsyntax-only\"");
  CHECK(words[3] == "a b");
  CHECK(words[5] == "f.cpp");
}

TEST_CASE("a submission's files are found where a learner keeps them and nowhere else") {
  TempDir dir;
  auto const sub = dir.path / "alice";
  write_file(sub / "workbook/chapters/ch02-future-concept/countdown.hpp", "// mine\n");
  write_file(sub / "workbook/solutions/ch02-future-concept/countdown.hpp", "// the solution\n");
  write_file(sub / "workbook/chapters/ch02-future-concept/countdown_test.cpp", "// edited\n");
  write_file(sub / "timer.hpp", "// flat\n");
  fs::create_symlink("/etc/passwd", sub / "join.hpp");
  std::vector<wb::grade::WantedFile> wanted = {{"ch02-future-concept", "countdown.hpp"},
                                               {"ch06-futures-by-hand", "timer.hpp"},
                                               {"ch06-futures-by-hand", "join.hpp"}};
  auto const files = wb::grade::read_submission(sub, wanted, dir.path / "scratch",
                                                wb::grade::detect_sandbox(false));
  CHECK(files.error.empty());
  CHECK(files.name == "alice");
  REQUIRE(files.find("ch02-future-concept", "countdown.hpp") != nullptr);
  CHECK(*files.find("ch02-future-concept", "countdown.hpp") == "// mine\n");
  CHECK(*files.find("ch06-futures-by-hand", "timer.hpp") == "// flat\n");
  CHECK(files.find("ch06-futures-by-hand", "join.hpp") == nullptr);
  std::string notes;
  for (auto const& note : files.notes) notes += note + "\n";
  CHECK(notes.find("join.hpp is a link") != std::string::npos);
  CHECK(notes.find("countdown_test.cpp") != std::string::npos);
}

TEST_CASE("an archive entry that climbs out of the submission is refused") {
  CHECK(wb::grade::leaves_submission("/etc/passwd"));
  CHECK(wb::grade::leaves_submission("a/../../b"));
  CHECK_FALSE(wb::grade::leaves_submission("a/b..c/d"));
  CHECK(wb::grade::submission_name("/x/bob.tar.gz") == "bob");
  CHECK(wb::grade::submission_name("/x/carol.zip") == "carol");
  CHECK(wb::grade::submission_name("/x/dave/") == "dave");
}

TEST_CASE("the sandbox applies its limits and hides what it does not mount") {
  auto const setup = wb::grade::detect_sandbox(true);
  if (!setup.prlimit) {
    WARN("prlimit is missing: no limits to check");
    return;
  }
  wb::grade::SandboxRequest request;
  request.cwd = "/";
  request.limits.memory_mb = 300;
  request.limits.processes = 50;
  wb::run::SpawnOptions spawn;
  spawn.argv = wb::grade::sandbox_launcher(setup, request);
  spawn.argv.insert(spawn.argv.end(),
                    {"/bin/sh", "-c",
                     "echo as=$(ulimit -v) files=$(ulimit -n); test -e " WB_RUN_FIXTURES_DIR
                     " && echo visible || echo hidden"});
  spawn.env = wb::grade::sandbox_environment(request);
  spawn.clear_env = true;
  auto const result = wb::run::run_command(spawn);
  INFO(result.output);
  CHECK(result.output.find("as=307200") != std::string::npos);
  CHECK(result.output.find("files=256") != std::string::npos);
  if (setup.bubblewrap) {
    CHECK(result.output.find("hidden") != std::string::npos);
  } else {
    WARN("no bubblewrap here: " << setup.why_not_bubblewrap);
  }
}

TEST_CASE("test output is cut to a set length with a marker") {
  std::string long_output;
  for (int i = 0; i < 100; ++i) long_output += "line " + std::to_string(i) + "\n";
  auto const cut = wb::grade::cut_output(long_output, 100);
  CHECK(cut.size() < 160);
  CHECK(cut.find("[… output cut:") != std::string::npos);
  CHECK(wb::grade::cut_output("short\n", 100) == "short\n");
}

namespace {

using wb::testing::Reason;
using wb::testing::Status;

wb::grade::GradedTest graded(std::string name, int points, int max_points, Status status,
                             Reason reason, std::string message = {}, std::string output = {},
                             std::chrono::milliseconds duration = {}) {
  wb::grade::GradedTest test;
  test.name = std::move(name);
  test.points = points;
  test.max_points = max_points;
  test.status = status;
  test.reason = reason;
  test.message = std::move(message);
  test.output = std::move(output);
  test.duration = duration;
  return test;
}

wb::grade::Gradebook sample_book() {
  wb::grade::GradedExercise exercise;
  exercise.chapter = "ch02";
  exercise.exercise = "countdown";
  exercise.title = "CountdownFuture";
  exercise.tests = {
      graded("first", 1, 1, Status::pass, Reason::passed, "", "", std::chrono::milliseconds(100)),
      graded("second", 0, 2, Status::fail, Reason::timed_out, "did not finish", "x<y & \x01",
             std::chrono::milliseconds(1000))};
  wb::grade::SubmissionGrade alice;
  alice.name = "=alice, the first";
  alice.chapters = {{"ch02", "ch02-future-concept", "The Future concept", {exercise}}};
  wb::grade::SubmissionGrade bob;
  bob.name = "bob";
  bob.error = "the archive holds \"../x\", a path that leaves the submission";
  wb::grade::Gradebook book;
  book.chapters = {{"ch02", "The Future concept"}};
  book.submissions = {alice, bob};
  return book;
}

}  // namespace

TEST_CASE("the gradebook has a row per submission and a column per chapter") {
  auto const csv = wb::grade::format_csv(sample_book());
  CHECK(csv.starts_with("submission,ch02,total,max,percent,notes\n"));
  CHECK(csv.find("\"'=alice, the first\",1,1,3,33.3,timeout ×1\n") != std::string::npos);
  CHECK(csv.find("bob,,0,0,0.0,") != std::string::npos);
}

TEST_CASE("a submission flagged for review says so in the table and the gradebook") {
  auto book = sample_book();
  book.submissions[0].chapters[0].exercises[0].notes = {
      "countdown.hpp is not in the submission: the stub was used",
      "review countdown.hpp (as compiled): uses inline assembly (asm)"};
  auto const csv = wb::grade::format_csv(book);
  CHECK(csv.find("timeout ×1; flagged: ch02 review countdown.hpp (as compiled): uses inline "
                 "assembly (asm)") != std::string::npos);
  CHECK(csv.find("stub was used") == std::string::npos);
  auto const term = wb::cli::Terminal::plain();
  CHECK(wb::grade::format_table(book, term).find("flagged for review (1, see the notes)") !=
        std::string::npos);
  CHECK(wb::grade::format_table(sample_book(), term).find("flagged") == std::string::npos);
}

TEST_CASE("gradescope results have a score and a result per test") {
  auto const book = sample_book();
  auto const results =
      nlohmann::json::parse(wb::grade::format_gradescope(book, book.submissions[0]));
  CHECK(results["score"] == 1);
  CHECK(results["max_score"] == 3);
  REQUIRE(results["tests"].size() == 2);
  CHECK(results["tests"][1]["status"] == "failed");
  CHECK(results["tests"][1]["max_score"] == 2);
  CHECK(results["tests"][1]["visibility"] == "visible");
  CHECK(results["tests"][1]["output"].get<std::string>().find("timeout: did not finish") == 0);
}

TEST_CASE("exercism results follow version 3 of the test runner's format") {
  auto const book = sample_book();
  auto const results = nlohmann::json::parse(wb::grade::format_exercism(
      book.submissions[0], [](auto const&, auto const&, auto const& test) { return "T:" + test; }));
  CHECK(results["version"] == 3);
  CHECK(results["status"] == "fail");
  CHECK(results["tests"][0]["test_code"] == "T:first");
  CHECK(results["tests"][1]["message"] == "did not finish");
  auto const error = nlohmann::json::parse(wb::grade::format_exercism(
      book.submissions[1], [](auto const&, auto const&, auto const&) { return std::string(); }));
  CHECK(error["status"] == "error");
}

TEST_CASE("junit xml escapes what a test printed") {
  auto const xml = wb::grade::format_junit(sample_book());
  CHECK(xml.find("x&lt;y &amp; ?") != std::string::npos);
  CHECK(xml.find("<error message=\"the archive holds &quot;../x&quot;") != std::string::npos);
  CHECK(xml.find("tests=\"2\" failures=\"1\"") != std::string::npos);
}

TEST_CASE("a test's source is found by its name") {
  std::string const file =
      "TEST_CASE(\"one\") {\n  CHECK(1);\n}\n\nTEST_CASE(\"two\") {\n  if (x) { y(); }\n}\n";
  CHECK(wb::grade::test_case_source(file, "two") == "TEST_CASE(\"two\") {\n  if (x) { y(); }\n}");
  CHECK(wb::grade::test_case_source(file, "three").empty());
}

TEST_CASE("the gradebook's word for a test comes from its verdict's reason") {
  using wb::grade::reason_word;
  auto verdict = [](Status status, Reason reason, bool ran = true) {
    wb::testing::Verdict v;
    v.status = status;
    v.reason = reason;
    v.ran = ran;
    return v;
  };
  CHECK(reason_word(verdict(Status::pass, Reason::passed)) == "passed");
  CHECK(reason_word(verdict(Status::not_started, Reason::not_started)) == "not started");
  CHECK(reason_word(verdict(Status::fail, Reason::assertion)) == "failed");
  CHECK(reason_word(verdict(Status::fail, Reason::contract)) == "failed");
  CHECK(reason_word(verdict(Status::fail, Reason::exception)) == "failed");
  CHECK(reason_word(verdict(Status::fail, Reason::sanitizer)) == "failed");
  CHECK(reason_word(verdict(Status::fail, Reason::timed_out)) == "timeout");
  CHECK(reason_word(verdict(Status::fail, Reason::watchdog)) == "hang");
  CHECK(reason_word(verdict(Status::fail, Reason::crashed)) == "crash");
  CHECK(reason_word(verdict(Status::fail, Reason::exited)) == "exited early");
  CHECK(reason_word(verdict(Status::fail, Reason::too_much_output)) == "output limit");
  CHECK(reason_word(verdict(Status::fail, Reason::out_of_time)) == "time budget");
  CHECK(reason_word(verdict(Status::fail, Reason::compile_error, false)) == "compile error");
  CHECK(reason_word(verdict(Status::fail, Reason::memory_limit)) == "memory limit");
  CHECK(reason_word(verdict(Status::fail, Reason::not_submitted, false)) == "not submitted");
  // a test that never started: what stopped the program before it, or just "did not run"
  CHECK(reason_word(verdict(Status::fail, Reason::crashed, false)) == "crash");
  CHECK(reason_word(verdict(Status::fail, Reason::exited, false)) == "exited early");
  CHECK(reason_word(verdict(Status::fail, Reason::out_of_time, false)) == "time budget");
  CHECK(reason_word(verdict(Status::fail, Reason::too_much_output, false)) == "output limit");
  CHECK(reason_word(verdict(Status::fail, Reason::timed_out, false)) == "did not run");
  CHECK(reason_word(verdict(Status::fail, Reason::watchdog, false)) == "did not run");
  CHECK(reason_word(verdict(Status::fail, Reason::skipped, false)) == "did not run");
  CHECK(reason_word(verdict(Status::fail, Reason::did_not_run, false)) == "did not run");
}

TEST_CASE("a graded exercise keeps every fact of its verdicts through the cache's json") {
  wb::grade::GradedExercise exercise;
  exercise.chapter = "ch02";
  exercise.exercise = "countdown";
  auto broken =
      graded("wakes", 0, 2, Status::fail, Reason::contract, "parking oracle: your future will hang",
             "printed", std::chrono::milliseconds(1250));
  broken.oracle = "parking oracle";
  auto todo = graded("counts", 0, 1, Status::not_started, Reason::not_started, "write poll");
  todo.location = "countdown.hpp:19";
  auto skipped = graded("later", 0, 1, Status::fail, Reason::crashed, "did not run: crashed");
  skipped.ran = false;
  exercise.tests = {broken, todo, skipped};
  auto const back = wb::grade::exercise_from_json(wb::grade::to_json(exercise));
  REQUIRE(back.tests.size() == 3);
  CHECK(back.tests[0].reason == Reason::contract);
  CHECK(back.tests[0].oracle == "parking oracle");
  CHECK(back.tests[0].duration == std::chrono::milliseconds(1250));
  CHECK(back.tests[0].output == "printed");
  CHECK(back.tests[1].status == Status::not_started);
  CHECK(back.tests[1].location == "countdown.hpp:19");
  CHECK_FALSE(back.tests[2].ran);
  CHECK(wb::grade::to_json(exercise)["tests"][2]["reason"] == "crash");
  // an entry of an older version (no reason_code) is not taken for a grade
  auto old = wb::grade::to_json(exercise);
  old["tests"][0].erase("reason_code");
  CHECK_THROWS(wb::grade::exercise_from_json(old));
}

TEST_CASE("the formats show a not started test's message with its WB_TODO's location") {
  auto book = sample_book();
  auto todo = graded("third", 0, 1, Status::not_started, Reason::not_started, "write poll");
  todo.location = "countdown.hpp:19";
  book.submissions[0].chapters[0].exercises[0].tests.push_back(todo);
  auto const results = nlohmann::json::parse(wb::grade::format_exercism(
      book.submissions[0], [](auto const&, auto const&, auto const&) { return std::string(); }));
  CHECK(results["tests"][2]["message"] == "write poll (countdown.hpp:19)");
  CHECK(wb::grade::format_junit(book).find("message=\"write poll (countdown.hpp:19)\"") !=
        std::string::npos);
}
