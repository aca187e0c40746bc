#include "wb/grade/sha256.hpp"

#include <fmt/core.h>
#include <openssl/evp.h>

#include <new>
#include <stdexcept>

namespace wb::grade {
namespace {

void check(int ok, char const* what) {
  if (ok != 1) throw std::runtime_error(fmt::format("OpenSSL's SHA-256 failed in {}", what));
}

}  // namespace

void Sha256::Free::operator()(evp_md_ctx_st* context) const noexcept { EVP_MD_CTX_free(context); }

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (!context_) throw std::bad_alloc();
  check(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
}

Sha256& Sha256::update(std::string_view data) {
  check(EVP_DigestUpdate(context_.get(), data.data(), data.size()), "EVP_DigestUpdate");
  return *this;
}

Sha256& Sha256::field(std::string_view data) {
  update(fmt::format("{}:", data.size()));
  return update(data);
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  check(EVP_DigestFinal_ex(context_.get(), digest, &size), "EVP_DigestFinal_ex");
  std::string out;
  out.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

std::string sha256_hex(std::string_view data) { return Sha256().update(data).hex(); }

}  // namespace wb::grade
