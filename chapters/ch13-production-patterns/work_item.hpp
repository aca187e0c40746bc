// Work items for the backpressure exercise: each carries a payload of memory, and every
// payload reports to a Census how many exist at once. A moved-from item holds no payload, so
// the census counts the memory a pipeline really holds, wherever it is: in the producer's
// hands, in the channel, in a send that waits for room, in the consumer. (Given, not an
// exercise.)
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

// ANCHOR: work_item
/// How many payloads exist now, and the most that ever existed at once.
struct Census {
  std::atomic<int> alive{0};
  std::atomic<int> peak{0};
  std::atomic<int> made{0};
};

/// A kilobyte of data that counts itself in its census while it exists.
class Payload {
 public:
  explicit Payload(std::shared_ptr<Census> census) : census_(std::move(census)), bytes_(1024) {
    ++census_->made;
    int const now = ++census_->alive;
    int seen = census_->peak.load();
    while (now > seen && !census_->peak.compare_exchange_weak(seen, now)) {
    }
  }
  Payload(Payload const&) = delete;
  Payload& operator=(Payload const&) = delete;
  ~Payload() { --census_->alive; }

 private:
  std::shared_ptr<Census> census_;
  std::vector<char> bytes_;
};

/// One unit of work: an id and its payload. Moving it moves the payload.
struct WorkItem {
  std::size_t id = 0;
  std::unique_ptr<Payload> payload;
};

/// Makes item `id` with a payload counted in `census`.
inline WorkItem make_work_item(std::size_t id, std::shared_ptr<Census> census) {
  return WorkItem{id, std::make_unique<Payload>(std::move(census))};
}
// ANCHOR_END: work_item
