// Fuzz target: read_sysdump_dir on an unpacked sysdump folder. The input lists the folder's
// files, each a header line then its bytes:
//   === kvstore-nodes.json\n<bytes>\n=== sub/cilium-configmap.yaml\n<bytes>
// (a member's bytes end where the next "\n=== " starts). The files are written into a fresh
// folder (in /dev/shm when there is one), read, and the folder is removed, every run.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "etcd/readers.h"
#include "fuzz.h"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kHeader = "=== ";
constexpr int kMaxMembers = 32;

// The member path made safe: components that are empty, ".", ".." or too long are dropped.
std::string safe_path(std::string_view p) {
  std::string out;
  int depth = 0;
  while (!p.empty() && depth < 4) {
    auto slash = p.find('/');
    std::string_view c = p.substr(0, slash);
    p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
    if (c.empty() || c == "." || c == ".." || c.size() > 200 || c.find('\0') != std::string_view::npos) continue;
    if (!out.empty()) out += '/';
    out += c;
    ++depth;
  }
  return out;
}

void write_member(const fs::path& dir, std::string_view name, std::string_view bytes) {
  std::string rel = safe_path(name);
  if (rel.empty()) return;
  fs::path p = dir / rel;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;  // a name that is already a folder, ...
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) std::abort();
    done += size_t(n);
  }
  close(fd);
}

const fs::path& base_dir() {
  static const fs::path base = [] {
    std::error_code ec;
    if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0) return fs::path("/dev/shm");
    return fs::temp_directory_path();
  }();
  return base;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kvsnap;
  std::string tmpl = (base_dir() / "cilium-sysdump-20250310-081500-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) std::abort();
  fs::path dir = tmpl;

  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string sep = std::string("\n").append(kHeader);
  // The header that starts at or after `from`: at `from` itself, or after a newline.
  auto next_header = [&](size_t from) {
    if (in.substr(from).starts_with(kHeader)) return from;
    size_t nl = in.find(sep, from);
    return nl == std::string_view::npos ? nl : nl + 1;
  };
  size_t at = next_header(0);
  for (int members = 0; at != std::string_view::npos && members < kMaxMembers; ++members) {
    size_t name_end = in.find('\n', at);
    std::string_view name =
        in.substr(at + kHeader.size(),
                  name_end == std::string_view::npos ? std::string_view::npos : name_end - at - kHeader.size());
    if (name_end == std::string_view::npos) {
      write_member(dir, name, {});
      break;
    }
    at = next_header(name_end + 1);
    size_t end = at == std::string_view::npos ? in.size() : at == name_end + 1 ? at : at - 1;
    write_member(dir, name, in.substr(name_end + 1, end - name_end - 1));
  }

  fuzz::DiscardSink sink;
  fuzz::expect_refusals([&] { read_sysdump_dir(dir.string(), sink, ReadOptions{}); });
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) std::abort();
  return 0;
}
