// Snippet 04: an immovable value created inside a std::optional, destroyed, and created again.
#include <optional>

#include "immovable.hpp"

int main() {
  std::optional<Immovable> slot;
  slot.emplace(1);
  slot.reset();
  slot.emplace(2);
  return slot->value() == 2 ? 0 : 1;
}
