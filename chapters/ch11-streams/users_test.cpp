// Tests for get_users: every user in order under every oracle, a failed query, a row that cannot
// be read (in the middle, and first), an empty table, each user handed out before the next row
// is read, a stream dropped half-way (the cursor closes, nothing more is read), and the stream
// under the adaptors.
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <user_db.hpp>
#include <users.hpp>
#include <utility>
#include <variant>
#include <vector>
#include <wb/exec/block_on.hpp>
#include <wb/oracle/oracles.hpp>
#include <wb/stream/collect.hpp>
#include <wb/stream/map.hpp>
#include <wb/stream/stream.hpp>
#include <wb/stream/take.hpp>
#include <wb/task/task.hpp>
#include <wb/testing/catch.hpp>

namespace {

using Item = wb::Expected<User, DbError>;
using Entry = std::variant<Row, DbError>;

std::vector<Entry> const four_users{Row{1, "ada"}, Row{2, "brian"}, Row{3, "grace"},
                                    Row{4, "linus"}};

/// What a stream handed out, in words: "ada, brian, error(disk on fire), end".
std::string describe(std::vector<Item> const& items) {
  std::ostringstream text;
  for (auto const& item : items) {
    if (item) {
      text << item->name << ", ";
    } else {
      text << "error(" << item.error().message << "), ";
    }
  }
  text << "end";
  return text.str();
}

/// Reads the whole stream, turning an exception that escapes it into a clear failure.
template <class Oracle>
std::vector<Item> read_all(Oracle oracle, UserDb db) {
  try {
    return oracle(wb::collect(get_users(std::move(db)))).value;
  } catch (wb::NotStarted const&) {
    throw;
  } catch (std::exception const& error) {
    FAIL("get_users threw \"" << error.what()
                              << "\" out of the stream. A failure is an item here: co_yield "
                                 "wb::unexpected(error) as the last item, then co_return");
  }
  return {};
}

std::vector<Item> read_all(UserDb db) {
  return read_all([](auto f) { return wb::oracle::parking(std::move(f)); }, std::move(db));
}

}  // namespace

TEST_CASE("get_users gives every user in the order of the query") {
  auto items = read_all(UserDb(four_users));
  INFO("get_users gave: " << describe(items));
  CHECK(describe(items) == "ada, brian, grace, linus, end");
  REQUIRE(items.size() == 4);
  CHECK(items[2].value() == User{3, "grace"});
}

TEST_CASE("get_users passes every oracle with replies that come from another thread") {
  auto run = [](auto oracle) {
    auto items = read_all(oracle, UserDb(four_users, Reply::from_thread));
    INFO("get_users gave: " << describe(items));
    CHECK(describe(items) == "ada, brian, grace, linus, end");
  };
  run([](auto f) { return wb::oracle::parking(std::move(f)); });
  run([](auto f) { return wb::oracle::spurious(std::move(f)); });
  run([](auto f) { return wb::oracle::waker_swap(std::move(f)); });
  run([](auto f) { return wb::oracle::threaded(std::move(f)); });
  run([](auto f) { return wb::oracle::after_ready(std::move(f)); });
}

TEST_CASE("a failed query is the stream's one item and then it ends") {
  auto items = read_all(UserDb::failing(DbError{"no such table: users"}));
  INFO("get_users gave: " << describe(items) << " — the query failed, so the stream should be "
                          << "that error and then its end; an empty stream hides the failure "
                          << "from whoever reads it");
  CHECK(describe(items) == "error(no such table: users), end");
}

TEST_CASE("a row that cannot be read ends the stream after the users before it") {
  std::vector<Entry> rows{Row{1, "ada"}, Row{2, "brian"}, DbError{"disk on fire"}, Row{4, "linus"}};
  UserDb db(rows);
  auto journal = db.journal();
  auto items = read_all(std::move(db));
  INFO("get_users gave: " << describe(items) << ", and read " << journal->rows_read.load()
                          << " rows. The error is the last item: yield it, then co_return — "
                             "do not skip the bad row, and do not read on after it");
  CHECK(describe(items) == "ada, brian, error(disk on fire), end");
  CHECK(journal->rows_read.load() == 3);
}

TEST_CASE("a first row that cannot be read is the only item") {
  std::vector<Entry> rows{DbError{"bad page"}, Row{2, "brian"}};
  auto items = read_all(UserDb(rows));
  INFO("get_users gave: " << describe(items));
  CHECK(describe(items) == "error(bad page), end");
}

TEST_CASE("an empty table gives an empty stream and no error") {
  UserDb db({});
  auto journal = db.journal();
  auto items = read_all(std::move(db));
  INFO("get_users gave: " << describe(items));
  CHECK(items.empty());
  CHECK(journal->queries.load() == 1);
  CHECK(journal->open_cursors.load() == 0);
}

TEST_CASE("each user is handed out before the next row is read") {
  UserDb db(four_users);
  auto journal = db.journal();
  auto rows_read_at_each_item =
      wb::oracle::parking(
          [](UserDb db, std::shared_ptr<Journal> journal) -> wb::Task<std::vector<int>> {
            std::vector<int> seen;
            auto users = get_users(std::move(db));
            while (auto item = co_await wb::next(users)) {
              seen.push_back(journal->rows_read.load());
            }
            co_return seen;
          }(std::move(db), journal))
          .value;
  std::ostringstream counts;
  for (int n : rows_read_at_each_item) counts << n << " ";
  INFO("when each user arrived, the rows read so far were: "
       << counts.str()
       << "— a stream hands out each item as soon as it has it. Reading every row first (into a "
          "vector) makes the first user wait for the last row, and holds the whole table in "
          "memory");
  CHECK(rows_read_at_each_item == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("dropping the stream half-way closes the cursor and reads no more rows") {
  UserDb db(four_users);
  auto journal = db.journal();
  {
    auto users = get_users(std::move(db));
    auto first = wb::block_on(wb::next(users));
    REQUIRE(first.has_value());
    CHECK(first->value().name == "ada");
    CHECK(journal->open_cursors.load() == 1);
  }
  INFO("after the stream was destroyed, "
       << journal->open_cursors.load() << " cursor(s) were open and " << journal->rows_read.load()
       << " rows had been read. Keep the cursor a local of "
          "the coroutine: destroying the stream destroys it");
  CHECK(journal->open_cursors.load() == 0);
  CHECK(journal->rows_read.load() == 1);
}

TEST_CASE("get_users is a stream like any other: take and map work on it") {
  auto names =
      wb::block_on(get_users(UserDb(four_users)) | wb::take(2) |
                   wb::map([](Item item) { return item ? item->name : "?"; }) | wb::collect());
  CHECK(names == std::vector<std::string>{"ada", "brian"});
}
