// Snippet 06: a lambda that owns a std::unique_ptr, stored in a std::function.
#include <functional>
#include <memory>
#include <utility>

int main() {
  auto counter = std::make_unique<int>(0);
  std::function<int()> next = [counter = std::move(counter)] { return ++*counter; };
  next();
  return next() == 2 ? 0 : 1;
}
