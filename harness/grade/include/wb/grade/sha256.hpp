// SHA-256, for naming cached grades by what a submission holds: a learner must not be able to
// craft files that share a cache entry with someone else's, so the hash has to resist collisions.
// The digest is OpenSSL's (EVP): security code is better taken from a well-kept library.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace wb::grade {

class Sha256 {
 public:
  Sha256();
  Sha256& update(std::string_view data);
  /// Feeds a field of a record: its length first, so "ab"+"c" and "a"+"bc" differ.
  Sha256& field(std::string_view data);
  /// The digest as 64 hex digits (the object can no longer be updated).
  std::string hex();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* context) const noexcept;
  };
  std::unique_ptr<evp_md_ctx_st, Free> context_;
};

std::string sha256_hex(std::string_view data);

}  // namespace wb::grade
