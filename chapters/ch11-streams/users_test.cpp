// Tests for get_users: every user in order under every oracle, a failed query, a row that cannot
// be read (in the middle, and first), an empty table, each user handed out before the next row
// is read, a stream dropped half-way (the cursor closes, nothing more is read), and the stream
// under the adaptors.
#include <cstddef>
#include <memory>
#include <optional>
#include <random>
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
#include <wb/testing/test_seed.hpp>

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

/// A table as the learner would write it down: "[7 ada, 3 \"\", error(bad page), 12 bo]".
std::string show(std::vector<Entry> const& rows) {
  std::ostringstream text;
  text << "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    text << (i == 0 ? "" : ", ");
    if (auto const* row = std::get_if<Row>(&rows[i])) {
      text << row->id << " \"" << row->name << "\"";
    } else {
      text << "error(" << std::get<DbError>(rows[i]).message << ")";
    }
  }
  text << "]";
  return text.str();
}

/// What a stream handed out, with the ids: "7 ada, 3 \"\", error(bad page), end".
std::string describe_with_ids(std::vector<Item> const& items) {
  std::ostringstream text;
  for (auto const& item : items) {
    if (item) {
      text << item->id << " \"" << item->name << "\", ";
    } else {
      text << "error(" << item.error().message << "), ";
    }
  }
  text << "end";
  return text.str();
}

/// 0 to 8 rows with ids in no order (repeats allowed), names that may be empty or repeat, and
/// now and then a row that cannot be read.
std::vector<Entry> random_table(std::mt19937_64& random) {
  static char const* const names[] = {"ada", "bo", "", "grace", "ada lovelace", "x"};
  std::size_t const count = std::uniform_int_distribution<std::size_t>(0, 8)(random);
  std::vector<Entry> rows;
  for (std::size_t i = 0; i < count; ++i) {
    if (std::bernoulli_distribution(0.12)(random)) {
      rows.emplace_back(DbError{"bad page " + std::to_string(i + 1)});
    } else {
      rows.emplace_back(Row{std::uniform_int_distribution<int>(-5, 99)(random),
                            names[std::uniform_int_distribution<int>(0, 5)(random)]});
    }
  }
  return rows;
}

/// The stream a table should give: a user per row up to the first bad one, then its error.
std::vector<Item> model_users(std::vector<Entry> const& rows) {
  std::vector<Item> items;
  for (auto const& entry : rows) {
    if (auto const* row = std::get_if<Row>(&entry)) {
      items.emplace_back(User{row->id, row->name});
    } else {
      items.emplace_back(wb::unexpected(std::get<DbError>(entry)));
      break;
    }
  }
  return items;
}

/// Takes at most `limit` items and drops the stream.
wb::Task<std::vector<Item>> take_and_drop(UserDb db, std::size_t limit) {
  std::vector<Item> items;
  auto users = get_users(std::move(db));
  while (items.size() < limit) {
    auto item = co_await wb::next(users);
    if (!item) break;
    items.push_back(std::move(*item));
  }
  co_return items;
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

TEST_CASE("random tables read whole or dropped part-way give the users the table holds") {
  // Differential: 200 tables with ids in no order, empty and repeated names and now and then a
  // row that cannot be read, each read to its end or dropped after a random number of items,
  // against a plain loop over the rows. The seed is new each run and printed with a failure, so
  // the same tables can be run again.
  auto const seed = wb::testing::TestSeed::pick();
  std::mt19937_64 random(seed.value);
  for (int round = 1; round <= 200; ++round) {
    auto const rows = random_table(random);
    auto const expected = model_users(rows);
    bool const drop = std::bernoulli_distribution(0.4)(random);
    std::size_t const limit =
        drop ? std::uniform_int_distribution<std::size_t>(0, expected.size())(random)
             : expected.size() + 1;
    auto const reply = round % 10 == 0 ? Reply::from_thread : Reply::at_once;
    UserDb db(rows, reply);
    auto journal = db.journal();
    auto const got = wb::oracle::parking(take_and_drop(std::move(db), limit)).value;
    std::vector<Item> const wanted(
        expected.begin(),
        expected.begin() + static_cast<std::ptrdiff_t>(std::min(limit, expected.size())));
    // The rows read: one per item handed out (an error is a row too); all of them when the
    // stream was read to its end without an error.
    bool const to_the_end = limit > expected.size();
    bool const ends_in_error = !expected.empty() && !expected.back().has_value();
    int const rows_expected = static_cast<int>(
        to_the_end && !ends_in_error ? rows.size() : std::min(limit, expected.size()));
    std::string const what = "table " + std::to_string(round) + " of 200: " + show(rows) +
                             (to_the_end ? ", read to its end"
                                         : ", dropped after " + std::to_string(limit) + " item" +
                                               (limit == 1 ? "" : "s"));
    if (describe_with_ids(got) != describe_with_ids(wanted)) {
      FAIL(what << ": get_users gave " << describe_with_ids(got) << " where it should give "
                << describe_with_ids(wanted)
                << ". Each row becomes the User with that row's own id and name, in the order "
                   "of the rows; the first row that cannot be read is the last item. This "
                   "usually means one of: an id or name made up instead of copied from the row, "
                   "a row skipped or read twice, or an error not yielded as the last item ("
                << seed.replay("ch11") << ")");
    }
    if (journal->rows_read.load() != rows_expected || journal->open_cursors.load() != 0) {
      FAIL(what << ": get_users read " << journal->rows_read.load() << " rows where "
                << rows_expected << " were needed, and left " << journal->open_cursors.load()
                << " cursor(s) open. A stream reads a row only when its next item is asked for, "
                   "stops at the first error, and its cursor closes when it ends or is "
                   "dropped. This usually means one of: rows read ahead of the items, reading on "
                   "after an error, or a cursor kept somewhere other than the coroutine's locals ("
                << seed.replay("ch11") << ")");
    }
  }
}
