#pragma once
// Errors a user can cause. InputError names the input and where in it (line, byte offset, page);
// tools print it once and exit 2. UsageError is a bad command line.
#include <stdexcept>
#include <string>

namespace kvsnap {

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string where, const std::string& what)
      : std::runtime_error(what), file_(std::move(file)), where_(std::move(where)) {}
  const std::string& file() const { return file_; }
  const std::string& where() const { return where_; }
  // "dump.json: byte 1234: expected base64"
  std::string describe() const;

 private:
  std::string file_, where_;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace kvsnap
