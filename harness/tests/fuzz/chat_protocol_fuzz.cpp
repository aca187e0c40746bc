// libFuzzer target for chat::parse_command (chapter 16's protocol): any bytes a client may send
// as a line, checked against the properties the server relies on — it never throws; a Say holds
// no control character and only valid UTF-8 (decided here by a decoder written apart from the
// one under test); a Nick and a Join's room are 1 to 32 letters, digits, '_' and '-'; an error
// stays short whatever the line; the same line always gives the same command.
// Run by ctest as fuzz/chat-protocol for a fixed time; by hand:
//   build/debug/harness/tests/fuzz/wb_chat_protocol_fuzz -max_total_time=60 \
//     harness/tests/fuzz/corpus/chat_protocol
#include <chat_protocol.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace {

[[noreturn]] void broken(char const* property, std::string_view line) {
  std::fprintf(stderr, "chat::parse_command broke a property: %s\n  line (%zu bytes):", property,
               line.size());
  for (std::size_t i = 0; i < line.size() && i < 200; ++i) {
    std::fprintf(stderr, " %02x", static_cast<unsigned>(static_cast<unsigned char>(line[i])));
  }
  std::fprintf(stderr, "%s\n", line.size() > 200 ? " ..." : "");
  std::abort();
}

bool in(unsigned char byte, unsigned low, unsigned high) { return byte >= low && byte <= high; }

/// Well-formed UTF-8 by the byte ranges of RFC 3629's table (section 4), not by decoding: a
/// second opinion on chat::is_valid_utf8.
bool well_formed_utf8(std::string_view text) {
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  while (i < text.size()) {
    unsigned char const b = at(i);
    std::size_t const left = text.size() - i;
    if (b <= 0x7F) {
      i += 1;
    } else if (in(b, 0xC2, 0xDF)) {
      if (left < 2 || !in(at(i + 1), 0x80, 0xBF)) return false;
      i += 2;
    } else if (in(b, 0xE0, 0xEF)) {
      if (left < 3) return false;
      unsigned const low = b == 0xE0 ? 0xA0 : 0x80;
      unsigned const high = b == 0xED ? 0x9F : 0xBF;
      if (!in(at(i + 1), low, high) || !in(at(i + 2), 0x80, 0xBF)) return false;
      i += 3;
    } else if (in(b, 0xF0, 0xF4)) {
      if (left < 4) return false;
      unsigned const low = b == 0xF0 ? 0x90 : 0x80;
      unsigned const high = b == 0xF4 ? 0x8F : 0xBF;
      if (!in(at(i + 1), low, high) || !in(at(i + 2), 0x80, 0xBF) || !in(at(i + 3), 0x80, 0xBF)) {
        return false;
      }
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

bool has_control(std::string_view text) {
  for (char c : text) {
    auto const byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

bool allowed_name(std::string_view name) {
  if (name.empty() || name.size() > chat::max_name_length) return false;
  for (char c : name) {
    bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void check(std::string_view line) {
  chat::Command command;
  chat::Command again;
  try {
    command = chat::parse_command(line);
    again = chat::parse_command(line);
  } catch (...) {
    broken("it threw an exception (it must answer every line with a Command)", line);
  }
  if (command != again) broken("the same line gave two different commands", line);

  std::string_view content = line;
  if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
  bool const fits = content.size() <= chat::max_line_bytes;
  bool const clean = well_formed_utf8(content) && !has_control(content);

  if (auto const* say = std::get_if<chat::Say>(&command)) {
    if (!fits) broken("a Say longer than max_line_bytes", line);
    if (!well_formed_utf8(say->text)) broken("a Say holds invalid UTF-8", line);
    if (has_control(say->text)) broken("a Say holds a control character or DEL", line);
    if (say->text.empty() || say->text.front() == '/') broken("a Say is empty or a command", line);
    if (say->text != content) broken("a Say is not the line (less a trailing \\r)", line);
  } else if (auto const* nick = std::get_if<chat::Nick>(&command)) {
    if (!allowed_name(nick->name)) broken("a Nick is not 1-32 letters digits _ and -", line);
  } else if (auto const* join = std::get_if<chat::Join>(&command)) {
    if (join->room.empty() || join->room.front() != '#' ||
        !allowed_name(std::string_view(join->room).substr(1))) {
      broken("a Join's room is not # and 1-32 letters digits _ and -", line);
    }
  } else if (std::holds_alternative<chat::Empty>(command)) {
    if (!content.empty()) broken("a line with text was taken for an empty one", line);
  } else if (auto const* invalid = std::get_if<chat::Invalid>(&command)) {
    if (invalid->reason.empty()) broken("an Invalid has no reason", line);
    // The reason goes back to the client in an error line: it must not grow with the line.
    if (invalid->reason.size() > 200) broken("an Invalid's reason is over 200 bytes", line);
    if (!well_formed_utf8(invalid->reason) || has_control(invalid->reason)) {
      broken("an Invalid's reason holds invalid UTF-8 or a control character", line);
    }
    if (fits && clean && content.empty()) broken("an empty line was refused", line);
    if (fits && clean && content.front() != '/') broken("a clean line of text was refused", line);
  }
  // Whatever else it is, a line that is too long, not UTF-8 or not clean is refused.
  if ((!fits || !clean) && !std::holds_alternative<chat::Invalid>(command)) {
    broken("a line too long, not valid UTF-8 or with a control character was accepted", line);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  check(std::string_view(reinterpret_cast<char const*>(data), size));
  return 0;
}
