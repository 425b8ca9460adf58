// A tool's man page and shell completions, made from its ToolHelp and options_description (the
// ones --help prints and the parser accepts). The build runs `TOOL --generate KIND` for each.
#include <algorithm>

#include <fmt/format.h>

#include "util/cli.h"
#include "util/version.h"

namespace po = boost::program_options;

namespace kvsnap {

namespace {

struct OptionInfo {
  std::string short_name;  // "d", or empty
  std::string long_name;   // "db"
  bool takes_value = false;
  bool value_optional = false;  // --schema [TABLE]
  std::string value_name;       // "DB"
  std::string default_value;    // "kvsnap.db", or empty
  std::string help;
};

// boost's semantic name: "NAME", "NAME (=default)" or "[=NAME(=implicit)] (=default)".
void parse_value_name(const std::string& text, OptionInfo& o) {
  std::string rest = text;
  if (rest.rfind("[=", 0) == 0) {
    o.value_optional = true;
    auto end = rest.find("(=");
    o.value_name = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    auto close = rest.find(")]");
    rest = close == std::string::npos ? "" : rest.substr(close + 2);
  } else {
    auto paren = rest.find(" (=");
    o.value_name = rest.substr(0, paren);
    rest = paren == std::string::npos ? "" : rest.substr(paren);
  }
  if (auto d = rest.find("(="); d != std::string::npos) {
    auto close = rest.rfind(')');
    o.default_value = rest.substr(d + 2, close == std::string::npos || close < d ? std::string::npos : close - d - 2);
  }
  while (!o.value_name.empty() && o.value_name.back() == ' ') o.value_name.pop_back();
}

std::vector<OptionInfo> option_infos(const po::options_description& opts) {
  std::vector<OptionInfo> out;
  for (const auto& d : opts.options()) {
    OptionInfo o;
    o.long_name = d->long_name();
    std::string display = d->canonical_display_name(po::command_line_style::allow_dash_for_short);
    if (display.size() == 2 && display[0] == '-') o.short_name = display.substr(1);
    o.takes_value = d->semantic()->max_tokens() > 0;
    if (o.takes_value) parse_value_name(d->semantic()->name(), o);
    o.help = d->description();
    out.push_back(std::move(o));
  }
  return out;
}

const std::vector<Choice>* choices_of(const ToolHelp& help, const OptionInfo& o) {
  auto it = help.choices.find(o.long_name);
  return it == help.choices.end() ? nullptr : &it->second;
}

enum class Completes { Nothing, Words, Files, Directories };

Completes completes(const ToolHelp& help, const OptionInfo& o) {
  if (choices_of(help, o)) return Completes::Words;
  if (help.file_options.count(o.long_name)) return Completes::Files;
  if (help.directory_options.count(o.long_name)) return Completes::Directories;
  return Completes::Nothing;
}

// The first clause of an option's help, for the one-line descriptions of completion menus.
std::string short_help(const std::string& help) {
  std::string s = help;
  for (const char* stop : {"; ", ". ", " (default", ": "}) {
    auto p = s.find(stop);
    if (p != std::string::npos && p > 8) s = s.substr(0, p);
  }
  return s;
}

// ---- man page (roff, man(7) macros) ----

std::string roff(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  return out;
}

// A line of text as a roff input line: no control character at its start.
std::string roff_line(std::string_view text) {
  std::string s = roff(text);
  if (!s.empty() && (s[0] == '.' || s[0] == '\'')) s = "\\&" + s;
  return s + "\n";
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    lines.emplace_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

// Paragraphs separated by blank lines; a paragraph with indented lines is kept as laid out.
std::string roff_paragraphs(std::string_view text) {
  std::string out;
  std::vector<std::string> para;
  auto flush = [&] {
    if (para.empty()) return;
    bool laid_out = false;
    for (size_t i = 1; i < para.size(); ++i) laid_out |= !para[i].empty() && para[i][0] == ' ';
    out += ".PP\n";
    if (laid_out) {
      out += ".nf\n";
      for (const auto& l : para) out += roff_line(l);
      out += ".fi\n";
    } else {
      std::string joined;
      for (const auto& l : para) joined += (joined.empty() ? "" : " ") + l;
      out += roff_line(joined);
    }
    para.clear();
  };
  for (const auto& line : split_lines(text)) {
    if (line.empty())
      flush();
    else
      para.push_back(line);
  }
  flush();
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string man_option_head(const OptionInfo& o) {
  std::string head;
  if (!o.short_name.empty()) head += "\\fB\\-" + roff(o.short_name) + "\\fR, ";
  head += "\\fB\\-\\-" + roff(o.long_name) + "\\fR";
  if (o.takes_value) {
    std::string value = "\\fI" + roff(o.value_name) + "\\fR";
    head += o.value_optional ? "[=" + value + "]" : " " + value;
  }
  return head;
}

const std::vector<std::string> kTools = {"kvimport", "kvcheck", "kvquery", "kvdiff"};

}  // namespace

std::string generate_man_page(const ToolHelp& help, const po::options_description& opts) {
  std::string out;
  out += fmt::format(".\\\" Generated by `{} --generate man` from the options it parses; do not edit.\n", help.name);
  out += fmt::format(".TH {} 1 \"\" \"kvsnap {}\" \"kvsnap manual\"\n", upper(help.name), kvsnap_version());
  out += ".SH NAME\n" + roff(help.name) + " \\- " + roff(help.summary) + "\n";
  out += ".SH SYNOPSIS\n.nf\n";
  for (const auto& s : help.synopsis) {
    auto space = s.find(' ');
    out +=
        "\\fB" + roff(s.substr(0, space)) + "\\fR" + (space == std::string::npos ? "" : roff(s.substr(space))) + "\n";
  }
  out += ".fi\n.SH DESCRIPTION\n" + roff_paragraphs(help.description);
  out += ".SH OPTIONS\n";
  std::map<const std::vector<Choice>*, std::string> listed;  // a value list shown once, then referred to
  for (const auto& o : option_infos(opts)) {
    std::string text = o.help;
    if (!o.default_value.empty() && text.find("default") == std::string::npos)
      text += " (default: " + o.default_value + ")";
    out += ".TP\n" + man_option_head(o) + "\n" + roff_line(text);
    if (const auto* c = choices_of(help, o)) {
      auto it = std::find_if(listed.begin(), listed.end(), [&](const auto& l) {
        return l.first->size() == c->size() &&
               std::equal(c->begin(), c->end(), l.first->begin(),
                          [](const Choice& a, const Choice& b) { return a.word == b.word; });
      });
      if (it != listed.end()) {
        out += ".IP\n" + roff_line("The values are those of --" + it->second + ".");
        continue;
      }
      listed[c] = o.long_name;
      out += ".RS\n";
      for (const auto& v : *c)
        out += ".TP\n\\fB" + roff(v.word) + "\\fR\n" + roff_line(v.meaning.empty() ? "-" : v.meaning);
      out += ".RE\n";
    }
  }
  out += ".SH \"EXIT STATUS\"\n" + roff_paragraphs(help.exit_status);
  if (!help.examples.empty()) {
    out += ".SH EXAMPLES\n";
    for (const auto& [command, what] : help.examples) out += ".TP\n.B " + roff(command) + "\n" + roff_line(what);
  }
  out += ".SH \"SEE ALSO\"\n\\fBkvsnap\\fR(7)";
  for (const auto& t : kTools)
    if (t != help.name) out += ", \\fB" + t + "\\fR(1)";
  out += "\n";
  return out;
}

// ---- bash ----

namespace {

std::string shell_words(const std::vector<Choice>& choices) {
  std::string out;
  for (const auto& c : choices) out += (out.empty() ? "" : " ") + c.word;
  return out;
}

// A string in single quotes for sh, bash, zsh and fish ('\'' closes, escapes and reopens; fish
// reads \' inside single quotes, so fish gets its own).
std::string sh_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string fish_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string option_words(const OptionInfo& o) {
  std::string w = "--" + o.long_name;
  if (!o.short_name.empty()) w = "-" + o.short_name + "|" + w;
  return w;
}

std::string header_comment(const ToolHelp& help, const char* shell, const char* kind) {
  return fmt::format("# {} completion for {} (kvsnap {}). Generated by `{} --generate {}`; do not edit.\n", shell,
                     help.name, kvsnap_version(), help.name, kind);
}

std::string function_name(const ToolHelp& help) {
  std::string n = "_kvsnap_" + help.name;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

}  // namespace

std::string generate_bash_completion(const ToolHelp& help, const po::options_description& opts) {
  auto options = option_infos(opts);
  std::string fn = function_name(help);
  std::string out = header_comment(help, "bash", "complete-bash");
  out += fn + "() {\n";
  out += "  local cur=${COMP_WORDS[COMP_CWORD]} prev=\n";
  out += "  (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}\n";
  out += "  # --option=value: bash splits at '=' (COMP_WORDBREAKS), or hands over the whole word.\n";
  out += "  if [[ $cur == = ]]; then cur=; elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then\n";
  out += "    prev=${COMP_WORDS[COMP_CWORD-2]}\n";
  out += "  elif [[ $cur == --*=* ]]; then prev=${cur%%=*}; cur=${cur#*=}; fi\n";
  out += "  case $prev in\n";
  std::string nothing;
  for (const auto& o : options) {
    if (!o.takes_value) continue;
    switch (completes(help, o)) {
      case Completes::Words:
        out += "    " + option_words(o) + ") COMPREPLY=($(compgen -W " + sh_quote(shell_words(*choices_of(help, o))) +
               " -- \"$cur\")); return ;;\n";
        break;
      case Completes::Files:
        out += "    " + option_words(o) + ") compopt -o filenames; COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
        break;
      case Completes::Directories:
        out += "    " + option_words(o) + ") compopt -o filenames; COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n";
        break;
      case Completes::Nothing:
        if (!o.value_optional) {
          if (!nothing.empty()) nothing += '|';
          nothing += option_words(o);
        }
        break;
    }
  }
  if (!nothing.empty()) out += "    " + nothing + ") return ;;  # a value nothing can complete\n";
  out += "  esac\n";
  std::string all;
  for (const auto& o : options) {
    if (!o.short_name.empty()) all += " -" + o.short_name;
    all += " --" + o.long_name;
  }
  out +=
      "  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W " + sh_quote(all.substr(1)) + " -- \"$cur\")); return; fi\n";
  if (help.positional_files) out += "  compopt -o filenames; COMPREPLY=($(compgen -f -- \"$cur\"))\n";
  out += "}\ncomplete -F " + fn + " " + help.name + "\n";
  return out;
}

// ---- zsh ----

namespace {

// Text inside an _arguments description ([...]) or message: brackets and colons escaped.
std::string zsh_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string generate_zsh_completion(const ToolHelp& help, const po::options_description& opts) {
  auto options = option_infos(opts);
  std::string fn = function_name(help);
  std::string out = "#compdef " + help.name + "\n" + header_comment(help, "zsh", "complete-zsh");
  // One function per list of values: _describe shows each value with its meaning.
  std::map<std::string, std::string> value_functions;  // long option -> function
  for (const auto& o : options) {
    const auto* c = choices_of(help, o);
    if (!c || !o.takes_value) continue;
    std::string f = fn + "_" + o.long_name;
    for (char& ch : f)
      if (ch == '-') ch = '_';
    value_functions[o.long_name] = f;
    out += f + "() {\n  local -a values=(\n";
    for (const auto& v : *c) {
      std::string word;
      for (char ch : v.word) word += ch == ':' ? std::string("\\:") : std::string(1, ch);
      out += "    " + sh_quote(word + (v.meaning.empty() ? "" : ":" + v.meaning)) + "\n";
    }
    out += "  )\n  _describe -t values " + sh_quote(o.value_name) + " values\n}\n";
  }
  out += fn + "() {\n  _arguments -s -S \\\n";
  for (const auto& o : options) {
    std::string spec;
    std::string names;
    std::string suffix = o.takes_value ? (o.value_optional ? "=-" : "=") : "";
    std::string desc = "[" + zsh_text(short_help(o.help)) + "]";
    std::string action;
    if (o.takes_value) {
      switch (completes(help, o)) {
        case Completes::Words: action = value_functions[o.long_name]; break;
        case Completes::Files: action = "_files"; break;
        case Completes::Directories: action = "_files -/"; break;
        case Completes::Nothing: action = " "; break;
      }
      action = ":" + zsh_text(o.value_name) + ":" + action;
    }
    if (o.short_name.empty()) {
      spec = sh_quote("*--" + o.long_name + suffix + desc + action);
    } else {
      std::string short_suffix = o.takes_value ? "+" : "";
      spec = sh_quote("*") + "{" + sh_quote("-" + o.short_name + short_suffix) + "," +
             sh_quote("--" + o.long_name + suffix) + "}" + sh_quote(desc + action);
    }
    out += "    " + spec + " \\\n";
  }
  out += help.positional_files ? "    '*:file:_files'\n" : "    '*: :'\n";
  out += "}\n" + fn + " \"$@\"\n";
  return out;
}

// ---- fish ----

std::string generate_fish_completion(const ToolHelp& help, const po::options_description& opts) {
  auto options = option_infos(opts);
  std::string fn = function_name(help);
  std::string out = header_comment(help, "fish", "complete-fish");
  std::string base = "complete -c " + help.name;
  if (!help.positional_files) out += base + " -f\n";
  for (const auto& o : options) {
    std::string line = base;
    if (!o.short_name.empty()) line += " -s " + o.short_name;
    line += " -l " + o.long_name;
    if (o.takes_value) {
      switch (completes(help, o)) {
        case Completes::Words: {
          // A function printing "value<TAB>meaning" lines: fish shows the meaning next to each value.
          std::string f = fn + "_" + o.long_name;
          out += "function " + f + "\n";
          for (const auto& v : *choices_of(help, o))
            out += "    printf '%s\\t%s\\n' " + fish_quote(v.word) + " " + fish_quote(v.meaning) + "\n";
          out += "end\n";
          line += " -x -a '(" + f + ")'";
          break;
        }
        case Completes::Files: line += " -r -F"; break;
        case Completes::Directories: line += " -x -a '(__fish_complete_directories)'"; break;
        case Completes::Nothing: line += o.value_optional ? "" : " -x"; break;
      }
    }
    out += line + " -d " + fish_quote(short_help(o.help)) + "\n";
  }
  return out;
}

}  // namespace kvsnap
