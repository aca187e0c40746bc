// The allocator of task cells: slots reused on their thread, slots freed on other threads going
// back to their owner, and blocks outliving the thread that made them. Under AddressSanitizer
// a free slot is poisoned; under ThreadSanitizer the hand-overs between threads are checked.
#include "wb/task/cell_pool.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include "wb/testing/catch.hpp"

namespace {

using wb::CellPool;

std::uintptr_t address(void* cell) { return reinterpret_cast<std::uintptr_t>(cell); }

// Fills a cell, as a task's constructor would, so that a slot handed out twice shows.
void fill(void* cell, std::size_t size, unsigned char byte) {
  auto* bytes = static_cast<unsigned char*>(cell);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = byte;
}

}  // namespace

TEST_CASE("a cell freed on its own thread is the next one given out for its size") {
  void* first = CellPool::allocate(120, 8);
  CellPool::deallocate(first, 8);
  void* second = CellPool::allocate(120, 8);
  CHECK(second == first);
  CellPool::deallocate(second, 8);
}

TEST_CASE("cells keep their alignment and sizes up to the largest pooled one fit") {
  CHECK(CellPool::fits(CellPool::max_slot - 16, 16));
  CHECK_FALSE(CellPool::fits(CellPool::max_slot, 8));
  CHECK_FALSE(CellPool::fits(64, 64));
  std::vector<std::pair<void*, std::size_t>> cells;
  for (std::size_t size = 8; CellPool::fits(size, 16); size += 24) {
    void* eight = CellPool::allocate(size, 8);
    void* sixteen = CellPool::allocate(size, 16);
    CHECK(address(eight) % 8 == 0);
    CHECK(address(sixteen) % 16 == 0);
    fill(eight, size, 1);
    fill(sixteen, size, 2);
    cells.emplace_back(eight, 8);
    cells.emplace_back(sixteen, 16);
  }
  std::set<void*> distinct;
  for (auto [cell, align] : cells) distinct.insert(cell);
  CHECK(distinct.size() == cells.size());
  for (auto [cell, align] : cells) CellPool::deallocate(cell, align);
}

TEST_CASE("cells freed on another thread go back to the thread that allocated them") {
  constexpr int count = 2000;  // several blocks' worth
  int distinct_first = 0, reused = 0, distinct_second = 0;
  std::thread owner([&] {  // a thread of its own, so that no earlier test's blocks are in play
    std::vector<void*> cells;
    for (int i = 0; i < count; ++i) {
      cells.push_back(CellPool::allocate(100, 8));
      fill(cells.back(), 100, 3);
    }
    std::set<void*> first(cells.begin(), cells.end());
    distinct_first = static_cast<int>(first.size());
    std::thread([&cells] {
      for (void* cell : cells) CellPool::deallocate(cell, 8);
    }).join();
    cells.clear();
    // A block's worth more than before: the newest block's never-used slots come first.
    for (int i = 0; i < count + 300; ++i) {
      cells.push_back(CellPool::allocate(100, 8));
      fill(cells.back(), 100, 4);
      if (first.count(cells.back()) != 0) ++reused;
    }
    distinct_second = static_cast<int>(std::set<void*>(cells.begin(), cells.end()).size());
    for (void* cell : cells) CellPool::deallocate(cell, 8);
  });
  owner.join();
  CHECK(distinct_first == count);
  CHECK(reused == count);                 // every slot came back to the owner, taken again
  CHECK(distinct_second == count + 300);  // and none was given out twice
}

TEST_CASE("cells outlive the thread that allocated them and any thread may free them") {
  constexpr int per_thread = 1500;
  std::vector<void*> cells(2 * per_thread);
  std::thread a([&] {
    for (int i = 0; i < per_thread; ++i) cells[i] = CellPool::allocate(200, 16);
    CellPool::deallocate(CellPool::allocate(200, 16), 16);  // one freed by its owner
  });
  std::thread b([&] {
    for (int i = per_thread; i < 2 * per_thread; ++i) cells[i] = CellPool::allocate(200, 16);
  });
  a.join();
  b.join();  // both owners have exited: their blocks wait for their last cells
  std::atomic<int> freed{0};
  auto free_half = [&](int parity) {
    for (int i = parity; i < 2 * per_thread; i += 2) {
      fill(cells[i], 200, 5);
      CellPool::deallocate(cells[i], 16);
      freed.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::thread c(free_half, 0);
  std::thread d(free_half, 1);
  c.join();
  d.join();
  CHECK(freed.load() == 2 * per_thread);  // the last of each block freed it (LeakSanitizer checks)
}

TEST_CASE("a thread's cells freed on other threads while it exits are all taken back") {
  for (int round = 0; round < 20; ++round) {
    std::vector<void*> cells(300);
    std::atomic<bool> go{false};
    std::thread owner([&] {
      for (auto& cell : cells) cell = CellPool::allocate(48, 8);
      go.store(true, std::memory_order_release);
      for (int i = 0; i < 50; ++i) CellPool::deallocate(CellPool::allocate(48, 8), 8);
    });
    while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
    std::thread other([&] {
      for (void* cell : cells) CellPool::deallocate(cell, 8);
    });
    owner.join();
    other.join();
  }
  SUCCEED("no slot freed twice, no block leaked (the sanitizers check both)");
}

#if defined(WB_CELL_POOL_ASAN)
TEST_CASE("a freed cell is poisoned so that AddressSanitizer reports a use after free") {
  void* cell = CellPool::allocate(120, 8);
  CHECK_FALSE(__asan_address_is_poisoned(cell));
  CellPool::deallocate(cell, 8);
  CHECK(__asan_address_is_poisoned(cell));
  CHECK(__asan_address_is_poisoned(static_cast<char*>(cell) + 100));
  void* again = CellPool::allocate(120, 8);
  CHECK_FALSE(__asan_address_is_poisoned(static_cast<char*>(again) + 100));
  CellPool::deallocate(again, 8);
}
#endif
