// wb::CellPool — where spawned tasks' cells live: blocks of equal slots, one set of blocks per
// thread and slot size, so that spawning and finishing a task costs a few plain stores instead
// of a malloc and a free. Any thread may free a cell; the block's owner takes it back.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define WB_CELL_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WB_CELL_POOL_ASAN 1
#endif
#endif
#if defined(WB_CELL_POOL_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace wb {

/// The allocator of task cells (TaskCell<F> uses it through its operator new and delete).
///
/// Why not malloc: a server spawns and finishes tasks all day, often thousands at a time.
/// glibc serves a 128-byte cell from its "fastbins", one list per size shared by the whole
/// process, and the next large request (an I/O buffer, an executor) stops to merge every cell
/// freed since then; 100,000 spawns then cost more in malloc and free than in the runtime.
///
/// How: each thread owns, per slot size (16 bytes apart, up to max_slot), a list of blocks of
/// block_bytes; a slot is a cell with a pointer to its block in front. Allocating takes a slot
/// from the thread's current block: one that was freed, or the next never-used one. Freeing on
/// the owning thread puts the slot back on its block's list — plain stores, no atomics. Freeing
/// on another thread (a task spawned on one worker and finished on another) pushes the slot on
/// the block's `remote` list, one compare-and-swap; the owner takes that list whole when its
/// current block runs dry. A block whose slots have all come back goes back to malloc, except
/// the last two of each size, which the thread keeps for the next burst.
///
/// A thread that exits hands its blocks over: empty ones go back to malloc at once, and the
/// last slot to come back to any other frees its block, wherever that happens.
class CellPool {
 public:
  static constexpr std::size_t block_bytes = 32 * 1024;
  static constexpr std::size_t max_slot = 512;

  /// Whether a cell of this size and alignment comes from the pool (others use operator new).
  static constexpr bool fits(std::size_t size, std::size_t align) noexcept {
    return align <= alignof(std::max_align_t) && prefix_for(align) + size <= max_slot;
  }

  /// Memory for one cell, at least `size` bytes aligned to `align`; fits(size, align) must hold.
  static void* allocate(std::size_t size, std::size_t align) {
    std::size_t const prefix = prefix_for(align);
    std::size_t const cls = class_of(prefix + size);
    Cache* cache = Cache::mine();
    Slot* slot = nullptr;
    if (cache != nullptr) {
      Block* block = cache->current[cls];
      slot = block != nullptr ? block->take() : nullptr;
      if (slot == nullptr) slot = cache->refill(cls);
    } else {
      // Only after this thread's cache is gone (thread-local destructors that spawn): a slot
      // of its own, which deallocate recognises by its null block.
      slot = static_cast<Slot*>(::operator new((cls + 1) * 16));
      slot->block = nullptr;
    }
    return reinterpret_cast<char*>(slot) + prefix;
  }

  /// Gives back a cell from allocate(ptr's size, align); any thread may call it.
  static void deallocate(void* ptr, std::size_t align) noexcept {
    Slot* slot = reinterpret_cast<Slot*>(static_cast<char*>(ptr) - prefix_for(align));
    Block* block = slot->block;
    if (block == nullptr) return ::operator delete(slot);
    Cache* cache = Cache::existing();
    if (cache != nullptr && block->owner == cache->id) {
      cache->give_back(*block, slot);
    } else {
      block->give_back_remotely(slot);
    }
  }

 private:
  struct Block;
  // A slot while it is free; while in use, only `block` is kept (the cell starts after it).
  struct Slot {
    Block* block;
    Slot* next;  // the next free slot (meaningful only while free)
  };
  static_assert(sizeof(Slot) <= 16);

  // Under AddressSanitizer a free slot is poisoned, so that a use of a finished task's cell is
  // reported as it would be with malloc; the pool's own link is reached through these two.
  static void poison([[maybe_unused]] void* from, [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(WB_CELL_POOL_ASAN)
    ASAN_POISON_MEMORY_REGION(from, bytes);
#endif
  }
  static void unpoison([[maybe_unused]] void* from, [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(WB_CELL_POOL_ASAN)
    ASAN_UNPOISON_MEMORY_REGION(from, bytes);
#endif
  }
  static Slot* next_of(Slot* slot) noexcept {
    unpoison(&slot->next, sizeof(Slot*));
    Slot* next = slot->next;
    poison(&slot->next, sizeof(Slot*));
    return next;
  }
  static void set_next(Slot* slot, Slot* next) noexcept {
    unpoison(&slot->next, sizeof(Slot*));
    slot->next = next;
    poison(&slot->next, sizeof(Slot*));
  }

  static constexpr std::size_t classes = max_slot / 16;
  static constexpr std::size_t kept_blocks = 2;  // per size, when they are empty

  // The cell follows the block pointer, at its alignment (8 or 16).
  static constexpr std::size_t prefix_for(std::size_t align) noexcept {
    return align <= sizeof(Block*) ? sizeof(Block*) : alignof(std::max_align_t);
  }
  static constexpr std::size_t class_of(std::size_t bytes) noexcept { return (bytes - 1) / 16; }

  struct Block {
    // Set when the block is made and never changed: any thread may read them.
    std::uint64_t owner;  // the id of the owning thread's cache (ids are never reused)
    std::uint32_t slot_size;
    std::uint32_t cls;
    // Only the owning thread touches these (until it exits; see abandon).
    Slot* free = nullptr;    // slots given back, ready to be taken again
    char* fresh;             // the first never-used slot
    char* end;               // where the slots end
    std::uint32_t used = 0;  // slots taken and not yet on `free`
    Block* prev = nullptr;   // the owner's list of blocks of this size
    Block* next = nullptr;
    // Slots freed on other threads. Release on push, so that what the freeing thread wrote
    // (the cell's destructor, the slot's link) happens before the owner takes the slot again;
    // the owner's exchange is acquire for the same reason. Once the owner has exited it holds
    // `abandoned` instead, and pushes stop.
    std::atomic<Slot*> remote{nullptr};
    // After the owner exited: slots still out. Whoever brings it to 0 frees the block; acq_rel
    // so that the one who frees it sees every other thread's last writes to its slots.
    std::atomic<std::uint32_t> left{0};

    static Slot* abandoned() noexcept { return reinterpret_cast<Slot*>(alignof(Slot)); }

    Slot* take() noexcept {
      Slot* slot = free;
      if (slot != nullptr) {
        free = next_of(slot);
        unpoison(&slot->next, slot_size - sizeof(Block*));
      } else if (fresh + slot_size <= end) {
        slot = reinterpret_cast<Slot*>(fresh);
        slot->block = this;
        fresh += slot_size;
      } else {
        return nullptr;
      }
      ++used;
      return slot;
    }

    // The owner takes in what other threads gave back; true if there was any.
    bool collect() noexcept {
      if (remote.load(std::memory_order_relaxed) == nullptr) return false;
      Slot* slot = remote.exchange(nullptr, std::memory_order_acquire);
      while (slot != nullptr) {
        Slot* next = next_of(slot);
        set_next(slot, free);
        free = slot;
        --used;
        slot = next;
      }
      return true;
    }

    bool has_room() const noexcept {
      return free != nullptr || fresh + slot_size <= end ||
             remote.load(std::memory_order_relaxed) != nullptr;
    }

    void give_back_remotely(Slot* slot) noexcept {
      poison(&slot->next, slot_size - sizeof(Block*));
      // Acquire on the load and on a failed exchange: seeing `abandoned` must bring the
      // owner's `left` and its last writes to the block along. (Release on success: above.)
      Slot* head = remote.load(std::memory_order_acquire);
      do {
        if (head == abandoned()) {
          if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(this);
          return;
        }
        set_next(slot, head);
      } while (!remote.compare_exchange_weak(head, slot, std::memory_order_acq_rel,
                                             std::memory_order_acquire));
    }

    // The owner is exiting with `used` slots out: from now on the last of them frees the block.
    void abandon() noexcept {
      collect();
      if (used == 0) return destroy(this);
      left.store(used, std::memory_order_relaxed);
      // Release: a thread that sees `abandoned` sees `left` too. Acquire: the slots pushed
      // since collect() are counted here, their writes seen.
      Slot* late = remote.exchange(abandoned(), std::memory_order_acq_rel);
      std::uint32_t back = 0;
      for (; late != nullptr; late = next_of(late)) ++back;
      if (back != 0 && left.fetch_sub(back, std::memory_order_acq_rel) == back) destroy(this);
    }

    static Block* make(std::uint64_t owner, std::size_t cls) {
      void* memory = std::malloc(block_bytes);
      if (memory == nullptr) throw std::bad_alloc();
      auto* block = ::new (memory) Block;
      block->owner = owner;
      block->slot_size = static_cast<std::uint32_t>((cls + 1) * 16);
      block->cls = static_cast<std::uint32_t>(cls);
      // Slots start 16-aligned after the header (malloc gives 16).
      std::size_t const header = (sizeof(Block) + 15) / 16 * 16;
      block->fresh = static_cast<char*>(memory) + header;
      block->end = static_cast<char*>(memory) + block_bytes;
      return block;
    }
    static void destroy(Block* block) noexcept {
      unpoison(block, block_bytes);
      block->~Block();
      std::free(block);
    }
  };

  // One thread's blocks.
  struct Cache {
    std::uint64_t id;
    Block* current[classes] = {};  // where allocate() takes from
    Block* blocks[classes] = {};   // all of this thread's blocks of each size, current first
    Block* last[classes] = {};     // the oldest of them
    std::size_t count[classes] = {};

    explicit Cache(std::uint64_t id) : id(id) {}
    Cache(Cache const&) = delete;
    Cache& operator=(Cache const&) = delete;
    ~Cache() {
      for (std::size_t cls = 0; cls < classes; ++cls) {
        for (Block* block = blocks[cls]; block != nullptr;) {
          Block* next = block->next;
          block->abandon();
          block = next;
        }
      }
    }

    // The current block of `cls` is full: take in its remote frees, or move to a block that
    // has room (looking at a few, the oldest first), or make a new one.
    Slot* refill(std::size_t cls) {
      Block* block = current[cls];
      if (block != nullptr && block->collect()) return block->take();
      constexpr int looks = 4;
      int looked = 0;
      for (Block* other = block != nullptr ? last[cls] : nullptr;
           other != nullptr && other != block && looked < looks; other = other->prev, ++looked) {
        if (other->has_room()) {
          other->collect();
          make_current(*other);
          return other->take();
        }
      }
      Block* fresh = Block::make(id, cls);
      link_front(*fresh);
      current[cls] = fresh;
      return fresh->take();
    }

    void give_back(Block& block, Slot* slot) noexcept {
      poison(&slot->next, block.slot_size - sizeof(Block*));
      set_next(slot, block.free);
      block.free = slot;
      // `used` counts the slots on `remote` too: at 0 every slot is on `free`.
      if (--block.used == 0 && &block != current[block.cls] && count[block.cls] > kept_blocks) {
        unlink(block);
        Block::destroy(&block);
      }
    }

    void make_current(Block& block) noexcept {
      unlink(block);
      link_front(block);
      current[block.cls] = &block;
    }
    void link_front(Block& block) noexcept {
      block.prev = nullptr;
      block.next = blocks[block.cls];
      if (block.next != nullptr) {
        block.next->prev = &block;
      } else {
        last[block.cls] = &block;
      }
      blocks[block.cls] = &block;
      ++count[block.cls];
    }
    void unlink(Block& block) noexcept {
      if (block.prev != nullptr) block.prev->next = block.next;
      if (block.next != nullptr) block.next->prev = block.prev;
      if (last[block.cls] == &block) last[block.cls] = block.prev;
      if (blocks[block.cls] == &block) blocks[block.cls] = block.next;
      if (current[block.cls] == &block) current[block.cls] = nullptr;
      --count[block.cls];
    }

    // This thread's cache, made at its first use; null once the thread's thread-local objects
    // are being destroyed.
    static Cache* mine() noexcept {
      Cache*& cache = slot();
      if (cache == nullptr && !gone()) cache = make();
      return cache;
    }

    /// This thread's cache if it has one (deallocating makes none).
    static Cache* existing() noexcept { return slot(); }

   private:
    static Cache*& slot() noexcept {
      static thread_local Cache* cache = nullptr;
      return cache;
    }
    static bool& gone() noexcept {
      static thread_local bool gone = false;
      return gone;
    }
    static Cache* make() noexcept {
      static std::atomic<std::uint64_t> next_id{1};  // relaxed: only uniqueness matters
      // The holder's destructor runs when the thread exits and hands the blocks over.
      struct Holder {
        Cache cache{next_id.fetch_add(1, std::memory_order_relaxed)};
        ~Holder() {
          slot() = nullptr;
          gone() = true;
        }
      };
      static thread_local Holder holder;
      return &holder.cache;
    }
  };
};

}  // namespace wb
