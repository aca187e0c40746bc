// count_words — the simulated service both versions call: the number of words in a document's
// body, answered after a round trip of 5 ms per word on the clock of whatever executor runs it.
// It borrows the document across that wait, so the document must outlive the task. (Given, not
// an exercise; it also notes the thread each lookup finished on, for the tests.)
#pragma once

#include <chrono>
#include <cstddef>
#include <document.hpp>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

inline std::size_t words_in(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    bool const space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

/// Where each finished lookup ran, in the order they finished.
class LookupLog {
 public:
  static void record() {
    std::lock_guard lock(mutex());
    threads().push_back(std::this_thread::get_id());
  }
  static std::vector<std::thread::id> finished_on() {
    std::lock_guard lock(mutex());
    return threads();
  }
  static void clear() {
    std::lock_guard lock(mutex());
    threads().clear();
  }

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::vector<std::thread::id>& threads() {
    static std::vector<std::thread::id> t;
    return t;
  }
};

inline constexpr std::chrono::milliseconds round_trip_per_word{5};

// ANCHOR: count_words
/// The number of words in `doc`'s body, after a simulated round trip. Borrows `doc`: a reference
/// parameter of a coroutine is kept as a reference in its frame, so `doc` must stay alive until
/// the task is done.
inline wb::Task<std::size_t> count_words(Document const& doc) {
  auto const round_trip = round_trip_per_word * words_in(doc.body());
  co_await wb::sleep(round_trip);
  std::size_t const words = words_in(doc.body());  // read again after the wait: still borrowed
  LookupLog::record();
  co_return words;
}
// ANCHOR_END: count_words
