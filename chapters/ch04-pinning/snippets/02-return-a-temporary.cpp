// Snippet 02: a function that returns an immovable value it creates in its return statement.
#include "immovable.hpp"

Immovable make_answer() { return Immovable(42); }

int main() {
  Immovable answer = make_answer();
  return answer.value() == 42 ? 0 : 1;
}
