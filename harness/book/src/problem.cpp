#include "wb/book/problem.hpp"

namespace wb::book {
namespace fs = std::filesystem;

namespace {

std::string shown(fs::path const& file, fs::path const& base) {
  if (base.empty() || file.empty()) return file.string();
  auto const relative = file.lexically_normal().lexically_relative(base.lexically_normal());
  if (relative.empty() || *relative.begin() == "..") return file.string();
  return relative.string();
}

std::string join(std::vector<Problem> const& problems, fs::path const& base) {
  std::string text = problems.size() == 1
                         ? "the book has a problem:"
                         : "the book has " + std::to_string(problems.size()) + " problems:";
  for (auto const& problem : problems) text += "\n  " + describe(problem, base);
  return text;
}

}  // namespace

std::string describe(Problem const& problem, fs::path const& base) {
  std::string text = shown(problem.file, base);
  if (problem.line > 0) text += ":" + std::to_string(problem.line);
  if (!text.empty()) text += ": ";
  return text + problem.message;
}

BookError::BookError(std::vector<Problem> problems, fs::path const& base)
    : std::runtime_error(join(problems, base)), problems_(std::move(problems)) {}

}  // namespace wb::book
