// Document — a title and a body that count how often they are copied and notice being read after
// they were destroyed. The tests use the first to prove which version copies, and the second to
// catch a task that borrowed a document and outlived it. (Given, not an exercise.)
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

// ANCHOR: document
class Document {
 public:
  Document(std::string title, std::string body)
      : title_(std::move(title)), body_(std::move(body)) {}

  /// A copy duplicates the whole body: counted.
  Document(Document const& other) : title_(other.title()), body_(other.body()) {
    copies_.fetch_add(1, std::memory_order_relaxed);
  }
  /// A move hands the body over: free, not counted.
  Document(Document&& other) noexcept
      : title_(std::move(other.title_)), body_(std::move(other.body_)) {}
  Document& operator=(Document const& other) {
    copies_.fetch_add(1, std::memory_order_relaxed);
    title_ = other.title();
    body_ = other.body();
    return *this;
  }
  Document& operator=(Document&& other) noexcept {
    title_ = std::move(other.title_);
    body_ = std::move(other.body_);
    return *this;
  }
  ~Document() { alive_.store(destroyed, std::memory_order_release); }

  std::string const& title() const { return checked(title_); }
  std::string const& body() const { return checked(body_); }

  /// Copies made since the last reset_counts().
  static std::size_t copies() { return copies_.load(); }
  /// Reads of a document that had been destroyed, since the last reset_counts().
  static std::size_t reads_after_destruction() { return late_reads_.load(); }
  static void reset_counts() {
    copies_.store(0);
    late_reads_.store(0);
  }
  // ANCHOR_END: document

 private:
  static constexpr std::uint32_t living = 0x600dd0c5;
  static constexpr std::uint32_t destroyed = 0xdeadd0c5;

  // A destroyed document's strings are gone: note the read and hand back an empty one instead.
  std::string const& checked(std::string const& field) const {
    if (alive_.load(std::memory_order_acquire) == living) return field;
    late_reads_.fetch_add(1, std::memory_order_relaxed);
    static std::string const nothing;
    return nothing;
  }

  std::string title_;
  std::string body_;
  std::atomic<std::uint32_t> alive_{living};  // atomic: a destructor's plain store may be elided
  static inline std::atomic<std::size_t> copies_{0};
  static inline std::atomic<std::size_t> late_reads_{0};
};
