// SHA-256, for naming cached grades by what a submission holds: a learner must not be able to
// craft files that share a cache entry with someone else's, so the hash has to resist collisions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace wb::cli {

class Sha256 {
 public:
  Sha256();
  Sha256& update(std::string_view data);
  /// Feeds a field of a record: its length first, so "ab"+"c" and "a"+"bc" differ.
  Sha256& field(std::string_view data);
  /// The digest as 64 hex digits (the object can no longer be updated).
  std::string hex();

 private:
  void block(unsigned char const* data);
  std::array<std::uint32_t, 8> state_;
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

std::string sha256_hex(std::string_view data);

}  // namespace wb::cli
