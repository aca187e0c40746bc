// A pretend database for the tests of get_users: query(sql) answers with a Cursor (or a DbError),
// and the cursor hands out its rows one at a time — each a Row, or a DbError for a row that could
// not be read — and then nullopt. Every call is a future that is Pending once before it answers,
// woken at once or from another thread a moment later, like a reply over the network. A shared
// Journal counts what was asked of it, so the tests can see when each row was read and whether a
// cursor is still open. (Given, not an exercise.)
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>
#include <wb/core/expected.hpp>
#include <wb/core/yield_now.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/delayed_wake.hpp>

// ANCHOR: user_db
struct DbError {
  std::string message;
};

/// One row of the users table, as the database returns it.
struct Row {
  int id = 0;
  std::string name;
};

/// What get_users hands out: one user.
struct User {
  int id = 0;
  std::string name;
  friend bool operator==(User const&, User const&) = default;
};

/// What the database was asked, for the tests: queries run, rows read, cursors open now.
struct Journal {
  std::atomic<int> queries{0};
  std::atomic<int> rows_read{0};
  std::atomic<int> open_cursors{0};
};

/// Where an answer comes from: at once, or from another thread a moment later.
enum class Reply { at_once, from_thread };

class Cursor {
 public:
  /// The next row (or the error of a row that could not be read), or nullopt after the last.
  /// The cursor must outlive the future.
  wb::Task<std::optional<wb::Expected<Row, DbError>>> next();

  Cursor(Cursor&& other) noexcept
      : rows_(std::move(other.rows_)),
        at_(other.at_),
        reply_(other.reply_),
        journal_(std::move(other.journal_)) {}
  Cursor& operator=(Cursor&&) = delete;
  ~Cursor() {
    if (journal_) --journal_->open_cursors;  // closing the cursor
  }

 private:
  friend class UserDb;
  using Entry = std::variant<Row, DbError>;
  Cursor(std::vector<Entry> rows, Reply reply, std::shared_ptr<Journal> journal)
      : rows_(std::move(rows)), reply_(reply), journal_(std::move(journal)) {
    ++journal_->open_cursors;
  }

  std::vector<Entry> rows_;
  std::size_t at_ = 0;
  Reply reply_;
  std::shared_ptr<Journal> journal_;
};

/// A handle to the database: cheap to copy, every copy talks to the same tables.
class UserDb {
 public:
  /// The users table holds `rows`; an entry that is a DbError is a row that cannot be read.
  explicit UserDb(std::vector<std::variant<Row, DbError>> rows, Reply reply = Reply::at_once)
      : rows_(std::move(rows)), reply_(reply) {}
  /// A database whose every query fails with `error`.
  static UserDb failing(DbError error, Reply reply = Reply::at_once) {
    UserDb db({}, reply);
    db.query_error_ = std::move(error);
    return db;
  }

  /// Runs `sql` and answers with a cursor over the users table, or with the query's error.
  wb::Task<wb::Expected<Cursor, DbError>> query(std::string sql);

  std::shared_ptr<Journal> journal() const { return journal_; }

 private:
  std::vector<std::variant<Row, DbError>> rows_;
  Reply reply_;
  std::optional<DbError> query_error_;
  std::shared_ptr<Journal> journal_ = std::make_shared<Journal>();
};
// ANCHOR_END: user_db

namespace user_db_detail {
/// Pending once, then Ready: woken at once, or by another thread a moment later.
inline wb::Task<void> network_gap(Reply reply) {
  if (reply == Reply::at_once) {
    co_await wb::yield_now();
  } else {
    wb::testing::DelayedWake reply_arrives(std::chrono::milliseconds(1));
    co_await reply_arrives;
  }
}
}  // namespace user_db_detail

inline wb::Task<std::optional<wb::Expected<Row, DbError>>> Cursor::next() {
  co_await user_db_detail::network_gap(reply_);
  if (at_ == rows_.size()) co_return std::nullopt;
  ++journal_->rows_read;
  Entry& entry = rows_[at_++];
  if (auto* error = std::get_if<DbError>(&entry)) {
    wb::Expected<Row, DbError> failed = wb::unexpected(*error);
    co_return std::optional<wb::Expected<Row, DbError>>(std::move(failed));
  }
  wb::Expected<Row, DbError> row = std::get<Row>(entry);
  co_return std::optional<wb::Expected<Row, DbError>>(std::move(row));
}

inline wb::Task<wb::Expected<Cursor, DbError>> UserDb::query(std::string sql) {
  (void)sql;  // this database has one table and answers every query with it
  co_await user_db_detail::network_gap(reply_);
  ++journal_->queries;
  if (query_error_) co_return wb::unexpected(*query_error_);
  Cursor cursor(rows_, reply_, journal_);
  co_return std::move(cursor);
}
