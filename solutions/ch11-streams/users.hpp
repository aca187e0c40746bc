// Reference solution: get_users — an AsyncGenerator whose body awaits the query, then each row,
// and yields a User per row; the first error is yielded as the last item, and the body returns.
#pragma once

#include <optional>
#include <string>
#include <user_db.hpp>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/expected.hpp>
#include <wb/stream/async_generator.hpp>

// ANCHOR: get_users
inline wb::AsyncGenerator<wb::Expected<User, DbError>> get_users(UserDb db) {
  auto cursor = co_await db.query("SELECT id, name FROM users");
  if (!cursor) {
    wb::Expected<User, DbError> failed = wb::unexpected(cursor.error());
    co_yield std::move(failed);
    co_return;  // the error is the last item
  }
  while (auto row = co_await cursor->next()) {
    if (!*row) {
      wb::Expected<User, DbError> failed = wb::unexpected(row->error());
      co_yield std::move(failed);
      co_return;
    }
    User user{(*row)->id, std::move((*row)->name)};
    co_yield std::move(user);  // handed out before the next row is read
  }
}
// ANCHOR_END: get_users
