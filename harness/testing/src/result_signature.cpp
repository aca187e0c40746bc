#include "wb/testing/result_signature.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace wb::testing {
namespace {

void write_le64(std::uint64_t value, unsigned char* p) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(value >> (8 * i));
}

std::uint64_t read_le64(unsigned char const* p) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

// OpenSSL's SipHash, fetched once per program and shared by its threads.
EVP_MAC* siphash_algorithm() {
  static EVP_MAC* const algorithm = [] {
    EVP_MAC* const fetched = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    if (!fetched) throw std::runtime_error("OpenSSL offers no SipHash (EVP_MAC_fetch failed)");
    return fetched;
  }();
  return algorithm;
}

struct FreeMacContext {
  void operator()(EVP_MAC_CTX* context) const noexcept { EVP_MAC_CTX_free(context); }
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
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw std::runtime_error("OpenSSL's random source gave no key (RAND_bytes failed)");
  }
  ResultKey key;
  key.words = {read_le64(bytes), read_le64(bytes + 8)};
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
  // SipHash-2-4's key is the two words in little-endian order; its 64-bit output likewise.
  unsigned char key_bytes[16];
  write_le64(key.words[0], key_bytes);
  write_le64(key.words[1], key_bytes + 8);
  std::size_t size = 8;  // OpenSSL's default is the 128-bit variant
  OSSL_PARAM const params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                               OSSL_PARAM_construct_end()};
  std::unique_ptr<EVP_MAC_CTX, FreeMacContext> const context(EVP_MAC_CTX_new(siphash_algorithm()));
  unsigned char tag[8];
  std::size_t written = 0;
  if (!context || EVP_MAC_init(context.get(), key_bytes, sizeof key_bytes, params) != 1 ||
      EVP_MAC_update(context.get(), reinterpret_cast<unsigned char const*>(data.data()),
                     data.size()) != 1 ||
      EVP_MAC_final(context.get(), tag, &written, sizeof tag) != 1 || written != sizeof tag) {
    throw std::runtime_error("OpenSSL's SipHash failed");
  }
  return read_le64(tag);
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
