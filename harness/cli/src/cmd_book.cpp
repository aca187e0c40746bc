// `workbook book build [--out DIR]` and `workbook book serve [--port N] [--out DIR]`: the book as
// a website (harness/book does the work). build writes a site that opens from disk; serve keeps
// it on http://127.0.0.1:PORT/ and rebuilds it whenever a page, an included file or the
// learner's progress changes.
#include <fmt/core.h>

#include <atomic>
#include <csignal>
#include <memory>

#include "wb/book/server.hpp"
#include "wb/book/site.hpp"
#include "wb/cli/command_spec.hpp"
#include "wb/cli/commands.hpp"

namespace wb::cli {

namespace {

std::atomic<bool> stop_serving{false};

std::filesystem::path site_dir(Session const& session, std::string const& out) {
  if (out.empty()) return session.paths.root / "build" / "book-site";
  return std::filesystem::absolute(out);
}

std::string milliseconds(std::chrono::microseconds elapsed) {
  return fmt::format("{:.0f} ms", static_cast<double>(elapsed.count()) / 1000.0);
}

void print_missing_assets(Session const& session, book::BuildReport const& report) {
  if (report.missing_assets.empty()) return;
  session.warning(
      "the browser libraries (highlighting, diagrams, fast search) are not installed, so code "
      "is plain and diagrams show their source: run scripts/book-assets once");
}

}  // namespace

int run_book(Session const& session, BookOptions const& options) {
  auto site = book::SiteOptions::for_repository(session.paths.root, site_dir(session, options.out));
  if (options.action == "build") {
    try {
      auto const report = book::build_site(site);
      fmt::print("{} {} chapters ({} drafts), {} links checked, in {}\n",
                 session.term.green("book built:"), report.pages, report.drafts,
                 report.links_checked, milliseconds(report.elapsed));
      fmt::print("  open {}\n", (site.out_dir / "index.html").string());
      print_missing_assets(session, report);
      return exit_ok;
    } catch (book::BookError const& error) {
      session.error(error.what());
      return exit_failed;
    } catch (std::exception const& error) {
      session.error(fmt::format("the book could not be written: {}", error.what()));
      return exit_usage;
    }
  }

  // serve: Ctrl-C ends it cleanly (nothing else runs that would need killing).
  struct sigaction action {};
  action.sa_handler = [](int) { stop_serving = true; };
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal, &action, nullptr);
  book::ServeOptions serve;
  serve.site = site;
  serve.port = options.port;
  serve.stop = &stop_serving;
  serve.log = [&session](std::string const& line) {
    fmt::print("{} {}\n", session.term.dim("book:"), line);
    std::fflush(stdout);
  };
  serve.on_listening = [](int) {
    fmt::print("Press Ctrl-C to stop.\n");
    std::fflush(stdout);
  };
  try {
    book::serve(serve);
  } catch (std::exception const& error) {
    session.error(error.what());
    return exit_usage;
  }
  return exit_ok;
}

CommandSpec book_command() {
  auto build = std::make_shared<BookOptions>();
  build->action = "build";
  auto serve = std::make_shared<BookOptions>();
  serve->action = "serve";
  CommandSpec build_command{
      "build", "Write the site (opens from disk)",
      {},      {{"--out", "Where to write it (default: build/book-site)", &build->out}},
      {},      [build](Session const& session) { return run_book(session, *build); }};
  CommandSpec serve_command{
      "serve",
      "Serve the site on localhost and rebuild it when a file changes",
      {},
      {{"--port", "The port (default 3000; 0 picks a free one)", &serve->port},
       {"--out", "Where to write the site (default: build/book-site)", &serve->out}},
      {},
      [serve](Session const& session) { return run_book(session, *serve); }};
  return {"book", "The book as a website: build it, or serve it while you read", {},
          {},     {std::move(build_command), std::move(serve_command)},          {}};
}

}  // namespace wb::cli
