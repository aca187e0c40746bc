#include "wb/book/markdown.hpp"

#include <md4c.h>

#include "wb/book/html.hpp"

namespace wb::book {

bool is_external_link(std::string_view href) {
  if (href.substr(0, 2) == "//") return true;
  for (std::size_t i = 0; i < href.size(); ++i) {
    char const c = href[i];
    if (c == ':') return i > 0;
    bool const letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool const other = (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-';
    if (!letter && !(i > 0 && other)) return false;
  }
  return false;
}

std::string md_link_to_html(std::string_view href) {
  if (is_external_link(href)) return std::string(href);
  auto const hash = href.find('#');
  auto path = href.substr(0, hash);
  if (path.size() < 3 || path.substr(path.size() - 3) != ".md") return std::string(href);
  std::string out(path.substr(0, path.size() - 3));
  out += ".html";
  if (hash != std::string_view::npos) out.append(href.substr(hash));
  return out;
}

namespace {

std::string attribute_text(MD_ATTRIBUTE const& attribute) {
  std::string out;
  if (attribute.size == 0) return out;
  for (int i = 0; attribute.substr_offsets[i] < attribute.size; ++i) {
    auto const begin = attribute.substr_offsets[i];
    auto const end = attribute.substr_offsets[i + 1];
    std::string_view const piece(attribute.text + begin, end - begin);
    switch (attribute.substr_types[i]) {
      case MD_TEXT_ENTITY:
        out += decode_entity(piece);
        break;
      case MD_TEXT_NULLCHAR:
        append_utf8(out, 0xFFFD);
        break;
      default:
        out.append(piece);
    }
  }
  return out;
}

// Attribute values named `name` in a piece of raw HTML: <a id="x"> gives "x" for "id".
void scan_attributes(std::string_view html, std::string_view name, std::vector<std::string>& out) {
  for (std::size_t at = html.find(name); at != std::string_view::npos;
       at = html.find(name, at + 1)) {
    if (at == 0 || (html[at - 1] != ' ' && html[at - 1] != '\t' && html[at - 1] != '\n')) continue;
    auto rest = html.substr(at + name.size());
    if (rest.size() < 2 || rest[0] != '=' || (rest[1] != '"' && rest[1] != '\'')) continue;
    auto const close = rest.find(rest[1], 2);
    if (close == std::string_view::npos) continue;
    out.emplace_back(rest.substr(2, close - 2));
  }
}

// mdBook reads "## Title {#custom-id .class}" as a heading with that id: the braces are taken
// off the heading's text and HTML, and the id (if any) is returned.
std::string take_heading_attributes(std::string& text, std::string& html) {
  auto trimmed_end = text.find_last_not_of(' ');
  if (trimmed_end == std::string::npos || text[trimmed_end] != '}') return {};
  auto const open = text.rfind('{', trimmed_end);
  if (open == std::string::npos || (open > 0 && text[open - 1] != ' ')) return {};
  auto const attributes = text.substr(open + 1, trimmed_end - open - 1);
  std::string id;
  std::size_t pos = 0;
  while (pos < attributes.size()) {
    auto end = attributes.find(' ', pos);
    if (end == std::string::npos) end = attributes.size();
    auto const word = attributes.substr(pos, end - pos);
    if (word.size() > 1 && word[0] == '#')
      id = word.substr(1);
    else if (!word.empty() && word[0] != '.' && word.find('=') == std::string::npos)
      return {};
    pos = end + 1;
  }
  auto const written = text.substr(open, trimmed_end - open + 1);
  text.erase(open);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  auto const in_html = html.rfind(escape_html(written));
  if (in_html != std::string::npos) {
    html.erase(in_html);
    while (!html.empty() && html.back() == ' ') html.pop_back();
  }
  return id;
}

class Renderer {
 public:
  explicit Renderer(RenderOptions const& options) : options_(options) {
    buffers_.emplace_back();
    result_.sections.push_back({});
  }

  RenderedMarkdown finish() {
    result_.html = std::move(buffers_.front());
    return std::move(result_);
  }

  int enter_block(MD_BLOCKTYPE type, void* detail);
  int leave_block(MD_BLOCKTYPE type, void* detail);
  int enter_span(MD_SPANTYPE type, void* detail);
  int leave_span(MD_SPANTYPE type, void* detail);
  int text(MD_TEXTTYPE type, std::string_view text);

 private:
  std::string& out() { return buffers_.back(); }
  void search_text(std::string_view text) {
    // A heading's own text is the title of the section it opens, not part of the one before.
    if (image_depth_ == 0 && heading_level_ == 0) result_.sections.back().text.append(text);
  }
  void search_break() {
    auto& text = result_.sections.back().text;
    if (!text.empty() && text.back() != ' ') text += ' ';
  }
  void raw_html(std::string_view html) {
    out().append(html);
    std::vector<std::string> ids;
    scan_attributes(html, "id", ids);
    result_.ids.insert(ids.begin(), ids.end());
    scan_attributes(html, "href", result_.links);
    scan_attributes(html, "src", result_.links);
  }
  std::string link_target(std::string_view href) const {
    return options_.rewrite_link ? options_.rewrite_link(href) : md_link_to_html(href);
  }

  RenderOptions const& options_;
  RenderedMarkdown result_;
  std::vector<std::string> buffers_;  // a heading or code block is rendered aside, then wrapped
  UniqueIds ids_;
  int heading_level_ = 0;
  std::string heading_text_;
  std::string code_language_;
  int image_depth_ = 0;  // text inside ![...] is the alt text
  std::string image_alt_;
};

int Renderer::enter_block(MD_BLOCKTYPE type, void* detail) {
  search_break();
  switch (type) {
    case MD_BLOCK_DOC:
      break;
    case MD_BLOCK_QUOTE:
      out() += "<blockquote>\n";
      break;
    case MD_BLOCK_UL:
      out() += "<ul>\n";
      break;
    case MD_BLOCK_OL: {
      auto const* ol = static_cast<MD_BLOCK_OL_DETAIL*>(detail);
      out() += ol->start == 1 ? "<ol>\n" : "<ol start=\"" + std::to_string(ol->start) + "\">\n";
      break;
    }
    case MD_BLOCK_LI: {
      auto const* li = static_cast<MD_BLOCK_LI_DETAIL*>(detail);
      if (li->is_task) {
        out() += "<li class=\"task-list-item\"><input type=\"checkbox\" disabled";
        out() += li->task_mark == ' ' ? ">" : " checked>";
      } else {
        out() += "<li>";
      }
      break;
    }
    case MD_BLOCK_HR:
      out() += "<hr>\n";
      break;
    case MD_BLOCK_H:
      heading_level_ = static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
      heading_text_.clear();
      buffers_.emplace_back();
      break;
    case MD_BLOCK_CODE: {
      auto const* code = static_cast<MD_BLOCK_CODE_DETAIL*>(detail);
      code_language_ = attribute_text(code->lang);
      // "cpp,ignore" and "cpp title" name the language first, as in mdBook
      code_language_ = code_language_.substr(0, code_language_.find_first_of(", \t{"));
      buffers_.emplace_back();
      break;
    }
    case MD_BLOCK_HTML:
      break;
    case MD_BLOCK_P:
      out() += "<p>";
      break;  // md4c reports no paragraphs in tight lists
    case MD_BLOCK_TABLE:
      out() += "<div class=\"table-wrapper\"><table>\n";
      break;
    case MD_BLOCK_THEAD:
      out() += "<thead>\n";
      break;
    case MD_BLOCK_TBODY:
      out() += "<tbody>\n";
      break;
    case MD_BLOCK_TR:
      out() += "<tr>";
      break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD: {
      out() += type == MD_BLOCK_TH ? "<th" : "<td";
      switch (static_cast<MD_BLOCK_TD_DETAIL*>(detail)->align) {
        case MD_ALIGN_LEFT:
          out() += " style=\"text-align: left\"";
          break;
        case MD_ALIGN_CENTER:
          out() += " style=\"text-align: center\"";
          break;
        case MD_ALIGN_RIGHT:
          out() += " style=\"text-align: right\"";
          break;
        default:
          break;
      }
      out() += '>';
      break;
    }
  }
  return 0;
}

int Renderer::leave_block(MD_BLOCKTYPE type, void* /*detail*/) {
  search_break();
  switch (type) {
    case MD_BLOCK_DOC:
      break;
    case MD_BLOCK_QUOTE:
      out() += "</blockquote>\n";
      break;
    case MD_BLOCK_UL:
      out() += "</ul>\n";
      break;
    case MD_BLOCK_OL:
      out() += "</ol>\n";
      break;
    case MD_BLOCK_LI:
      out() += "</li>\n";
      break;
    case MD_BLOCK_HR:
      break;
    case MD_BLOCK_H: {
      auto inner = std::move(buffers_.back());
      buffers_.pop_back();
      auto const custom_id = take_heading_attributes(heading_text_, inner);
      auto const id = ids_.claim(custom_id.empty() ? heading_id(heading_text_) : custom_id);
      auto const full_id = options_.id_prefix + id;
      result_.ids.insert(id);
      result_.headings.push_back({heading_level_, id, heading_text_});
      result_.sections.push_back({id, heading_text_, {}});
      auto const tag = "h" + std::to_string(heading_level_);
      out() += "<" + tag + " id=\"";
      append_escaped(out(), full_id);
      out() += "\">";
      if (inner.find("<a ") == std::string::npos) {
        out() += "<a class=\"header\" href=\"#";
        append_escaped(out(), full_id);
        out() += "\">" + inner + "</a>";
      } else {
        out() += inner;
      }
      out() += "</" + tag + ">\n";
      heading_level_ = 0;
      break;
    }
    case MD_BLOCK_CODE: {
      auto code = std::move(buffers_.back());
      buffers_.pop_back();
      if (code_language_ == "mermaid") {
        result_.has_mermaid = true;
        out() += "<pre class=\"mermaid\">" + code + "</pre>\n";
      } else {
        out() += "<pre><code class=\"language-";
        append_escaped(out(), code_language_.empty() ? "plaintext" : code_language_);
        out() += "\">" + code + "</code></pre>\n";
      }
      break;
    }
    case MD_BLOCK_HTML:
      break;
    case MD_BLOCK_P:
      out() += "</p>\n";
      break;
    case MD_BLOCK_TABLE:
      out() += "</table></div>\n";
      break;
    case MD_BLOCK_THEAD:
      out() += "</thead>\n";
      break;
    case MD_BLOCK_TBODY:
      out() += "</tbody>\n";
      break;
    case MD_BLOCK_TR:
      out() += "</tr>\n";
      break;
    case MD_BLOCK_TH:
      out() += "</th>";
      break;
    case MD_BLOCK_TD:
      out() += "</td>";
      break;
  }
  return 0;
}

int Renderer::enter_span(MD_SPANTYPE type, void* detail) {
  if (image_depth_ > 0) {
    if (type == MD_SPAN_IMG) ++image_depth_;
    return 0;
  }
  switch (type) {
    case MD_SPAN_EM:
      out() += "<em>";
      break;
    case MD_SPAN_STRONG:
      out() += "<strong>";
      break;
    case MD_SPAN_A: {
      auto const* a = static_cast<MD_SPAN_A_DETAIL*>(detail);
      auto const href = attribute_text(a->href);
      result_.links.push_back(href);
      out() += "<a href=\"";
      append_escaped(out(), link_target(href));
      out() += '"';
      if (a->title.size > 0) {
        out() += " title=\"";
        append_escaped(out(), attribute_text(a->title));
        out() += '"';
      }
      out() += '>';
      break;
    }
    case MD_SPAN_IMG: {
      auto const* img = static_cast<MD_SPAN_IMG_DETAIL*>(detail);
      auto const src = attribute_text(img->src);
      result_.links.push_back(src);
      out() += "<img src=\"";
      append_escaped(out(), src);
      out() += "\" alt=\"";
      image_alt_ = attribute_text(img->title);  // kept until the alt text has been read
      image_depth_ = 1;
      buffers_.emplace_back();
      break;
    }
    case MD_SPAN_CODE:
      out() += "<code>";
      break;
    case MD_SPAN_DEL:
      out() += "<del>";
      break;
    case MD_SPAN_U:
      out() += "<u>";
      break;
    default:
      break;
  }
  return 0;
}

int Renderer::leave_span(MD_SPANTYPE type, void* /*detail*/) {
  if (image_depth_ > 0) {
    if (type != MD_SPAN_IMG || --image_depth_ > 0) return 0;
    auto alt = std::move(buffers_.back());
    buffers_.pop_back();
    out() += alt + "\"";
    if (!image_alt_.empty()) {
      out() += " title=\"";
      append_escaped(out(), image_alt_);
      out() += '"';
    }
    out() += '>';
    return 0;
  }
  switch (type) {
    case MD_SPAN_EM:
      out() += "</em>";
      break;
    case MD_SPAN_STRONG:
      out() += "</strong>";
      break;
    case MD_SPAN_A:
      out() += "</a>";
      break;
    case MD_SPAN_CODE:
      out() += "</code>";
      break;
    case MD_SPAN_DEL:
      out() += "</del>";
      break;
    case MD_SPAN_U:
      out() += "</u>";
      break;
    default:
      break;
  }
  return 0;
}

int Renderer::text(MD_TEXTTYPE type, std::string_view text) {
  switch (type) {
    case MD_TEXT_NULLCHAR:
      append_utf8(out(), 0xFFFD);
      break;
    case MD_TEXT_BR:
      out() += image_depth_ > 0 ? " " : "<br>\n";
      search_break();
      break;
    case MD_TEXT_SOFTBR:
      out() += image_depth_ > 0 ? " " : "\n";
      if (heading_level_ > 0) heading_text_ += ' ';
      search_break();
      break;
    case MD_TEXT_ENTITY: {
      auto const decoded = decode_entity(text);
      if (image_depth_ > 0)
        append_escaped(out(), decoded);
      else
        out().append(text);
      if (heading_level_ > 0) heading_text_ += decoded;
      search_text(decoded);
      break;
    }
    case MD_TEXT_HTML:
      if (image_depth_ > 0) break;
      raw_html(text);
      break;
    default:  // normal text, code, maths
      append_escaped(out(), text);
      if (heading_level_ > 0) heading_text_.append(text);
      search_text(text);
      break;
  }
  return 0;
}

template <class Detail>
Renderer& self(Detail* userdata) {
  return *static_cast<Renderer*>(userdata);
}

}  // namespace

RenderedMarkdown render_markdown(std::string_view markdown, RenderOptions const& options) {
  Renderer renderer(options);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS;
  parser.enter_block = [](MD_BLOCKTYPE type, void* detail, void* user) {
    return self(user).enter_block(type, detail);
  };
  parser.leave_block = [](MD_BLOCKTYPE type, void* detail, void* user) {
    return self(user).leave_block(type, detail);
  };
  parser.enter_span = [](MD_SPANTYPE type, void* detail, void* user) {
    return self(user).enter_span(type, detail);
  };
  parser.leave_span = [](MD_SPANTYPE type, void* detail, void* user) {
    return self(user).leave_span(type, detail);
  };
  parser.text = [](MD_TEXTTYPE type, MD_CHAR const* text, MD_SIZE size, void* user) {
    return self(user).text(type, std::string_view(text, size));
  };
  md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, &renderer);
  auto result = renderer.finish();
  // The text above the first heading is a section only when there is some.
  if (!result.sections.empty() &&
      result.sections.front().text.find_first_not_of(' ') == std::string::npos) {
    result.sections.erase(result.sections.begin());
  }
  return result;
}

}  // namespace wb::book
