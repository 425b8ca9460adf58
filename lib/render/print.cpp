#include "render/print.h"

#include <iostream>

namespace po = boost::program_options;

namespace kvsnap {

void add_output_options(po::options_description& opts, OutputChoice& choice, DocumentKind kind) {
  std::string help_text = "output format: " + output_format_names(kind) + " (default text)";
  // One option per line, as --help lists them:
  // clang-format off
  opts.add_options()
      ("output,o", po::value(&choice.format)->value_name("FORMAT"), help_text.c_str())
      ("color", po::value(&choice.color)->value_name("WHEN"), "text: colour auto (on a terminal, unless NO_COLOR is set), always or never")
      ("all", po::bool_switch(&choice.all), "list every key of a finding or change (text shows a few, then a count)");
  // clang-format on
}

void add_output_choices(ToolHelp& help, DocumentKind kind) {
  auto& formats = help.choices["output"];
  for (const auto& f : output_formats())
    if (kind == DocumentKind::Findings || !f.findings_only) formats.push_back({f.name, f.description});
  help.choices["color"] = {{"auto", "on a terminal, unless NO_COLOR is set (default)"},
                           {"always", "also into a pipe or file"},
                           {"never", "plain text"}};
}

const OutputFormat& chosen_format(const OutputChoice& choice, DocumentKind kind) {
  parse_color_mode(choice.color);
  return output_format(choice.format, kind);
}

void print_document(const Document& d, const OutputChoice& choice, DocumentKind kind) {
  const OutputFormat& f = chosen_format(choice, kind);
  std::cout << f.render(d, terminal_options(parse_color_mode(choice.color), choice.all));
  std::cout.flush();
}

}  // namespace kvsnap
