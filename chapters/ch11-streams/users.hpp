// Exercise: get_users — a stream written as a coroutine. It runs one query and hands out each
// row of the answer as a User, one at a time, as the rows come in: an AsyncGenerator, whose body
// co_awaits the database and co_yields each user. A failure — of the query, or of one row — is
// not an exception: it is handed out as the stream's last item (an Expected holding the
// DbError), and then the stream ends, the way Rust's try_stream! ends at the first error.
// Read book/src/ch11-streams.md, then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch11
#pragma once

#include <optional>
#include <string>
#include <user_db.hpp>
#include <utility>
#include <wb/core/contract.hpp>
#include <wb/core/expected.hpp>
#include <wb/stream/async_generator.hpp>

// ANCHOR: get_users_stub
/// Every user of `db`, in the order the query returns them. If the query fails, or a row cannot
/// be read, that error is the last item and the stream ends there.
inline wb::AsyncGenerator<wb::Expected<User, DbError>> get_users(UserDb db) {
  (void)db;
  WB_TODO(
      "make this function a coroutine: auto cursor = co_await db.query(\"SELECT id, name FROM "
      "users\"); then, while the cursor's next() gives a row, co_yield a User made from it; an "
      "error (from the query or a row) is co_yielded as wb::unexpected(error), then co_return");
}
// ANCHOR_END: get_users_stub
