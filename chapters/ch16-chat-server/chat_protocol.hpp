// The chat server's protocol: one line in, one Command out. parse_command is a pure function —
// no I/O, no globals, no allocation beyond the command's own text — so it can be fuzzed alone.
// (Provided, not an exercise.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chat {

/// The longest line a client may send, its "\n" not counted: longer ones end the connection.
inline constexpr std::size_t max_line_bytes = 8 * 1024;
/// Nicknames and room names: 1 to 32 of letters, digits, '_' and '-'.
inline constexpr std::size_t max_name_length = 32;

struct Say {  // any line that is not a command: goes to the room
  std::string text;
  friend bool operator==(Say const&, Say const&) = default;
};
struct Join {  // /join <room>; the room name always starts with '#'
  std::string room;
  friend bool operator==(Join const&, Join const&) = default;
};
struct Nick {  // /nick <name>
  std::string name;
  friend bool operator==(Nick const&, Nick const&) = default;
};
struct ListRooms {  // /rooms
  friend bool operator==(ListRooms, ListRooms) = default;
};
struct Who {  // /who
  friend bool operator==(Who, Who) = default;
};
struct Quit {  // /quit
  friend bool operator==(Quit, Quit) = default;
};
struct Empty {  // an empty line: ignored
  friend bool operator==(Empty, Empty) = default;
};
struct Invalid {  // refused: `reason` is the text of the error line
  std::string reason;
  friend bool operator==(Invalid const&, Invalid const&) = default;
};

using Command = std::variant<Say, Join, Nick, ListRooms, Who, Quit, Empty, Invalid>;

/// True if `text` is well-formed UTF-8: no stray continuation bytes, no truncated sequences,
/// no overlong forms, no surrogates, nothing past U+10FFFF.
inline bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    auto const byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t code = 0;
    char32_t least = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2, code = byte & 0x1F, least = 0x80;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3, code = byte & 0x0F, least = 0x800;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4, code = byte & 0x07, least = 0x10000;
    } else {
      return false;  // a continuation byte with no lead, or 0xF8..0xFF
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      auto const next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < least || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

/// True if `text` holds an ASCII control character (tab included) or DEL: a line with one is
/// refused, so that no client can move another's cursor or ring its bell.
inline bool has_control_character(std::string_view text) noexcept {
  for (char c : text) {
    auto const byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

/// Why `name` cannot be a nickname or room name; nothing if it can.
inline std::optional<std::string> name_error(std::string_view name) {
  if (name.empty()) return "a name needs at least 1 character";
  if (name.size() > max_name_length) {
    return "a name has at most " + std::to_string(max_name_length) + " characters, not " +
           std::to_string(name.size());
  }
  for (char c : name) {
    bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return "a name may hold only letters, digits, _ and -";
  }
  return std::nullopt;
}

namespace detail {
/// The argument of "/cmd arg": what follows the first space, without surrounding spaces.
inline std::string_view argument(std::string_view rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return rest;
}
}  // namespace detail

// ANCHOR: parse_command
/// The command in `line` (without its "\n"; a trailing "\r" is dropped here).
inline Command parse_command(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line_bytes) return Invalid{"line too long"};
  if (!is_valid_utf8(line)) return Invalid{"the line is not valid UTF-8"};
  if (has_control_character(line)) return Invalid{"the line holds a control character"};
  if (line.empty()) return Empty{};
  if (line.front() != '/') return Say{std::string(line)};

  std::size_t const space = line.find(' ');
  std::string_view const name = line.substr(0, space);
  std::string_view const arg =
      space == std::string_view::npos ? std::string_view() : detail::argument(line.substr(space));
  if (name == "/join") {
    std::string_view room = arg;
    if (!room.empty() && room.front() == '#') room.remove_prefix(1);
    if (auto error = name_error(room)) return Invalid{"/join <room>: " + *error};
    return Join{"#" + std::string(room)};
  }
  if (name == "/nick") {
    if (auto error = name_error(arg)) return Invalid{"/nick <name>: " + *error};
    return Nick{std::string(arg)};
  }
  if (name != "/rooms" && name != "/who" && name != "/quit") {
    // Cut a long unknown name short, so that the error line stays small whatever the client
    // sent, and at a character boundary, so that it stays valid UTF-8.
    std::string_view shown = name.substr(0, max_name_length + 1);
    while (shown.size() < name.size() &&
           (static_cast<unsigned char>(name[shown.size()]) & 0xC0) == 0x80) {
      shown.remove_suffix(1);
    }
    return Invalid{"unknown command " + std::string(shown) +
                   " (commands: /join /nick /rooms /who /quit)"};
  }
  if (!arg.empty()) return Invalid{std::string(name) + " takes no argument"};
  if (name == "/rooms") return ListRooms{};
  if (name == "/who") return Who{};
  return Quit{};
}
// ANCHOR_END: parse_command

}  // namespace chat
