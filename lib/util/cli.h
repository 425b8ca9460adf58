#pragma once
// What every tool's main does with its command line: parse it (options plus positional
// arguments), print --help, and turn a malformed one into a message and exit status 2; and
// what it does first (install_signal_handling: temporary files are removed on SIGINT/SIGTERM).
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace kvsnap {

// Prints "tool: message" on standard error, control bytes escaped (a key in a message must not
// drive the terminal). Every error a tool prints goes through here.
void print_error(const char* tool, std::string_view message);

// Parses argv against `opts` and collects positional arguments into `positional`. Returns the
// options, or nullopt when the tool should exit with `exit_status` (0 after --help or --version,
// 2 after a bad command line; the message is already printed). `opts` must have a "help" switch;
// --version (util/version.h) is added here, the same for every tool.
std::optional<boost::program_options::variables_map> parse_command_line(
    int argc, char** argv, const char* tool, const boost::program_options::options_description& opts,
    std::vector<std::string>& positional, int& exit_status);

}  // namespace kvsnap
