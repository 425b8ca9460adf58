#include "util/cli.h"

#include <iostream>

#include "util/temp_file.h"
#include "util/text.h"
#include "util/version.h"

namespace po = boost::program_options;

namespace kvsnap {

void print_error(const char* tool, std::string_view message) {
  std::cerr << tool << ": " << terminal_safe(message) << "\n";
}

std::optional<po::variables_map> parse_command_line(int argc, char** argv, const char* tool,
                                                    const po::options_description& opts,
                                                    std::vector<std::string>& positional, int& exit_status) {
  install_signal_handling();
  po::options_description hidden;
  hidden.add_options()("kvsnap-positional", po::value(&positional));
  po::options_description visible(opts);  // the tool's options and what every tool has
  visible.add_options()("version", "print the version and the commit it was built from");
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
  if (vm.count("version")) {
    std::cout << version_line(tool) << "\n";
    exit_status = 0;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << visible << "\n";
    exit_status = 0;
    return std::nullopt;
  }
  return vm;
}

}  // namespace kvsnap
