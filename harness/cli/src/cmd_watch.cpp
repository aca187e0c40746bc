// `workbook watch [CH]`: checks a chapter, then again every time one of its files is saved
// (inotify, debounced; a scan of the files' times where inotify cannot be had), and moves on to
// the next chapter once every exercise of this one passes. On a terminal, keys: n next chapter,
// h hint, l list, r re-check, c clear, q quit. Without a terminal the output is plain and the
// watch ends with SIGINT or SIGTERM.
#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"
#include "wb/run/process.hpp"

namespace wb::cli {
using namespace wb::run;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The terminal's settings before watch changed them, restored on every way out — including
// Ctrl-C, from the interrupt handler (tcsetattr is async-signal-safe).
termios saved_terminal{};
std::atomic<bool> terminal_changed{false};
std::atomic<bool> stop_requested{false};

void restore_terminal() noexcept {
  if (terminal_changed.exchange(false)) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_terminal);
}

void on_stop(int) { stop_requested.store(true); }

/// Keys without Enter and without echo while it lives; the terminal as it was afterwards.
class KeyMode {
 public:
  KeyMode() {
    if (::tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
    termios raw = saved_terminal;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
      terminal_changed.store(true);
      set_interrupt_cleanup(&restore_terminal);
    }
  }
  ~KeyMode() { restore_terminal(); }
  KeyMode(KeyMode const&) = delete;
  KeyMode& operator=(KeyMode const&) = delete;
};

/// What tells watch that a file changed: inotify on the chapter's folder, or, where inotify
/// cannot be had (or WB_WATCH_POLL is set), a scan of the files' sizes and times twice a second.
class ChangeWatch {
 public:
  explicit ChangeWatch(fs::path dir) : dir_(std::move(dir)) {
    if (std::getenv("WB_WATCH_POLL") == nullptr) {
      fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
      if (fd_ >= 0 &&
          ::inotify_add_watch(fd_, dir_.c_str(),
                              IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE) < 0) {
        ::close(fd_);
        fd_ = -1;
      }
    }
    if (fd_ < 0) snapshot_ = scan();
  }
  ~ChangeWatch() {
    if (fd_ >= 0) ::close(fd_);
  }
  ChangeWatch(ChangeWatch const&) = delete;
  ChangeWatch& operator=(ChangeWatch const&) = delete;

  bool uses_inotify() const { return fd_ >= 0; }
  /// The fd to wait on, or -1 when scanning.
  int fd() const { return fd_; }
  /// Whether anything changed since the last call (reads the pending events).
  bool changed() {
    if (fd_ >= 0) {
      bool any = false;
      alignas(inotify_event) char buffer[4096];
      for (;;) {
        auto const n = ::read(fd_, buffer, sizeof buffer);
        if (n <= 0) break;
        for (char* p = buffer; p < buffer + n;) {
          auto const* event = reinterpret_cast<inotify_event const*>(p);
          std::string_view const name = event->len > 0 ? event->name : "";
          // Editors' swap and backup files (.x.swp, x~, 4913) are not the learner's code.
          if (!name.empty() && name.front() != '.' && name.back() != '~' && name != "4913") {
            any = true;
          }
          p += sizeof(inotify_event) + event->len;
        }
      }
      return any;
    }
    auto now = scan();
    bool const any = now != snapshot_;
    snapshot_ = std::move(now);
    return any;
  }

 private:
  std::map<std::string, std::pair<std::uintmax_t, fs::file_time_type>> scan() const {
    std::map<std::string, std::pair<std::uintmax_t, fs::file_time_type>> files;
    std::error_code error;
    for (auto const& entry : fs::directory_iterator(dir_, error)) {
      std::error_code ignored;
      if (!entry.is_regular_file(ignored)) continue;
      files[entry.path().filename().string()] = {entry.file_size(ignored),
                                                 entry.last_write_time(ignored)};
    }
    return files;
  }

  fs::path dir_;
  int fd_ = -1;
  std::map<std::string, std::pair<std::uintmax_t, fs::file_time_type>> snapshot_;
};

enum class Event { changed, key, stop };

struct Waited {
  Event event;
  char key = 0;
};

/// Waits for a saved file (then for 150 ms of quiet, so that an editor's several writes of one
/// save make one check), a key when `keys`, or a request to stop.
Waited wait_for_event(ChangeWatch& files, bool keys) {
  std::optional<Clock::time_point> settle_until;
  for (;;) {
    if (stop_requested.load()) return {Event::stop};
    pollfd fds[2];
    nfds_t count = 0;
    if (files.fd() >= 0) fds[count++] = {files.fd(), POLLIN, 0};
    if (keys) fds[count++] = {STDIN_FILENO, POLLIN, 0};
    int timeout_ms = files.uses_inotify() ? 1000 : 500;
    if (settle_until) {
      auto const left = std::chrono::duration_cast<milliseconds>(*settle_until - Clock::now());
      timeout_ms = static_cast<int>(std::max<milliseconds::rep>(0, left.count()));
    }
    int const ready = ::poll(fds, count, timeout_ms);
    if (ready < 0 && errno != EINTR) return {Event::stop};
    if (keys && ready > 0 && (fds[count - 1].revents & (POLLIN | POLLHUP))) {
      char key = 0;
      if (::read(STDIN_FILENO, &key, 1) == 1) return {Event::key, key};
      return {Event::stop};  // the terminal went away
    }
    bool const poll_timed_out = ready == 0;
    if ((files.uses_inotify() && ready > 0) || (!files.uses_inotify() && poll_timed_out)) {
      if (files.changed()) settle_until = Clock::now() + milliseconds(150);
    }
    if (settle_until && Clock::now() >= *settle_until) {
      files.changed();  // what came in while settling belongs to this save
      return {Event::changed};
    }
  }
}

bool chapter_done(Session const& session, course::ChapterDir const& chapter) {
  auto const progress = session.load_progress();
  auto const* record = progress.find(chapter.id);
  return record != nullptr && record->status == course::ChapterStatus::done;
}

/// The chapter to start with: the one named, else the first not done.
std::optional<course::ChapterDir> first_chapter(Session const& session, std::string const& name) {
  if (!name.empty()) return session.resolve(name);
  for (auto const& chapter : session.chapters) {
    if (!chapter_done(session, chapter)) return chapter;
  }
  if (session.chapters.empty()) {
    session.error("there are no chapters here (no chapters/chNN-*/chapter.toml)");
    return std::nullopt;
  }
  return session.chapters.back();
}

/// The first chapter after `chapter` that is not done yet.
std::optional<course::ChapterDir> next_unfinished(Session const& session,
                                                  course::ChapterDir const& chapter) {
  auto next = session.next_chapter(chapter);
  while (next && chapter_done(session, *next)) next = session.next_chapter(*next);
  return next;
}

}  // namespace

int run_watch(Session const& session, WatchOptions const& options) {
  auto chapter = first_chapter(session, options.chapter);
  if (!chapter) return exit_usage;
  auto const& term = session.term;
  bool const keys = ::isatty(STDIN_FILENO) == 1 && term.interactive();

  struct sigaction stop {};
  stop.sa_handler = on_stop;
  sigemptyset(&stop.sa_mask);
  if (!keys) {  // with keys, q ends the watch and Ctrl-C keeps its usual meaning
    ::sigaction(SIGINT, &stop, nullptr);
    ::sigaction(SIGTERM, &stop, nullptr);
  }
  std::optional<KeyMode> key_mode;
  if (keys) key_mode.emplace();

  auto const clear_screen = [&] {
    if (term.interactive()) fmt::print("\x1b[2J\x1b[H");
  };
  auto const footer = [&](ChangeWatch const& files) {
    fmt::print("\n{}\n",
               term.dim(fmt::format("watching {} — save a file to check again{}",
                                    session.paths.shown(chapter->dir).string(),
                                    files.uses_inotify() ? "" : " (scanning: no inotify)")));
    if (keys) {
      fmt::print("{}\n", term.dim("keys: n next chapter · h hint · l list · r check again · "
                                  "c clear · q quit"));
    }
    std::fflush(stdout);
  };

  bool check_now = true;
  std::string banner;  // said above the next check: why watch moved on
  // Made before a check and kept until the chapter changes: a save during a check, a hint or a
  // list is seen when watch next waits.
  std::optional<ChangeWatch> watching;
  fs::path watched_dir;
  while (!stop_requested.load()) {
    if (!watching || watched_dir != chapter->dir) {
      watching.reset();
      watching.emplace(chapter->dir);
      watched_dir = chapter->dir;
    }
    ChangeWatch& files = *watching;
    if (check_now) {
      clear_screen();
      if (!banner.empty()) fmt::print("{}\n\n", term.green(std::exchange(banner, {})));
      int const status = run_check(session, CheckOptions{chapter->id});
      if (status == exit_ok) {
        if (auto next = next_unfinished(session, *chapter)) {
          banner = fmt::format("Every exercise of {} passes. On to {}.", chapter->id, next->id);
          fmt::print("\n{}\n", term.green(banner));
          chapter = std::move(*next);
          continue;  // check the next chapter at once: it shows what to do there
        }
        fmt::print("\n{}\n", term.green(fmt::format("Every exercise of {} passes, and every "
                                                    "chapter after it is done.",
                                                    chapter->id)));
      }
    }
    check_now = false;
    footer(files);
    auto const waited = wait_for_event(files, keys);
    if (waited.event == Event::stop) break;
    if (waited.event == Event::changed) {
      check_now = true;
      continue;
    }
    switch (waited.key) {
      case 'q':
      case 'Q':
        return exit_ok;
      case 'r':
      case 'R':
        check_now = true;
        break;
      case 'c':
      case 'C':
        clear_screen();
        break;
      case 'h':
      case 'H':
        fmt::print("\n");
        run_hint(session, HintOptions{chapter->id, std::nullopt, false});
        break;
      case 'l':
      case 'L':
        fmt::print("\n");
        run_list(session);
        break;
      case 'n':
      case 'N':
        if (auto next = session.next_chapter(*chapter)) {
          chapter = std::move(*next);
          check_now = true;
        } else {
          fmt::print("\n{} is the last chapter.\n", chapter->id);
        }
        break;
      default:
        break;
    }
  }
  fmt::print("\n");
  return exit_ok;
}

CommandSpec watch_command() {
  auto options = std::make_shared<WatchOptions>();
  return {"watch",
          "Check a chapter again every time you save, and move on when it passes",
          "Keys on a terminal: n next chapter, h hint, l list, r check again, c clear, q quit.",
          {{"chapter", "The chapter (default: the first one not done)", &options->chapter}},
          {},
          [options](Session const& session) { return run_watch(session, *options); }};
}

}  // namespace wb::cli
