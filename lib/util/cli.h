#pragma once
// What every tool's main does with its command line: parse it (options plus positional
// arguments), print --help, and turn a malformed one into a message and exit status 2; and
// what it does first (install_signal_handling: temporary files are removed on SIGINT/SIGTERM).
//
// A tool describes itself once (ToolHelp plus its options_description); --help, its man page
// and its bash, zsh and fish completions are all made from that description (`TOOL --generate
// man|complete-bash|complete-zsh|complete-fish`, run by the build: lib/util/cli_docs.cpp), so
// they cannot drift from the options the tool accepts.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace kvsnap {

// A value an option takes, with what it means (completions show both; the man page lists them).
struct Choice {
  std::string word, meaning;
};

struct ToolHelp {
  std::string name;                   // "kvcheck"
  std::string summary;                // one line: the man page's NAME, kvsnap(7)'s list
  std::vector<std::string> synopsis;  // usage lines, without the "Usage: " prefix
  std::string description;            // paragraphs separated by blank lines; indented lines stay as they are
  std::string exit_status;            // one paragraph
  std::vector<std::pair<std::string, std::string>> examples;  // command, what it does (man page)
  std::map<std::string, std::vector<Choice>> choices;         // long option name -> its values
  std::set<std::string> file_options;                         // long names of options that take a file
  std::set<std::string> directory_options;                    // ... a folder
  bool positional_files = true;                               // positional arguments are files (kvquery: SQL)
};

// Prints "tool: message" on standard error, control bytes escaped (a key in a message must not
// drive the terminal). Every error a tool prints goes through here.
void print_error(const char* tool, std::string_view message);

// Parses argv against `opts` and collects positional arguments into `positional`. Returns the
// options, or nullopt when the tool should exit with `exit_status` (0 after --help, --version or
// --generate, 2 after a bad command line; the message is already printed). `opts` must have a
// "help" switch; --version (util/version.h) and --generate are added here, the same for every tool.
std::optional<boost::program_options::variables_map> parse_command_line(
    int argc, char** argv, const ToolHelp& help, const boost::program_options::options_description& opts,
    std::vector<std::string>& positional, int& exit_status);

// Ends the process once a tool's output is written, leaving what main still holds (a report of
// millions of small objects, databases mapped into memory) to the exit, which releases it at once:
// freeing it object by object and closing took 20 ms of a 250 ms kvdiff. Removes the temporary
// files still there (util/temp_file.h) and flushes standard output first; atexit handlers and
// static destructors run as on any exit.
[[noreturn]] void exit_after_output(int status);

// What --generate KIND writes (cli_docs.cpp): a man page in roff, or a completion script.
// `opts` is the tool's complete option set (with --version and --generate).
std::string generate_man_page(const ToolHelp& help, const boost::program_options::options_description& opts);
std::string generate_bash_completion(const ToolHelp& help, const boost::program_options::options_description& opts);
std::string generate_zsh_completion(const ToolHelp& help, const boost::program_options::options_description& opts);
std::string generate_fish_completion(const ToolHelp& help, const boost::program_options::options_description& opts);

}  // namespace kvsnap
