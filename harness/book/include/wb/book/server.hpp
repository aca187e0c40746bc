// wb::book::serve — the book on http://127.0.0.1:PORT for reading while writing it: built once,
// rebuilt whenever a file it was built from changes (a page, an included source file, the
// theme, a chapter.toml, the progress file), with open pages reloading themselves after a
// successful rebuild. A failed rebuild is reported and the last good site stays up.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "wb/book/site.hpp"

namespace wb::book {

/// Modification times of `files` (a missing file counts as "absent") and of every file under
/// `dirs`; two snapshots differ when anything was changed, added or removed.
using Snapshot = std::map<std::filesystem::path, std::filesystem::file_time_type>;
Snapshot take_snapshot(std::vector<std::filesystem::path> const& files,
                       std::vector<std::filesystem::path> const& dirs);

struct ServeOptions {
  SiteOptions site;                // live_reload is turned on by serve()
  std::string host = "127.0.0.1";  // only this machine: the server is for the author
  int port = 3000;                 // 0 picks a free port (see on_listening)
  std::chrono::milliseconds poll_interval{250};
  std::function<void(std::string const&)> log;  // one line per event
  std::function<void(int port)> on_listening;   // once the socket is bound
  std::atomic<bool> const* stop = nullptr;      // serve() returns soon after it turns true
};

/// Builds, serves and rebuilds until *options.stop. Throws std::runtime_error when the port
/// cannot be bound.
void serve(ServeOptions options);

/// The Content-Type for a file name's extension.
std::string content_type(std::filesystem::path const& file);

}  // namespace wb::book
