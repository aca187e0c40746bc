#include "wb/testing/result_signature.hpp"

#include <sys/random.h>

#include <cstdio>
#include <random>

namespace wb::testing {
namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

std::uint64_t read_le64(unsigned char const* p) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void absorb(std::uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hex64(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::optional<std::uint64_t> parse_hex64(std::string_view text) {
  if (text.size() != 16) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    int const digit = hex_digit(c);
    if (digit < 0) return std::nullopt;
    value = (value << 4) | static_cast<std::uint64_t>(digit);
  }
  return value;
}

std::string tagged_message(std::uint64_t sequence, std::string_view line) {
  std::string message = std::to_string(sequence);
  message += '\n';
  message += line;
  return message;
}

}  // namespace

ResultKey ResultKey::random() {
  ResultKey key;
  auto* bytes = reinterpret_cast<unsigned char*>(key.words.data());
  std::size_t filled = 0;
  while (filled < sizeof key.words) {
    auto const n = ::getrandom(bytes + filled, sizeof key.words - filled, 0);
    if (n <= 0) break;
    filled += static_cast<std::size_t>(n);
  }
  if (filled < sizeof key.words) {  // no getrandom: the C++ library's source is the next best
    std::random_device device;
    for (auto& word : key.words) word = (std::uint64_t{device()} << 32) ^ device();
  }
  return key;
}

std::string ResultKey::to_hex() const { return hex64(words[0]) + hex64(words[1]); }

std::optional<ResultKey> ResultKey::from_hex(std::string_view hex) {
  if (hex.size() != 32) return std::nullopt;
  auto first = parse_hex64(hex.substr(0, 16));
  auto second = parse_hex64(hex.substr(16));
  if (!first || !second) return std::nullopt;
  ResultKey key;
  key.words = {*first, *second};
  return key;
}

std::uint64_t siphash24(ResultKey const& key, std::string_view data) {
  auto const k0 = key.words[0];
  auto const k1 = key.words[1];
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  auto const* p = reinterpret_cast<unsigned char const*>(data.data());
  std::size_t const size = data.size();
  std::size_t const whole = size - size % 8;
  for (std::size_t i = 0; i < whole; i += 8) s.absorb(read_le64(p + i));
  std::uint64_t last = static_cast<std::uint64_t>(size & 0xff) << 56;
  for (std::size_t i = 0; i < size % 8; ++i) last |= std::uint64_t{p[whole + i]} << (8 * i);
  s.absorb(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

std::string sign_line(ResultKey const& key, std::uint64_t sequence, std::string_view line) {
  std::string out(line);
  out += "\t#";
  out += hex64(siphash24(key, tagged_message(sequence, line)));
  return out;
}

std::optional<std::string_view> verify_line(ResultKey const& key, std::uint64_t sequence,
                                            std::string_view signed_line) {
  if (!signed_line.empty() && signed_line.back() == '\r') signed_line.remove_suffix(1);
  auto const at = signed_line.rfind("\t#");
  if (at == std::string_view::npos) return std::nullopt;
  auto const line = signed_line.substr(0, at);
  auto const tag = parse_hex64(signed_line.substr(at + 2));
  if (!tag) return std::nullopt;
  if (siphash24(key, tagged_message(sequence, line)) != *tag) return std::nullopt;
  return line;
}

}  // namespace wb::testing
