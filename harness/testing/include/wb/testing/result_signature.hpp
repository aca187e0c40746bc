// Signed reporter lines for grading: the workbook hands a test program a secret key through a
// pipe, the "wb" reporter appends a SipHash-2-4 tag over (line number, line) to every line it
// writes, and the runner credits only lines whose tag checks out. Text the learner's code prints —
// or a copy of an earlier real line — carries no valid tag, so it cannot fake a result.
// SipHash and the key's random bytes are OpenSSL's (EVP_MAC "SIPHASH", RAND_bytes).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wb::testing {

/// The secret shared by the runner and one start of a test program.
struct ResultKey {
  std::array<std::uint64_t, 2> words{};

  /// A fresh key from OpenSSL's random source (seeded by the kernel).
  static ResultKey random();
  /// As 32 hex digits (what goes down the pipe) and back.
  std::string to_hex() const;
  static std::optional<ResultKey> from_hex(std::string_view hex);
};

/// The environment variable naming the descriptor the key can be read from (once).
inline constexpr char const* result_key_fd_variable = "WB_RESULT_KEY_FD";

/// SipHash-2-4 of `data` under `key` (its 64-bit output, read little-endian).
std::uint64_t siphash24(ResultKey const& key, std::string_view data);

/// `line` with its tag appended: "<line>\t#<16 hex digits>"; `sequence` counts the lines a
/// program has written since it started, from 0.
std::string sign_line(ResultKey const& key, std::uint64_t sequence, std::string_view line);

/// The line without its tag when the tag is right for `sequence`, else nothing.
std::optional<std::string_view> verify_line(ResultKey const& key, std::uint64_t sequence,
                                            std::string_view signed_line);

}  // namespace wb::testing
