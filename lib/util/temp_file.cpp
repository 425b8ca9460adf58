#include "util/temp_file.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace kvsnap {
namespace {

// SQLite's side files of a database; a temporary database may have any of them.
constexpr const char* kSideFiles[] = {"", "-journal", "-wal", "-shm"};

// The table the signal handler reads: fixed-size, written only under the mutex, each slot
// published through its atomic flag, so the handler needs no lock and no allocation.
constexpr int kSlots = 16;
constexpr size_t kPathMax = 4096;
struct Slot {
  std::atomic<bool> used{false};
  char paths[4][kPathMax + 16];
};
Slot g_slots[kSlots];
std::mutex g_mutex;

int register_path(const std::string& path) {
  if (path.size() > kPathMax) return -1;
  std::lock_guard<std::mutex> lock(g_mutex);
  for (int i = 0; i < kSlots; ++i) {
    if (g_slots[i].used.load()) continue;
    for (int k = 0; k < 4; ++k) {
      std::string p = path + kSideFiles[k];
      std::memcpy(g_slots[i].paths[k], p.c_str(), p.size() + 1);
    }
    g_slots[i].used.store(true);
    return i;
  }
  return -1;
}

void unregister_path(int slot) {
  if (slot >= 0) g_slots[slot].used.store(false);
}

void unlink_registered() {
  for (auto& s : g_slots)
    if (s.used.load())
      for (auto& p : s.paths) ::unlink(p);
}

extern "C" void on_fatal_signal(int sig) {
  unlink_registered();
  // Die of the signal, as the caller expects (the shell reports 130 for SIGINT).
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

bool process_alive(long pid) { return ::kill(pid_t(pid), 0) == 0 || errno == EPERM; }

// Removes <dir>/<prefix>-<pid>-XXXXXX files (and side files) of this user whose process is gone:
// what a SIGKILLed run left.
void remove_stale(const std::string& dir, const std::string& prefix) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::string start = prefix + "-";
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (!name.starts_with(start)) continue;
    std::string_view rest = name.substr(start.size());
    size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string_view::npos || dash > 10) continue;
    long pid = 0;
    bool digits = true;
    for (char c : rest.substr(0, dash)) {
      if (c < '0' || c > '9') digits = false;
      pid = pid * 10 + (c - '0');
    }
    std::string_view tail = rest.substr(dash + 1);
    if (!digits || pid <= 0 || pid == long(::getpid()) || tail.size() < 6 || process_alive(pid)) continue;
    std::string path = dir + "/" + std::string(name);
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::getuid()) continue;
    ::unlink(path.c_str());
  }
  ::closedir(d);
}

}  // namespace

void install_signal_handling() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction old {};
      ::sigaction(sig, nullptr, &old);
      if (old.sa_handler == SIG_IGN) continue;  // nohup and friends: stay ignored
      struct sigaction sa {};
      sa.sa_handler = on_fatal_signal;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
    // A write beyond `ulimit -f` then fails with EFBIG, which SQLite reports as an I/O error the
    // tool explains, instead of killing the process without a word.
    ::signal(SIGXFSZ, SIG_IGN);
  });
}

TempFile::TempFile(const std::string& prefix, const std::string& dir_in) {
  install_signal_handling();
  std::string dir = dir_in;
  if (dir.empty()) {
    const char* t = std::getenv("TMPDIR");
    dir = t && *t ? t : "/tmp";
  }
  remove_stale(dir, prefix);
  std::string tmpl = dir + "/" + prefix + "-" + std::to_string(::getpid()) + "-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    throw std::runtime_error("cannot create a temporary file in " + dir + ": " + std::strerror(errno) +
                             (dir_in.empty() ? " (set TMPDIR to a writable folder)" : ""));
  ::close(fd);
  path_ = tmpl;
  slot_ = register_path(path_);
}

TempFile::TempFile(TempFile&& o) noexcept : path_(std::move(o.path_)), slot_(o.slot_) {
  o.path_.clear();
  o.slot_ = -1;
}

TempFile& TempFile::operator=(TempFile&& o) noexcept {
  if (this != &o) {
    remove();
    path_ = std::move(o.path_);
    slot_ = o.slot_;
    o.path_.clear();
    o.slot_ = -1;
  }
  return *this;
}

void TempFile::remove() {
  if (path_.empty()) return;
  for (const char* suffix : kSideFiles) ::unlink((path_ + suffix).c_str());
  release();
}

void TempFile::release() {
  unregister_path(slot_);
  slot_ = -1;
  path_.clear();
}

TempFile::~TempFile() { remove(); }

void remove_temp_files() { unlink_registered(); }

}  // namespace kvsnap
