// Snippet 05: a lambda that captures an immovable local by copy.
#include "immovable.hpp"

int main() {
  Immovable guard(7);
  auto read = [guard] { return guard.value(); };
  return read() == 7 ? 0 : 1;
}
