#include "wb/book/site.hpp"

#include <toml++/toml.h>

#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "wb/book/html.hpp"
#include "wb/book/include_expander.hpp"
#include "wb/book/link_check.hpp"
#include "wb/book/markdown.hpp"
#include "wb/book/search_index.hpp"
#include "wb/book/summary.hpp"
#include "wb/course/files.hpp"
#include "wb/course/manifest.hpp"
#include "wb/course/paths.hpp"
#include "wb/course/progress.hpp"

namespace wb::book {
namespace fs = std::filesystem;

SiteOptions SiteOptions::for_repository(fs::path const& root, fs::path const& out_dir) {
  SiteOptions options;
  options.root = root;
  options.book_dir = root / "book";
  options.theme_dir = root / "harness" / "book" / "theme";
  course::Paths const paths{root, {}};
  options.chapters_dir = paths.chapters_dir();
  options.progress_file = paths.progress_file();
  options.node_modules = root / "node_modules";
  options.out_dir = out_dir;
  return options;
}

namespace {

struct BookConfig {
  std::string title = "Book";
  std::string description;
  std::string language = "en";
  std::string src = "src";
  std::string default_theme = "light";
  std::string dark_theme = "navy";
};

struct Page {
  TocEntry const* entry = nullptr;
  std::string src_path;   // "ch02-future-concept.md", relative to the source folder
  std::string html_path;  // "ch02-future-concept.html"
  std::string stem;       // "ch02-future-concept"
  fs::path file;
  std::string source;
  std::string expanded;  // with every {{#include}} replaced
  RenderedMarkdown rendered;
  RenderedMarkdown printed;  // the same chapter as the print page shows it
  std::string title;
  std::optional<course::ChapterManifest> chapter;
};

struct Output {
  fs::path path;  // relative to the output folder
  std::string content;
};

BookConfig read_config(fs::path const& file, std::vector<Problem>& problems) {
  BookConfig config;
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (toml::parse_error const& error) {
    problems.push_back(
        {file, static_cast<int>(error.source().begin.line), std::string(error.description())});
    return config;
  }
  config.title = root["book"]["title"].value_or(config.title);
  config.description = root["book"]["description"].value_or(config.description);
  config.language = root["book"]["language"].value_or(config.language);
  config.src = root["book"]["src"].value_or(config.src);
  config.default_theme = root["output"]["html"]["default-theme"].value_or(config.default_theme);
  config.dark_theme = root["output"]["html"]["preferred-dark-theme"].value_or(config.dark_theme);
  return config;
}

// mdBook's light themes are "light" and "rust"; everything else it has is dark.
std::string theme_family(std::string const& mdbook_theme) {
  if (mdbook_theme == "light" || mdbook_theme == "rust") return "light";
  if (mdbook_theme == "auto") return "auto";
  return "dark";
}

std::string path_to_root(std::string const& html_path) {
  std::string root;
  for (char c : html_path)
    if (c == '/') root += "../";
  return root;
}

// A SUMMARY.md title is Markdown inline text: `code`, *emphasis*.
std::string inline_markdown(std::string_view text) {
  auto html = render_markdown(text).html;
  if (html.substr(0, 3) == "<p>") html = html.substr(3);
  while (!html.empty() && html.back() == '\n') html.pop_back();
  if (html.size() >= 4 && html.substr(html.size() - 4) == "</p>") html.resize(html.size() - 4);
  return html;
}

std::string chapter_id_of(std::string const& stem) {
  auto const id = stem.substr(0, stem.find('-'));
  if (id.size() == 4 && id.substr(0, 2) == "ch" &&
      std::isdigit(static_cast<unsigned char>(id[2])) &&
      std::isdigit(static_cast<unsigned char>(id[3]))) {
    return id;
  }
  return {};
}

std::string status_class(course::ChapterStatus status) {
  switch (status) {
    case course::ChapterStatus::done:
      return "done";
    case course::ChapterStatus::in_progress:
      return "in-progress";
    case course::ChapterStatus::not_started:
      break;
  }
  return "not-started";
}

// chapters/<slug>/chapter.toml, when the folder has one; a manifest that cannot be read is a
// problem (the book should not hide a broken chapter), but one whose exercises are still being
// written is not.
std::optional<course::ChapterManifest> read_chapter(fs::path const& chapters_dir,
                                                    std::string const& slug,
                                                    std::vector<Problem>& problems) {
  auto const dir = chapters_dir / slug;
  std::error_code error;
  if (!fs::is_regular_file(dir / "chapter.toml", error)) return std::nullopt;
  try {
    return course::load_chapter(dir, course::Exercises::optional);
  } catch (course::ManifestError const& failure) {
    problems.push_back({failure.file(), failure.line(), failure.problem()});
    return std::nullopt;
  }
}

// The learner's progress by chapter id; none when the file is missing or cannot be read
// (`workbook` sets an unreadable file aside; the book just shows no status).
std::map<std::string, course::ChapterProgress> read_progress(fs::path const& file) {
  if (file.empty()) return {};
  try {
    return course::ProgressStore(file).load().chapters;
  } catch (course::ProgressError const&) {
    return {};
  }
}

std::string points_text(int best, int total) {
  return std::to_string(best) + "/" + std::to_string(total) + " points";
}

class SiteBuilder {
 public:
  explicit SiteBuilder(SiteOptions const& options) : options_(options) {}
  BuildReport build();

 private:
  void load_pages();
  std::string toc_html(std::string const* active, std::string const& root) const;
  std::string chapter_nav(std::size_t index, std::string const& root) const;
  std::string exercises_card(Page const& page) const;
  std::string page_html(std::string const& title, std::string const& content,
                        std::string const& html_path, std::string const* active,
                        std::string const& nav, std::string const& body_class,
                        bool has_mermaid) const;
  std::string print_link(Page const& page, std::string_view href) const;
  void copy_assets(BuildReport& report);
  void remove_stale_pages(std::set<fs::path> const& written) const;

  SiteOptions const& options_;
  std::vector<Problem> problems_;
  BookConfig config_;
  fs::path source_dir_;
  Summary summary_;
  std::vector<Page> pages_;
  std::map<std::string, std::size_t> page_by_path_;  // src_path -> index in pages_
  std::map<std::string, course::ChapterProgress> progress_;
  std::string template_;
  std::set<fs::path> inputs_;
};

void SiteBuilder::load_pages() {
  for (auto const* entry : summary_.pages()) {
    Page page;
    page.entry = entry;
    page.src_path = fs::path(entry->path).lexically_normal().generic_string();
    if (page_by_path_.count(page.src_path) != 0) {
      problems_.push_back({source_dir_ / "SUMMARY.md", entry->line,
                           entry->path + " is listed twice; a page can appear only once"});
      continue;
    }
    if (page.src_path.size() < 4 || page.src_path.substr(page.src_path.size() - 3) != ".md") {
      problems_.push_back(
          {source_dir_ / "SUMMARY.md", entry->line, entry->path + ": a chapter is a .md file"});
      continue;
    }
    page.stem = page.src_path.substr(0, page.src_path.size() - 3);
    page.html_path = page.stem + ".html";
    page.file = source_dir_ / page.src_path;
    inputs_.insert(page.file);
    if (auto source = course::read_file(page.file)) {
      page.source = std::move(*source);
    } else {
      problems_.push_back({source_dir_ / "SUMMARY.md", entry->line,
                           entry->path +
                               " is listed, but there is no such file (write it, or "
                               "list the chapter as a draft: - [" +
                               entry->title + "]())"});
      continue;
    }
    auto expanded = expand_includes(page.source, page.file, problems_);
    inputs_.insert(expanded.included.begin(), expanded.included.end());
    page.expanded = std::move(expanded.text);
    page.rendered = render_markdown(page.expanded);
    page.title = entry->title;
    for (auto const& heading : page.rendered.headings) {
      if (heading.level == 1) {
        page.title = heading.text;
        break;
      }
    }
    auto const slug = fs::path(page.stem).filename().string();
    page.chapter = read_chapter(options_.chapters_dir, slug, problems_);
    inputs_.insert(options_.chapters_dir / slug / "chapter.toml");
    page_by_path_[page.src_path] = pages_.size();
    pages_.push_back(std::move(page));
  }
  // The print page's links point into itself, so they can be made once every page is known.
  for (std::size_t index = 0; index < pages_.size(); ++index) {
    RenderOptions print_options;
    print_options.id_prefix = pages_[index].stem + "--";
    print_options.rewrite_link = [this, index](std::string_view href) {
      return print_link(pages_[index], href);
    };
    pages_[index].printed = render_markdown(pages_[index].expanded, print_options);
  }
}

// On the print page every chapter is a section of one document: a link to another chapter
// becomes a link to that chapter's section, and ids carry the chapter's name.
std::string SiteBuilder::print_link(Page const& page, std::string_view href) const {
  if (is_external_link(href)) return std::string(href);
  auto const hash = href.find('#');
  auto const path = std::string(href.substr(0, hash));
  auto const fragment =
      hash == std::string_view::npos ? std::string{} : std::string(href.substr(hash + 1));
  std::string target_stem;
  if (path.empty()) {
    target_stem = page.stem;
  } else {
    auto resolved = (fs::path(page.src_path).parent_path() / percent_decode(path))
                        .lexically_normal()
                        .generic_string();
    if (resolved.size() > 5 && resolved.substr(resolved.size() - 5) == ".html")
      resolved = resolved.substr(0, resolved.size() - 5) + ".md";
    auto const found = page_by_path_.find(resolved);
    if (found == page_by_path_.end()) return md_link_to_html(href);  // a file, not a chapter
    target_stem = pages_[found->second].stem;
  }
  return fragment.empty() ? "#" + target_stem : "#" + target_stem + "--" + fragment;
}

std::string SiteBuilder::toc_html(std::string const* active, std::string const& root) const {
  std::string html = "<ol class=\"chapter\">";
  int depth = 0;
  for (auto const& entry : summary_.entries) {
    int const target_depth = entry.kind == TocEntry::Kind::numbered ? entry.depth : 0;
    while (depth < target_depth) {
      html += "<li class=\"section-list\"><ol class=\"section\">";
      ++depth;
    }
    while (depth > target_depth) {
      html += "</ol></li>";
      --depth;
    }
    switch (entry.kind) {
      case TocEntry::Kind::part_title:
        html += "<li class=\"part-title\">" + inline_markdown(entry.title) + "</li>";
        continue;
      case TocEntry::Kind::separator:
        html += "<li class=\"spacer\"></li>";
        continue;
      default:
        break;
    }
    std::string label;
    if (!entry.number.empty())
      label = "<strong aria-hidden=\"true\">" + entry.number + "</strong> ";
    label += inline_markdown(entry.title);
    if (entry.is_draft()) {
      html +=
          "<li class=\"chapter-item draft\"><span class=\"draft-link\" title=\"Not written "
          "yet\">" +
          label + "</span></li>";
      continue;
    }
    auto const found = page_by_path_.find(fs::path(entry.path).lexically_normal().generic_string());
    if (found == page_by_path_.end()) continue;
    auto const& page = pages_[found->second];
    bool const is_active = active != nullptr && *active == page.html_path;
    html += "<li class=\"chapter-item\"><a href=\"" + root + escape_html(page.html_path) + "\"";
    if (is_active) html += " class=\"active\" aria-current=\"page\"";
    html += ">" + label + "</a>";
    auto const id = chapter_id_of(page.stem);
    if (auto const progress = progress_.find(id); !id.empty() && progress != progress_.end()) {
      auto const status = progress->second.status;
      html +=
          "<span class=\"toc-status " + status_class(status) + "\" title=\"" +
          escape_html(std::string(course::to_string(status)) + ": " +
                      points_text(progress->second.best_points, progress->second.total_points)) +
          "\">" +
          (status == course::ChapterStatus::done          ? "✓"
           : status == course::ChapterStatus::in_progress ? "◐"
                                                          : "○") +
          "</span>";
    }
    html += "</li>";
  }
  while (depth-- > 0) html += "</ol></li>";
  html += "</ol>";
  return html;
}

std::string SiteBuilder::chapter_nav(std::size_t index, std::string const& root) const {
  std::string html = "<nav class=\"chapter-nav\" aria-label=\"Previous and next chapters\">";
  auto const link = [&](Page const& page, char const* rel, char const* direction) {
    html += std::string("<a class=\"nav-") + rel + "\" rel=\"" + rel + "\" href=\"" + root +
            escape_html(page.html_path) + "\"><span class=\"nav-direction\">" + direction +
            "</span><span class=\"nav-title\">" + escape_html(page.title) + "</span></a>";
  };
  if (index > 0)
    link(pages_[index - 1], "prev", "Previous");
  else
    html += "<span class=\"nav-prev nav-none\"></span>";
  if (index + 1 < pages_.size()) link(pages_[index + 1], "next", "Next");
  html += "</nav>";
  return html;
}

std::string SiteBuilder::exercises_card(Page const& page) const {
  if (!page.chapter || page.chapter->exercises.empty()) return {};
  auto const& chapter = *page.chapter;
  auto const progress = progress_.find(chapter.id);
  course::ChapterProgress const* status = progress == progress_.end() ? nullptr : &progress->second;
  std::string html = "<aside class=\"exercises-card\" aria-label=\"Exercises of this chapter\">";
  html += "<div class=\"exercises-head\"><span class=\"exercises-label\">Exercises</span>";
  if (status != nullptr) {
    html += "<span class=\"chapter-status " + status_class(status->status) + "\">" +
            escape_html(std::string(course::to_string(status->status)));
    if (status->total_points > 0)
      html += " · " + points_text(status->best_points, status->total_points);
    html += "</span>";
  }
  html += "</div><ul class=\"exercise-list\">";
  for (auto const& exercise : chapter.exercises) {
    html += "<li><span class=\"exercise-title\">" + escape_html(exercise.title) + "</span>";
    for (auto const& file : exercise.files) {
      html += " <code class=\"exercise-file\">chapters/" + escape_html(chapter.slug) + "/" +
              escape_html(file) + "</code>";
    }
    auto const tests = exercise.tests.size();
    auto const points = exercise.total_points();
    html += "<span class=\"exercise-points\">" + std::to_string(tests) +
            (tests == 1 ? " test" : " tests") + " · " + std::to_string(points) +
            (points == 1 ? " point" : " points");
    if (status != nullptr) {
      if (auto const found = status->exercises.find(exercise.name);
          found != status->exercises.end()) {
        auto const& mine = found->second;
        html += std::string(" · <span class=\"exercise-state ") +
                (mine.passed ? "passed\">✓ passing" : "failing\">") +
                (mine.passed ? "" : "best " + points_text(mine.best_points, mine.total_points)) +
                "</span>";
      }
    }
    html += "</span></li>";
  }
  html +=
      "</ul><pre class=\"exercise-command\"><code class=\"language-sh\">scripts/workbook check " +
      escape_html(chapter.id) + "</code></pre>";
  if (status != nullptr && !status->last_check.empty())
    html += "<p class=\"last-check\">Last checked " + escape_html(status->last_check) + "</p>";
  html += "</aside>\n";
  return html;
}

std::string SiteBuilder::page_html(std::string const& title, std::string const& content,
                                   std::string const& html_path, std::string const* active,
                                   std::string const& nav, std::string const& body_class,
                                   bool has_mermaid) const {
  auto const root = path_to_root(html_path);
  std::map<std::string, std::string> values = {
      {"language", escape_html(config_.language)},
      {"page_title", escape_html(title == config_.title ? title : title + " - " + config_.title)},
      {"book_title", escape_html(config_.title)},
      {"description", escape_html(config_.description)},
      {"root", root},
      {"default_theme", theme_family(config_.default_theme)},
      {"live_reload", options_.live_reload ? "true" : "false"},
      {"mermaid", has_mermaid ? "true" : "false"},
      {"body_class", body_class},
      {"toc", toc_html(active, root)},
      {"content", content},
      {"chapter_nav", nav}};
  return fill_template(template_, values);
}

void SiteBuilder::copy_assets(BuildReport& report) {
  auto const copy_if_newer = [](fs::path const& from, fs::path const& to) {
    fs::create_directories(to.parent_path());
    std::error_code error;
    auto const from_size = fs::file_size(from);
    if (fs::exists(to, error) && fs::file_size(to, error) == from_size &&
        fs::last_write_time(to, error) >= fs::last_write_time(from)) {
      return;
    }
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  };
  // The theme's own files.
  for (auto const& item : fs::directory_iterator(options_.theme_dir)) {
    auto const ext = item.path().extension();
    if (item.is_regular_file() && (ext == ".css" || ext == ".js" || ext == ".svg")) {
      copy_if_newer(item.path(), options_.out_dir / "theme" / item.path().filename());
    }
  }
  // Images and other files beside the pages, as mdBook copies them.
  for (auto const& item : fs::recursive_directory_iterator(source_dir_)) {
    if (!item.is_regular_file() || item.path().extension() == ".md") continue;
    auto const relative = item.path().lexically_relative(source_dir_);
    if (relative.string().front() == '.') continue;
    copy_if_newer(item.path(), options_.out_dir / relative);
  }
  // Browser libraries from npm, when they are installed (scripts/book-assets installs them).
  auto const list = course::read_file(options_.theme_dir / "vendor.txt");
  if (!list) return;
  std::istringstream lines(*list);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string from, to;
    if (!(words >> from >> to) || from.front() == '#') continue;
    auto const source = options_.node_modules / from;
    std::error_code error;
    if (fs::is_regular_file(source, error)) {
      copy_if_newer(source, options_.out_dir / to);
    } else if (!fs::is_regular_file(options_.out_dir / to, error)) {
      report.missing_assets.push_back(to);
    }
  }
}

// Pages of an earlier build that this one did not write (a chapter renamed or made a draft
// again) are removed. Only files listed in the earlier build's manifest are touched, so a site
// built into a folder holding other things never loses them.
void SiteBuilder::remove_stale_pages(std::set<fs::path> const& written) const {
  auto const manifest = options_.out_dir / ".book-files";
  if (auto const previous = course::read_file(manifest)) {
    std::istringstream lines(*previous);
    std::string line;
    while (std::getline(lines, line)) {
      fs::path const relative(line);
      if (line.empty() || written.count(relative) != 0 || relative.is_absolute() ||
          line.find("..") != std::string::npos) {
        continue;
      }
      std::error_code ignored;
      fs::remove(options_.out_dir / relative, ignored);
    }
  }
  std::string listing;
  for (auto const& file : written) listing += file.generic_string() + "\n";
  course::write_file(manifest, listing);
}

BuildReport SiteBuilder::build() {
  auto const started = std::chrono::steady_clock::now();
  BuildReport report;
  auto const book_toml = options_.book_dir / "book.toml";
  inputs_.insert(book_toml);
  config_ = read_config(book_toml, problems_);
  source_dir_ = options_.book_dir / config_.src;
  auto const summary_file = source_dir_ / "SUMMARY.md";
  inputs_.insert(summary_file);
  auto const summary_text = course::read_file(summary_file);
  if (!summary_text) {
    problems_.push_back({summary_file, 0, "no SUMMARY.md: the book has no table of contents"});
    throw BookError(problems_, options_.root);
  }
  summary_ = parse_summary(*summary_text, summary_file, problems_);
  for (auto const& entry : summary_.entries) report.drafts += entry.is_draft() ? 1 : 0;
  auto const template_file = options_.theme_dir / "page.html";
  inputs_.insert(template_file);
  if (auto text = course::read_file(template_file)) {
    template_ = std::move(*text);
  } else {
    problems_.push_back({template_file, 0, "the page template is missing"});
  }
  progress_ = read_progress(options_.progress_file);
  inputs_.insert(options_.progress_file);

  load_pages();
  if (pages_.empty() && problems_.empty())
    problems_.push_back({summary_file, 0, "SUMMARY.md lists no chapter with a page"});

  std::vector<PageLinks> links;
  for (auto const& page : pages_) {
    links.push_back(
        {page.src_path, page.file, page.source, page.rendered.links, page.rendered.ids});
  }
  report.links_checked = check_links(links, source_dir_, problems_);
  if (!problems_.empty()) throw BookError(problems_, options_.root);

  std::vector<Output> outputs;
  std::vector<SearchDocument> search;
  std::string print_content;
  for (std::size_t i = 0; i < pages_.size(); ++i) {
    auto const& page = pages_[i];
    auto const root = path_to_root(page.html_path);
    auto content = page.rendered.html;
    // The exercises sit right under the chapter's title.
    if (auto const card = exercises_card(page); !card.empty()) {
      auto const after_title = content.find("</h1>");
      auto const at = after_title == std::string::npos ? 0 : content.find('\n', after_title) + 1;
      content.insert(at, card);
    }
    // The learner's last `check --trace` of this chapter, when there is one: its diagrams at
    // the end of the page.
    bool has_mermaid = page.rendered.has_mermaid;
    if (page.chapter) {
      auto const trace_file = options_.root / ".workbook" / "traces" / (page.chapter->id + ".md");
      std::error_code missing;
      if (fs::is_regular_file(trace_file, missing)) {
        try {
          auto const trace =
              render_markdown(course::read_text_file(trace_file), RenderOptions{"your-trace-", {}});
          content += "<section class=\"your-trace\" id=\"your-trace\"><h2>Your last trace</h2>\n" +
                     trace.html + "</section>\n";
          has_mermaid = has_mermaid || trace.has_mermaid;
        } catch (std::exception const&) {  // an unreadable trace leaves the page as it is
        }
      }
    }
    auto html = page_html(page.title, content, page.html_path, &page.html_path,
                          chapter_nav(i, root), "chapter", has_mermaid);
    if (i == 0) outputs.push_back({"index.html", html});
    outputs.push_back({page.html_path, std::move(html)});

    print_content += "<section class=\"print-chapter\" id=\"" + escape_html(page.stem) + "\">\n" +
                     page.printed.html + "</section>\n";
    for (auto const& section : page.rendered.sections) {
      SearchDocument document;
      document.url = page.html_path + (section.id.empty() ? "" : "#" + section.id);
      document.title = section.title.empty() ? page.title : section.title;
      document.breadcrumbs = page.title;
      if (!section.title.empty() && section.title != page.title)
        document.breadcrumbs += " » " + section.title;
      document.body = section.text;
      search.push_back(std::move(document));
    }
  }
  bool print_mermaid = false;
  for (auto const& page : pages_) print_mermaid = print_mermaid || page.rendered.has_mermaid;
  outputs.push_back({"print.html", page_html(config_.title, print_content, "print.html", nullptr,
                                             "", "print-page", print_mermaid)});
  outputs.push_back(
      {"404.html",
       page_html("Page not found",
                 "<h1 id=\"page-not-found\">Page not found</h1>\n<p>This page is not in the "
                 "book. The <a href=\"index.html\">first chapter</a> or the search (press "
                 "<kbd>S</kbd>) will get you back on track.</p>\n",
                 "404.html", nullptr, "", "chapter", false)});
  outputs.push_back({"searchindex.js", search_index_script(search)});
  report.search_entries = static_cast<int>(search.size());
  report.pages = static_cast<int>(pages_.size());

  std::set<fs::path> written;
  for (auto const& output : outputs) {
    course::write_file(options_.out_dir / output.path, output.content);
    written.insert(output.path);
  }
  copy_assets(report);
  remove_stale_pages(written);

  for (auto const& item : fs::recursive_directory_iterator(options_.theme_dir))
    if (item.is_regular_file()) inputs_.insert(item.path());
  report.inputs.assign(inputs_.begin(), inputs_.end());
  report.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace

BuildReport build_site(SiteOptions const& options) { return SiteBuilder(options).build(); }

}  // namespace wb::book
