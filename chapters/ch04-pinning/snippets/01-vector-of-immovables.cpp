// Snippet 01: immovable values kept in a std::vector, each built in place by emplace_back.
#include <vector>

#include "immovable.hpp"

int main() {
  std::vector<Immovable> values;
  values.emplace_back(1);
  values.emplace_back(2);
  return values[1].value() == 2 ? 0 : 1;
}
