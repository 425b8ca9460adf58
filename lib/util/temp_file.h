#pragma once
// A temporary file (in $TMPDIR or /tmp) removed, with SQLite's side files, when this goes away.
#include <string>

namespace kvsnap {

class TempFile {
 public:
  TempFile() = default;
  explicit TempFile(const std::string& prefix);  // throws std::runtime_error
  ~TempFile();
  TempFile(TempFile&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempFile& operator=(TempFile&& o) noexcept;
  TempFile(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  void remove();
  std::string path_;
};

}  // namespace kvsnap
