#pragma once
// Temporary files that never outlive the run, even an interrupted one: the temporary databases
// kvcheck, kvquery and kvdiff import an input into, and the file a new database is built in
// before kvimport renames it into place.
//
// Every TempFile is registered with a handler of SIGINT, SIGTERM and SIGHUP that removes it (and
// SQLite's side files) before the process dies of the signal. Names carry the process id
// (<prefix>-<pid>-XXXXXX), so files left by a SIGKILLed run are recognised and removed by the next
// run that creates one in the same folder. Tools unlink a temporary database as soon as every
// connection it needs is open, so from then on not even SIGKILL leaves anything behind.
#include <string>

namespace kvsnap {

class TempFile {
 public:
  TempFile() = default;
  // Creates <dir>/<prefix>-<pid>-XXXXXX (dir "" means $TMPDIR, else /tmp). Throws
  // std::runtime_error when it cannot.
  explicit TempFile(const std::string& prefix, const std::string& dir = "");
  ~TempFile();
  TempFile(TempFile&& o) noexcept;
  TempFile& operator=(TempFile&& o) noexcept;
  TempFile(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  // Removes the file (and SQLite's side files) now; open descriptors keep reading it.
  void remove();
  // The file is no longer temporary (it was renamed into place): forget it without removing.
  void release();

 private:
  std::string path_;
  int slot_ = -1;  // in the signal handler's table
};

// Removes the temporary files not removed yet that the signal handler would (all but those whose
// path is longer than 4096 bytes or that came after 16 others still there), as their destructors
// would: for an exit that skips destructors (util/cli.h, exit_after_output).
void remove_temp_files();

// What every tool does first: remove registered temporary files on SIGINT, SIGTERM and SIGHUP,
// and turn SIGXFSZ (a file-size limit) into a failing write that is reported, not a silent death.
void install_signal_handling();

}  // namespace kvsnap
