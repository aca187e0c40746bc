// wb::book::Problem and BookError — what stops the book from building, by file and line, so an
// author can jump straight to it. The builder collects every problem before giving up.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace wb::book {

struct Problem {
  std::filesystem::path file;  // the chapter (or SUMMARY.md, book.toml) where it was found
  int line = 0;                // 1-based; 0 when the whole file is meant
  std::string message;
};

/// "book/src/ch02.md:12: message", with the file shown relative to `base` when inside it.
std::string describe(Problem const& problem, std::filesystem::path const& base = {});

/// The book did not build; what() lists every problem, one per line.
class BookError : public std::runtime_error {
 public:
  BookError(std::vector<Problem> problems, std::filesystem::path const& base);
  std::vector<Problem> const& problems() const { return problems_; }

 private:
  std::vector<Problem> problems_;
};

}  // namespace wb::book
