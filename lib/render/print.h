#pragma once
// What every tool's main does with its output: the options it takes for it (-o, --color, --all)
// and printing a Document with them. Tools print nothing any other way.
#include <string>

#include <boost/program_options.hpp>

#include "render/output.h"
#include "util/cli.h"

namespace kvsnap {

struct OutputChoice {
  std::string format = "text";
  std::string color = "auto";
  bool all = false;
};

// Adds -o/--output (its help names the formats of `kind`), --color and --all to opts.
void add_output_options(boost::program_options::options_description& opts, OutputChoice& choice, DocumentKind kind);
// The values of -o (the format table's, for `kind`) and --color, for the tool's man page and completions.
void add_output_choices(ToolHelp& help, DocumentKind kind);
// The format chosen, checked for `kind` before any work is done (UsageError lists the valid ones).
const OutputFormat& chosen_format(const OutputChoice& choice, DocumentKind kind);
// Renders the document with the chosen format to standard output.
void print_document(const Document& d, const OutputChoice& choice, DocumentKind kind);

}  // namespace kvsnap
