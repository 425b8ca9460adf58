// Fuzz target: kvimport's path for a file of unknown format. The bytes become a file (a memfd,
// nothing on disk) opened with open_input (which undoes zstd/gzip and maps etcd db files),
// detect_format sniffs it, and the format it names reads it.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "etcd/formats.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kvsnap;
  int fd = memfd_create("kvsnap-fuzz", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  for (size_t done = 0; done < size;) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) std::abort();
    done += size_t(n);
  }
  fuzz::expect_refusals([&] {
    auto in = open_input("/proc/self/fd/" + std::to_string(fd));
    const InputFormat& f = detect_format(*in);
    fuzz::DiscardSink sink;
    ReadOptions opts;
    opts.skip_hash_check = true;
    f.read(*in, sink, opts);
  });
  close(fd);
  return 0;
}
