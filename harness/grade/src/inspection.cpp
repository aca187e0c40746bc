#include "wb/grade/inspection.hpp"

#include <cxxabi.h>
#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "wb/text/text.hpp"

namespace wb::grade {
namespace fs = std::filesystem;
using wb::text::line_views;
using wb::text::trim;

namespace {

// Linker-made symbols and calls that give the bounds of the program's memory or its loaded
// images: what a scan for the result key starts from. No exercise needs them.
constexpr std::string_view memory_bound_symbols[] = {"__bss_start",
                                                     "_end",
                                                     "end",
                                                     "_edata",
                                                     "edata",
                                                     "etext",
                                                     "_etext",
                                                     "__etext",
                                                     "__executable_start",
                                                     "__data_start",
                                                     "data_start",
                                                     "__init_array_start",
                                                     "__preinit_array_start",
                                                     "_DYNAMIC",
                                                     "_r_debug",
                                                     "__libc_stack_end",
                                                     "dl_iterate_phdr",
                                                     "dladdr",
                                                     "dlinfo",
                                                     "dlsym",
                                                     "dlvsym",
                                                     "getauxval",
                                                     "process_vm_readv",
                                                     "ptrace"};

bool is_strong(char type) {
  return std::string_view("TDBRGSC").find(type) != std::string_view::npos;
}
bool is_global_definition(char type) {
  return is_strong(type) || type == 'W' || type == 'V' || type == 'u' || type == 'i';
}

// A name fit for a note: demangled, printable, not endless.
std::string shown(std::string const& mangled) {
  std::string name = mangled;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> demangled(
      abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), &std::free);
  if (status == 0 && demangled) name = demangled.get();
  for (auto& c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  if (name.size() > 160) name = name.substr(0, 157) + "...";
  return name;
}

std::string listed(std::vector<std::string> const& names, std::size_t at_most = 6) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < at_most; ++i) {
    text += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > at_most) text += fmt::format(" and {} more", names.size() - at_most);
  return text;
}

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    auto const start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// nm -P: "name type [value [size]]"; an archive adds "lib.a[member.o]:" lines.
template <class Each>
void each_symbol(std::string_view nm_output, Each each) {
  for (auto const line : line_views(nm_output)) {
    auto const name_end = line.find(' ');
    if (name_end == 0 || name_end == std::string_view::npos) continue;
    auto const type = line.substr(name_end + 1, line.find(' ', name_end + 1) - name_end - 1);
    if (type.size() != 1) continue;
    each(std::string(line.substr(0, name_end)), type[0]);
  }
}

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}
bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

}  // namespace

std::string_view framework_namespace(std::string_view name) {
  if (!name.starts_with("_Z")) return {};
  name.remove_prefix(2);
  // vtables, type information and its name, VTTs, guard variables and their temporaries
  for (std::string_view special : {"TV", "TI", "TS", "TT", "GV", "GR"}) {
    if (name.starts_with(special)) {
      name.remove_prefix(2);
      break;
    }
  }
  if (!name.starts_with("N")) return {};
  name.remove_prefix(1);
  while (!name.empty() && std::string_view("KVrRO").find(name.front()) != std::string_view::npos) {
    name.remove_prefix(1);
  }
  if (name.starts_with("2wb7testing")) return "wb::testing";
  if (name.starts_with("2wb6oracle")) return "wb::oracle";
  if (name.starts_with("5Catch")) return "Catch";
  return {};
}

void read_symbols(CompiledUnit& unit, std::string_view nm_output) {
  each_symbol(nm_output, [&](std::string name, char type) {
    if (type == 'U' || type == 'w' || type == 'v') {
      unit.undefined.insert(std::move(name));
    } else {
      unit.defined.emplace(std::move(name), type);
    }
  });
}

void read_symbols(FrameworkSymbols& framework, std::string_view nm_output) {
  each_symbol(nm_output, [&](std::string name, char type) {
    if (type == 'U') {
      framework.referred.insert(std::move(name));
    } else if (is_global_definition(type)) {
      if (is_strong(type)) framework.strong.insert(name);
      framework.defined.insert(std::move(name));
    }
  });
}

void read_sections(CompiledUnit& unit, std::string_view readelf_output) {
  for (auto const line : line_views(readelf_output)) {
    // Only a table's line can name one: ".init_array…", ".ctors…", or a type "INIT_ARRAY".
    // An object holds a section per inline function, so most lines end here.
    if (line.find("_array") == std::string_view::npos &&
        line.find("ARRAY") == std::string_view::npos &&
        line.find("tors") == std::string_view::npos) {
      continue;
    }
    auto const bracket = line.find(']');
    if (line.find('[') == std::string_view::npos || bracket == std::string_view::npos) continue;
    auto const words = words_of(line.substr(bracket + 1));
    // name, type, address, offset, size, …
    if (words.size() < 5) continue;
    std::string_view const name = words[0];
    std::string_view const type = words[1];
    std::string kind;
    for (std::string_view table :
         {".preinit_array", ".init_array", ".fini_array", ".ctors", ".dtors"}) {
      if (name == table || (name.starts_with(table) && name[table.size()] == '.')) {
        kind = table;
      }
    }
    if (kind.empty() && type == "PREINIT_ARRAY") kind = ".preinit_array";
    if (kind.empty() && type == "INIT_ARRAY") kind = ".init_array";
    if (kind.empty() && type == "FINI_ARRAY") kind = ".fini_array";
    if (kind.empty()) continue;
    // A table in a section group (flag G) belongs to an inline variable or a template's static
    // member: clang gives each such dynamic initializer its own entry there, so that the linker
    // keeps one per program; GCC puts the same code in the unit's one initializer, which the
    // stub has too. Not counted, so that the finding does not depend on the compiler.
    // The flags follow the entry size; with none, the next word is the link (a number).
    if (words.size() > 6 && std::isalpha(static_cast<unsigned char>(words[6].front())) &&
        words[6].find('G') != std::string_view::npos) {
      continue;
    }
    unit.startup_bytes[kind] += std::strtoull(std::string(words[4]).c_str(), nullptr, 16);
  }
}

void read_object_bytes(CompiledUnit& unit, std::string_view bytes) {
  for (auto at = bytes.find("/proc/"); at != std::string_view::npos;
       at = bytes.find("/proc/", at + 1)) {
    ++unit.proc_strings;
  }
}

void read_preprocessed(CompiledUnit& unit, std::string_view text, fs::path const& learner_dir) {
  auto const learner_prefix = learner_dir.empty() ? std::string() : learner_dir.string() + "/";
  // The files being read, innermost last: a line marker with flag 1 enters an #include, with
  // flag 2 returns from one. A marker without either that names another file came from #line:
  // the lines stay whose they were (a learner's #line cannot make its code the framework's).
  struct Open {
    std::string file;
    bool learner;
  };
  std::vector<Open> open{{"", false}};
  std::string file;
  bool learner = false;
  bool renamed = false;
  struct Token {
    std::string_view text;
    bool is_string;
  };
  std::vector<Token> tokens;  // the learner's, in order
  std::set<std::string> pragmas;

  std::size_t i = 0;
  bool line_start = true;
  while (i < text.size()) {
    char const c = text[i];
    if (c == '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    if (line_start && c == '#') {  // a line marker or a directive -dD kept: one line
      auto const end = std::min(text.find('\n', i), text.size());
      auto const line = text.substr(i, end - i);
      i = end;
      auto const words = words_of(line.substr(1));
      if (words.empty()) continue;
      bool const marker = std::isdigit(static_cast<unsigned char>(words[0].front())) ||
                          (words[0] == "line" && words.size() >= 3);
      if (marker && words.size() >= 2) {
        auto const at = words[0] == "line" ? 2u : 1u;
        auto name = words[at];
        if (name.size() >= 2 && name.front() == '"') name = name.substr(1, name.size() - 2);
        bool entered = false, returned = false;
        for (auto flag = at + 1; flag < words.size(); ++flag) {
          entered = entered || words[flag] == "1";
          returned = returned || words[flag] == "2";
        }
        if (entered) {
          open.push_back(
              {std::string(name), !learner_prefix.empty() && name.starts_with(learner_prefix)});
        } else if (returned) {
          if (open.size() > 1) open.pop_back();
          open.back().file = std::string(name);
        } else {
          if (open.back().learner && name != open.back().file) renamed = true;
          open.back().file = std::string(name);
        }
        file = open.back().file;
        learner = open.back().learner;
      } else if (words[0] == "define" && words.size() >= 2) {
        auto name = words[1].substr(0, words[1].find('('));
        unit.macros[std::string(name)] = {std::string(trim(line)), file};
      } else if (words[0] == "undef" && words.size() >= 2) {
        unit.macros.erase(std::string(words[1]));
      } else if (words[0] == "pragma" && learner) {
        for (std::string_view pragma : {"push_macro", "pop_macro"}) {
          if (line.find(pragma) != std::string_view::npos) pragmas.insert(std::string(pragma));
        }
      }
      continue;
    }
    if (line_start && !learner) {
      // Lines that are not the learner's are skipped whole unless a raw string may go on past
      // their end (a line inside one could look like a directive).
      auto const end = std::min(text.find('\n', i), text.size());
      if (text.substr(i, end - i).find("R\"") == std::string_view::npos) {
        i = end;
        continue;
      }
    }
    line_start = false;
    auto const start = i;
    bool is_string = false;
    if (is_identifier_start(c)) {
      while (i < text.size() && is_identifier_char(text[i])) ++i;
      auto const word = text.substr(start, i - start);
      bool const raw =
          i < text.size() && text[i] == '"' &&
          (word == "R" || word == "u8R" || word == "uR" || word == "UR" || word == "LR");
      if (raw) {  // R"delimiter( … )delimiter"
        auto const open = text.find('(', i);
        if (open == std::string_view::npos) break;
        auto const closing = ")" + std::string(text.substr(i + 1, open - i - 1)) + "\"";
        auto const close = text.find(closing, open);
        i = close == std::string_view::npos ? text.size() : close + closing.size();
        is_string = true;
      }
    } else if (c == '"' || c == '\'') {
      for (++i; i < text.size() && text[i] != c && text[i] != '\n'; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (i < text.size()) ++i;
      is_string = c == '"';
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < text.size() &&
             (is_identifier_char(text[i]) || text[i] == '.' ||
              (text[i] == '\'' && i + 1 < text.size() && is_identifier_char(text[i + 1])))) {
        ++i;
      }
    } else if (c == ':' && i + 1 < text.size() && text[i + 1] == ':') {
      i += 2;
    } else {
      ++i;
    }
    if (learner) tokens.push_back({text.substr(start, i - start), is_string});
  }

  std::set<std::string> found;
  std::set<std::string> namespaces;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    auto const& token = tokens[t];
    if (token.is_string) {
      if (token.text.find("/proc/") != std::string_view::npos) found.insert("/proc");
      continue;
    }
    if (token.text == "asm" || token.text == "__asm" || token.text == "__asm__") {
      found.insert("asm");
    } else if (token.text == "syscall") {
      found.insert("syscall");
    } else if (token.text == "Catch") {
      namespaces.insert("Catch");
    } else if (token.text == "testing" || token.text == "oracle") {
      // wb::oracle, oracle::drive, namespace oracle, namespace o = oracle (after using wb)
      bool const before =
          t > 0 && (tokens[t - 1].text == "::" || tokens[t - 1].text == "namespace");
      bool const after = t + 1 < tokens.size() && tokens[t + 1].text == "::";
      bool const aliased = t >= 3 && tokens[t - 1].text == "=" && tokens[t - 3].text == "namespace";
      if (before || after || aliased) namespaces.insert("wb::" + std::string(token.text));
    }
  }
  if (found.contains("asm")) {
    unit.learner_findings.push_back("uses inline assembly (asm): code the compiler does not check");
  }
  if (found.contains("syscall")) {
    unit.learner_findings.push_back(
        "makes raw system calls (syscall): the kernel reached around the C library");
  }
  if (found.contains("/proc")) {
    unit.learner_findings.push_back(
        "holds a \"/proc/\" string: the process's memory and maps can be read through "
        "/proc/self");
  }
  if (!namespaces.empty()) {
    unit.learner_findings.push_back(fmt::format(
        "names the test framework's namespaces ({}) in its own code: an answer uses the runtime "
        "(wb::), never the framework that grades it",
        listed({namespaces.begin(), namespaces.end()})));
  }
  if (renamed) {
    unit.learner_findings.push_back(
        "renames its own lines with #line: diagnostics and tools then see another file");
  }
  if (!pragmas.empty()) {
    unit.learner_findings.push_back(fmt::format(
        "saves or restores macros ({}): macros of the test framework can be swapped with them",
        listed({pragmas.begin(), pragmas.end()})));
  }
}

std::vector<std::string> inspect(CompiledUnit const& stub, CompiledUnit const& submission,
                                 FrameworkSymbols const& framework, fs::path const& stub_dir) {
  std::vector<std::string> findings;
  if (submission.truncated) {
    findings.push_back(
        "what was compiled is too large to inspect whole (the tools' output was cut)");
  }

  // Definitions the stub's object does not have.
  std::map<std::string, std::vector<std::string>> in_namespace;  // by namespace
  std::vector<std::string> framework_names, c_names, indirect;
  for (auto const& [name, type] : submission.defined) {
    if (!is_global_definition(type)) continue;
    if (auto const found = stub.defined.find(name);
        found != stub.defined.end() && found->second == type) {
      continue;
    }
    if (type == 'i') indirect.push_back(shown(name));
    // A template instantiation is weak: the stub's test makes the same ones. An explicit
    // specialisation or a plain function is strong; a weak definition of a function the
    // framework's libraries define (strong: not inline) stands in for theirs when their member
    // is not linked.
    if (auto const ns = framework_namespace(name); !ns.empty()) {
      if (is_strong(type) || type == 'i' || framework.strong.contains(name)) {
        in_namespace[std::string(ns)].push_back(shown(name) + (is_strong(type) ? "" : " (weak)"));
      }
      continue;
    }
    bool const of_framework = framework.defined.contains(name) || framework.referred.contains(name);
    // C++ mangles every function's name; a variable of the global namespace keeps its own.
    bool const c_function = !name.starts_with("_Z") && (type == 'T' || type == 'W' || type == 'i');
    if (of_framework && (is_strong(type) || !name.starts_with("_Z") || type == 'i')) {
      framework_names.push_back(shown(name));
    } else if (c_function && name != "main") {
      c_names.push_back(shown(name));
    }
  }
  for (auto const& [ns, names] : in_namespace) {
    findings.push_back(fmt::format(
        "defines {} in the test framework's namespace {}: a definition there can take the place "
        "of the framework's own (an explicit specialisation, a replaced function)",
        listed(names, 3), ns));
  }
  if (!framework_names.empty()) {
    findings.push_back(fmt::format(
        "defines {}, which the test framework also defines or calls: the program would run "
        "this definition in place of the one the framework expects",
        listed(framework_names)));
  }
  if (!c_names.empty()) {
    findings.push_back(
        fmt::format("defines the function{} {} with C linkage: a C function in the program "
                    "takes the place of any library's of that name",
                    c_names.size() == 1 ? "" : "s", listed(c_names)));
  }
  if (!indirect.empty()) {
    findings.push_back(fmt::format(
        "defines {} as an indirect function (IFUNC): its resolver runs while the program is "
        "being loaded, before the test framework starts and reads its result key",
        listed(indirect)));
  }

  for (auto const& [table, bytes] : submission.startup_bytes) {
    auto const found = stub.startup_bytes.find(table);
    auto const before = found == stub.startup_bytes.end() ? 0 : found->second;
    if (bytes <= before) continue;
    auto const entries = (bytes - before + 7) / 8;
    findings.push_back(
        fmt::format("adds {} entr{} to {}: code that runs {} the tests, outside any test", entries,
                    entries == 1 ? "y" : "ies", table,
                    table == ".fini_array" || table == ".dtors" ? "after" : "before"));
  }

  // Macros of the framework, the runtime, Catch2 or the system changed or removed.
  auto const stub_prefix = stub_dir.string() + "/";
  std::vector<std::string> changed, removed;
  std::set<std::string> where;
  for (auto const& [name, macro] : stub.macros) {
    if (macro.file.starts_with(stub_prefix)) continue;  // the exercise's own stub
    auto const found = submission.macros.find(name);
    if (found == submission.macros.end()) {
      removed.push_back(name);
    } else if (found->second.definition != macro.definition) {
      changed.push_back(name);
      where.insert(fs::path(found->second.file).filename().string());
    }
  }
  for (auto const& [name, macro] : submission.macros) {
    if ((name.starts_with("CATCH_") || name.starts_with("INTERNAL_CATCH")) &&
        !stub.macros.contains(name)) {
      changed.push_back(name);
      where.insert(fs::path(macro.file).filename().string());
    }
  }
  if (!changed.empty()) {
    findings.push_back(fmt::format(
        "redefines macros of the test framework or its libraries: {} (in {}); the test file is "
        "then compiled with the submission's TEST_CASE, CHECK … instead of Catch2's",
        listed(changed), listed({where.begin(), where.end()}, 3)));
  }
  if (!removed.empty()) {
    findings.push_back(
        fmt::format("removes macros of the test framework or its libraries: {}", listed(removed)));
  }

  findings.insert(findings.end(), submission.learner_findings.begin(),
                  submission.learner_findings.end());

  // What the object refers to that the stub's does not.
  std::vector<std::string> bounds;
  bool raw_syscall = false;
  for (auto const& name : submission.undefined) {
    if (stub.undefined.contains(name)) continue;
    if (name == "syscall") raw_syscall = true;
    if (std::find(std::begin(memory_bound_symbols), std::end(memory_bound_symbols), name) !=
        std::end(memory_bound_symbols)) {
      bounds.push_back(name);
    }
  }
  if (raw_syscall &&
      std::find(submission.learner_findings.begin(), submission.learner_findings.end(),
                "makes raw system calls (syscall): the kernel reached around the C library") ==
          submission.learner_findings.end()) {
    findings.push_back("calls syscall(): raw system calls, around the C library");
  }
  if (!bounds.empty()) {
    findings.push_back(fmt::format(
        "refers to {}: the bounds of the program's memory or of its loaded images, where a scan "
        "for the result key starts",
        listed(bounds)));
  }
  if (submission.proc_strings > stub.proc_strings &&
      std::none_of(
          submission.learner_findings.begin(), submission.learner_findings.end(),
          [](std::string const& finding) { return finding.find("/proc/") != std::string::npos; })) {
    findings.push_back(
        "its compiled code holds a \"/proc/\" string: the process's memory and maps can be read "
        "through /proc/self");
  }
  return findings;
}

nlohmann::json to_json(CompiledUnit const& unit) {
  auto macros = nlohmann::json::object();
  for (auto const& [name, macro] : unit.macros) macros[name] = {macro.definition, macro.file};
  auto defined = nlohmann::json::object();
  for (auto const& [name, type] : unit.defined) defined[name] = std::string(1, type);
  return {{"defined", defined},
          {"undefined", unit.undefined},
          {"startup_bytes", unit.startup_bytes},
          {"proc_strings", unit.proc_strings},
          {"macros", macros},
          {"learner_findings", unit.learner_findings},
          {"truncated", unit.truncated}};
}

CompiledUnit compiled_unit_from_json(nlohmann::json const& json) {
  CompiledUnit unit;
  for (auto const& [name, type] : json.at("defined").items()) {
    unit.defined.emplace(name, type.get<std::string>().at(0));
  }
  unit.undefined = json.at("undefined").get<std::set<std::string>>();
  unit.startup_bytes = json.at("startup_bytes").get<std::map<std::string, std::uint64_t>>();
  unit.proc_strings = json.at("proc_strings").get<std::size_t>();
  for (auto const& [name, macro] : json.at("macros").items()) {
    unit.macros[name] = {macro.at(0).get<std::string>(), macro.at(1).get<std::string>()};
  }
  unit.learner_findings = json.at("learner_findings").get<std::vector<std::string>>();
  unit.truncated = json.at("truncated").get<bool>();
  return unit;
}

}  // namespace wb::grade
