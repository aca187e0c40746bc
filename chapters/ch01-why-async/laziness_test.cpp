// Tests for the laziness predictions: each test runs its snippet for real, with the Recorder
// future from recorder.hpp, and compares the log with the learner's prediction. A wrong
// prediction is answered with both logs and the reason they differ.
#include <algorithm>
#include <future>
#include <initializer_list>
#include <laziness.hpp>
#include <recorder.hpp>
#include <string>
#include <string_view>
#include <vector>
#include <wb/core/future.hpp>
#include <wb/exec/block_on.hpp>
#include <wb/testing/catch.hpp>

static_assert(wb::Future<Recorder>, "Recorder must satisfy wb::Future");

namespace {

// The snippets, exactly as laziness.hpp shows them.
// clang-format off
// ANCHOR: snippets
using Log = std::vector<Event>;

Log run_create_and_drop() {
  Log log;
  {
    Recorder future(log);
  }
  return log;
}

Log run_block_on() {
  Log log;
  wb::block_on(Recorder(log, /*pending_polls=*/2));
  return log;
}

Log run_poll_once_then_drop() {
  Log log;
  {
    Recorder future(log, /*pending_polls=*/1);
    wb::Context cx(wb::Waker::noop());
    (void)future.poll(cx);
  }
  return log;
}

Log run_std_async_dropped() {
  Log log;
  {
    auto eager = std::async(std::launch::async, [&log] { log.push_back(Event::work_done); });
  }
  return log;
}
// ANCHOR_END: snippets
// clang-format on

std::size_t count(Log const& log, Event event) {
  return static_cast<std::size_t>(std::count(log.begin(), log.end(), event));
}
bool has(Log const& log, Event event) { return count(log, event) > 0; }

std::string show(Log const& log) {
  if (log.empty()) return "(nothing)";
  std::string text;
  for (Event event : log) text += (text.empty() ? "" : ", ") + to_string(event);
  return text;
}

/// A sentence that explains one way a prediction can differ from what happened, and whether
/// this prediction is wrong in that way.
struct Lesson {
  bool applies;
  std::string_view sentence;
};

void check_prediction(Log const& predicted, Log const& happened,
                      std::initializer_list<Lesson> lessons) {
  if (predicted == happened) {
    SUCCEED();
    return;
  }
  std::string message =
      "You predicted:  " + show(predicted) + "\nWhat happened:  " + show(happened);
  bool explained = false;
  for (Lesson const& lesson : lessons) {
    if (!lesson.applies) continue;
    message += "\n";
    message += lesson.sentence;
    explained = true;
  }
  if (!explained) {
    message +=
        "\nWalk through the snippet line by line and write down each event in the order it "
        "happens; recorder.hpp says exactly when each one is logged.";
  }
  FAIL(message);
}

/// Lessons that hold for every snippet with a Recorder in it.
Lesson created_once(Log const& predicted) {
  std::size_t const n = count(predicted, Event::created);
  if (n == 0) {
    return {true,
            "The constructor does run, and logs created: lazy means the work waits for poll(), "
            "not that the object is never built."};
  }
  return {n > 1,
          "A Recorder logs created once, when its constructor runs; moving it logs nothing."};
}
Lesson destroyed_once(Log const& predicted) {
  std::size_t const n = count(predicted, Event::destroyed);
  if (n == 0) {
    return {true,
            "Every future is destroyed in the end, and its destructor logs destroyed: at the "
            "closing brace of its scope, or when wb::block_on, which took it by value, returns."};
  }
  return {n > 1, "A Recorder logs destroyed once: one future, one destructor call."};
}
Lesson birth_and_death_in_order(Log const& predicted) {
  bool const out_of_order =
      !predicted.empty() &&
      ((has(predicted, Event::created) && predicted.front() != Event::created) ||
       (has(predicted, Event::destroyed) && predicted.back() != Event::destroyed));
  return {out_of_order,
          "created comes first and destroyed comes last: nothing can happen to an object before "
          "it is built or after it is gone."};
}

/// True when work_done follows a polled directly: the work is done inside a poll.
bool work_done_inside_a_poll(Log const& log) {
  auto it = std::find(log.begin(), log.end(), Event::work_done);
  return it != log.begin() && it != log.end() && *(it - 1) == Event::polled;
}

}  // namespace

TEST_CASE("you predicted what a future does when it is created and dropped") {
  Log const predicted = predicted_log_for_create_and_drop();
  check_prediction(
      predicted, run_create_and_drop(),
      {{has(predicted, Event::polled) || has(predicted, Event::work_done),
        "Creating a future runs none of its work: the constructor only stores what the work "
        "will need. Work happens in poll(), and nothing polls this future, so its work never "
        "happens. Dropping a future that was never polled cancels work that never began."},
       created_once(predicted),
       destroyed_once(predicted),
       birth_and_death_in_order(predicted)});
}

TEST_CASE("you predicted what block_on does to a future that is Pending twice") {
  Log const predicted = predicted_log_for_block_on();
  std::size_t const polls = count(predicted, Event::polled);
  check_prediction(
      predicted, run_block_on(),
      {{polls == 0,
        "wb::block_on is an executor: it polls the future again and again until a poll answers "
        "Ready. Handing a future to an executor is what makes its work happen."},
       {polls == 1 || polls == 2,
        "A future that answers Pending twice is polled three times: Pending, Pending, then "
        "Ready. Each time it answers Pending it wakes itself, so block_on polls it again."},
       {polls > 3,
        "block_on stops polling the moment a poll answers Ready: two Pending answers and one "
        "Ready answer make three polls, no more."},
       {!has(predicted, Event::work_done),
        "block_on runs the future to completion, and the work happens inside the last poll, the "
        "one that answers Ready."},
       {has(predicted, Event::work_done) && !work_done_inside_a_poll(predicted),
        "work_done is logged inside the poll that answers Ready, so it comes straight after the "
        "last polled."},
       created_once(predicted),
       destroyed_once(predicted),
       birth_and_death_in_order(predicted)});
}

TEST_CASE("you predicted what a future does when it is dropped after one poll") {
  Log const predicted = predicted_log_for_poll_once_then_drop();
  std::size_t const polls = count(predicted, Event::polled);
  check_prediction(
      predicted, run_poll_once_then_drop(),
      {{has(predicted, Event::work_done),
        "Dropping a future that is still Pending cancels it: its destructor runs and the rest "
        "of its work never happens. Nobody will poll it again; there is no runtime in the "
        "background that owns it and finishes the job."},
       {polls > 1,
        "A future is polled only when someone calls poll(), and the snippet calls it once. The "
        "no-op waker does nothing when the future wakes it: a wake-up is a request to an "
        "executor, and there is no executor here to hear it."},
       {polls == 0,
        "The snippet calls future.poll(cx) once, and a Recorder logs polled first thing in "
        "poll()."},
       created_once(predicted),
       destroyed_once(predicted),
       birth_and_death_in_order(predicted)});
}

TEST_CASE("you predicted what std::async does when its future is dropped") {
  Log const predicted = predicted_log_for_std_async_dropped();
  check_prediction(
      predicted, run_std_async_dropped(),
      {{!has(predicted, Event::work_done),
        "std::async with std::launch::async is eager: it starts the job on a new thread at "
        "once, whether or not anyone ever calls get(). And the std::future it returns waits for "
        "the job in its destructor, so by the closing brace the work is done. Dropping it "
        "cancels nothing; it blocks until the work is finished."},
       {count(predicted, Event::work_done) > 1, "std::async runs the job once."},
       {has(predicted, Event::created) || has(predicted, Event::polled) ||
            has(predicted, Event::destroyed),
        "There is no Recorder in this snippet: the only thing that writes to the log is the job, "
        "which logs work_done. A std::future has no poll() and logs nothing of its own."}});
}
