#include "wb/cli/mutant.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

#include <algorithm>
#include <system_error>

namespace wb::cli {
namespace fs = std::filesystem;

std::string Mutant::target(std::string const& chapter_id) const {
  auto id = exercise + "_" + name;
  std::replace(id.begin(), id.end(), '-', '_');
  return fmt::format("{}_mutant_{}", chapter_id, id);
}

std::vector<Mutant> find_mutants(fs::path const& chapter_mutants_dir, std::string const& exercise,
                                 std::vector<std::string>& problems) {
  std::vector<Mutant> mutants;
  std::error_code error;
  auto const prefix = exercise + "-";
  for (auto const& entry : fs::directory_iterator(chapter_mutants_dir, error)) {
    if (!entry.is_directory()) continue;
    auto const folder = entry.path().filename().string();
    if (!folder.starts_with(prefix) || folder.size() == prefix.size()) continue;
    Mutant mutant;
    mutant.exercise = exercise;
    mutant.name = folder.substr(prefix.size());
    mutant.dir = entry.path();
    auto const expect = entry.path() / "expect.toml";
    try {
      auto root = toml::parse_file(expect.string());
      mutant.about = root["about"].value_or<std::string>("");
      if (mutant.about.empty())
        problems.push_back(fmt::format("{}: `about` is missing", expect.string()));
      if (auto const* fails = root["fails"].as_array()) {
        for (auto const& item : *fails) {
          toml::node_view<toml::node const> entry_view(item);
          ExpectedFailure expected{entry_view["test"].value_or<std::string>(""),
                                   entry_view["message"].value_or<std::string>(""),
                                   entry_view["or_message"].value_or<std::string>("")};
          if (expected.test.empty()) {
            problems.push_back(fmt::format("{}: a [[fails]] entry has no `test`", expect.string()));
            continue;
          }
          mutant.fails.push_back(std::move(expected));
        }
      }
      mutant.correct = root["correct"].value_or(false);
      mutant.sanitizer = root["sanitizer"].value_or<std::string>("");
      if (!mutant.sanitizer.empty() && mutant.sanitizer != "thread" &&
          mutant.sanitizer != "address") {
        problems.push_back(fmt::format(
            "{}: sanitizer = \"{}\" is not known (the ones there are: \"thread\", \"address\")",
            expect.string(), mutant.sanitizer));
      }
      if (mutant.correct && !mutant.fails.empty()) {
        problems.push_back(fmt::format(
            "{}: a correct version (correct = true) has no [[fails]] entries", expect.string()));
      } else if (!mutant.correct && mutant.fails.empty()) {
        problems.push_back(
            fmt::format("{}: no [[fails]] entry says which test catches it", expect.string()));
      }
    } catch (toml::parse_error const& parse_error) {
      problems.push_back(fmt::format("{}:{}: {}", expect.string(), parse_error.source().begin.line,
                                     parse_error.description()));
    }
    mutants.push_back(std::move(mutant));
  }
  std::sort(mutants.begin(), mutants.end(),
            [](Mutant const& a, Mutant const& b) { return a.name < b.name; });
  return mutants;
}

}  // namespace wb::cli
