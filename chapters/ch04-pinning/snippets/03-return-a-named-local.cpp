// Snippet 03: a function that returns an immovable local variable by name.
#include "immovable.hpp"

Immovable make_answer() {
  Immovable answer(42);
  return answer;
}

int main() {
  Immovable answer = make_answer();
  return answer.value() == 42 ? 0 : 1;
}
