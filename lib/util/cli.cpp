#include "util/cli.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "util/temp_file.h"
#include "util/text.h"
#include "util/version.h"

namespace po = boost::program_options;

namespace kvsnap {

namespace {

struct Generator {
  const char* kind;
  std::string (*generate)(const ToolHelp&, const po::options_description&);
};

const Generator kGenerators[] = {
    {"man", generate_man_page},
    {"complete-bash", generate_bash_completion},
    {"complete-zsh", generate_zsh_completion},
    {"complete-fish", generate_fish_completion},
};

std::string generator_names() {
  std::string out;
  for (const auto& g : kGenerators) out += (out.empty() ? "" : ", ") + std::string(g.kind);
  return out;
}

// --help: the usage lines, the description, the exit statuses, then the options.
std::string help_caption(const ToolHelp& help) {
  std::string out;
  for (size_t i = 0; i < help.synopsis.size(); ++i) out += (i ? "       " : "Usage: ") + help.synopsis[i] + "\n";
  out += "\n" + help.description + "\n\nExit status: " + help.exit_status + "\n\nOptions";
  return out;
}

}  // namespace

void exit_after_output(int status) {
  remove_temp_files();
  std::cout.flush();
  std::fflush(nullptr);
  std::exit(status);
}

void print_error(const char* tool, std::string_view message) {
  std::cerr << tool << ": " << terminal_safe(message) << "\n";
}

std::optional<po::variables_map> parse_command_line(int argc, char** argv, const ToolHelp& help,
                                                    const po::options_description& opts,
                                                    std::vector<std::string>& positional, int& exit_status) {
  install_signal_handling();
  const char* tool = help.name.c_str();
  po::options_description hidden;
  hidden.add_options()("kvsnap-positional", po::value(&positional));
  po::options_description visible(help_caption(help));  // the tool's options and what every tool has
  std::string generate_help = "write the man page or a shell completion script and exit: " + generator_names();
  po::options_description common;
  // One option per line, as --help lists them:
  // clang-format off
  common.add_options()
      ("version", "print the version and the commit it was built from")
      ("generate", po::value<std::string>()->value_name("KIND"), generate_help.c_str());
  // clang-format on
  visible.add(opts).add(common);
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description pos;
  pos.add("kvsnap-positional", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    print_error(tool, std::string(e.what()) + "\nTry '" + tool + " --help'.");
    exit_status = 2;
    return std::nullopt;
  }
  exit_status = 0;
  if (vm.count("version")) {
    std::cout << version_line(tool) << "\n";
    return std::nullopt;
  }
  if (vm.count("generate")) {
    const std::string& kind = vm["generate"].as<std::string>();
    for (const auto& g : kGenerators)
      if (kind == g.kind) {
        std::cout << g.generate(help, visible);
        return std::nullopt;
      }
    print_error(tool, "--generate " + kind + ": not one of " + generator_names());
    exit_status = 2;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << visible << "\n";
    return std::nullopt;
  }
  return vm;
}

}  // namespace kvsnap
