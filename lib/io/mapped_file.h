#pragma once
// A file mapped read-only (PROT_READ, MAP_PRIVATE): no lock is taken and nothing can be written,
// so it is safe on a database a running etcd holds open.
#include <string>
#include <string_view>

namespace kvsnap {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);  // throws InputError
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace kvsnap
