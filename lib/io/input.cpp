#include "io/input.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "io/limits.h"
#include "util/error.h"

namespace kvsnap {
namespace {

constexpr size_t kChunk = 1 << 20;

// Counts what a decompressor gives and refuses it beyond the bounds of io/limits.h: more than
// kMaxExpansionRatio bytes per compressed byte once past kExpansionFloor, or past
// kMaxDecompressedBytes at all. Checked per read, so a bomb stops at the bound, not at its end.
class ExpansionGuard {
 public:
  ExpansionGuard(std::string name, std::string what) : name_(std::move(name)), what_(std::move(what)) {}
  void add(size_t out, uint64_t compressed_in) {
    out_ += out;
    if (out_ > kMaxDecompressedBytes)
      throw InputError(name_, fmt::format("byte {}", out_),
                       fmt::format("{} decompresses to more than {}: no kvstore dump is that large (refused as a "
                                   "decompression bomb)",
                                   what_, human_bytes(kMaxDecompressedBytes)));
    if (out_ > kExpansionFloor && out_ / kMaxExpansionRatio > compressed_in)
      throw InputError(name_, fmt::format("byte {}", out_),
                       fmt::format("{} decompressed to {} from {} compressed bytes, more than {} times: refused as a "
                                   "decompression bomb (kvstore dumps compress 5 to 30 times; to import it anyway, "
                                   "decompress it yourself and pipe it in: zstd -dc FILE | kvimport -)",
                                   what_, human_bytes(out_), compressed_in, kMaxExpansionRatio));
  }

 private:
  std::string name_, what_;
  uint64_t out_ = 0;
};

class FdSource : public ByteSource {
 public:
  FdSource(std::string name, int fd, bool owned) : name_(std::move(name)), fd_(fd), owned_(owned) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  size_t read(char* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return size_t(r);
      if (errno == EINTR) continue;
      throw InputError(name_, "", fmt::format("read failed: {}", std::strerror(errno)));
    }
  }

 private:
  std::string name_;
  int fd_;
  bool owned_;
};

class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  size_t read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// The rest of an Input, as a source (peeked bytes first).
class InputRestSource : public ByteSource {
 public:
  explicit InputRestSource(Input* in) : in_(in) {}
  size_t read(char* buf, size_t n) override {
    auto c = in_->chunk();
    size_t k = std::min(n, c.size());
    std::memcpy(buf, c.data(), k);
    in_->consume(k);
    return k;
  }

 private:
  Input* in_;
};

class ZstdSource : public ByteSource {
 public:
  ZstdSource(std::string name, std::unique_ptr<Input> inner)
      : name_(std::move(name)), inner_(std::move(inner)), ds_(ZSTD_createDStream()), guard_(name_, "zstd data") {
    ZSTD_initDStream(ds_);
    // zstd's default, made explicit: a frame asking for a window over 128 MiB is refused
    // ("Frame requires too much memory") instead of allocating it.
    ZSTD_DCtx_setParameter(ds_, ZSTD_d_windowLogMax, 27);
  }
  ~ZstdSource() override { ZSTD_freeDStream(ds_); }
  size_t read(char* buf, size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0) {
      auto c = inner_->chunk();
      if (c.empty()) {
        if (!frame_done_)
          throw InputError(name_, fmt::format("compressed byte {}", inner_->offset()), "zstd data is truncated");
        return 0;
      }
      ZSTD_inBuffer in{c.data(), c.size(), 0};
      size_t r = ZSTD_decompressStream(ds_, &out, &in);
      if (ZSTD_isError(r))
        throw InputError(name_, fmt::format("compressed byte {}", inner_->offset() + in.pos),
                         fmt::format("zstd: {}", ZSTD_getErrorName(r)));
      frame_done_ = (r == 0);
      inner_->consume(in.pos);
      if (in.pos == 0 && out.pos == 0 && r != 0) continue;
    }
    guard_.add(out.pos, inner_->offset());
    return out.pos;
  }

 private:
  std::string name_;
  std::unique_ptr<Input> inner_;
  ZSTD_DStream* ds_;
  ExpansionGuard guard_;
  bool frame_done_ = true;
};

// libarchive glue: an archive read from a ByteSource through callbacks.
struct ArchiveFeed {
  ByteSource* src;
  std::vector<char> buf = std::vector<char>(kChunk);
  std::string error;
  uint64_t consumed = 0;  // bytes handed to libarchive (compressed, for the expansion bound)
};

la_ssize_t archive_feed(struct archive*, void* data, const void** out) {
  auto* f = static_cast<ArchiveFeed*>(data);
  try {
    size_t n = f->src->read(f->buf.data(), f->buf.size());
    *out = f->buf.data();
    f->consumed += n;
    return la_ssize_t(n);
  } catch (const InputError& e) {
    f->error = e.what();
    return -1;
  }
}

class Archive {
 public:
  Archive(std::string name, std::unique_ptr<ByteSource> src, bool raw)
      : name_(std::move(name)), src_(std::move(src)), a_(archive_read_new()) {
    feed_.src = src_.get();
    archive_read_support_filter_all(a_);
    if (raw) {
      archive_read_support_format_raw(a_);
    } else {
      archive_read_support_format_zip(a_);
      archive_read_support_format_tar(a_);
      archive_read_support_format_gnutar(a_);
    }
    if (archive_read_open(a_, &feed_, nullptr, archive_feed, nullptr) != ARCHIVE_OK) {
      // The destructor does not run when the constructor throws: free the handle here.
      std::string msg = feed_.error.empty() && archive_error_string(a_) ? archive_error_string(a_) : feed_.error;
      archive_read_free(a_);
      a_ = nullptr;
      throw InputError(name_, "", fmt::format("cannot open: {}", msg));
    }
  }
  ~Archive() {
    if (a_) archive_read_free(a_);
  }
  struct archive* get() {
    return a_;
  }
  // Throws what libarchive (or the source under it) says, at `where` ("" = the compressed byte
  // reached: libarchive reads ahead, so that is where the damage was found, at the latest).
  [[noreturn]] void fail(const std::string& what, std::string where = "") {
    if (where.empty()) where = fmt::format("byte {}", feed_.consumed);
    // The source under the archive failed (a decompression bound of a .tar.gz, a read error):
    // its message says why.
    if (!feed_.error.empty()) throw InputError(name_, where, fmt::format("{}: {}", what, feed_.error));
    const char* msg = archive_error_string(a_);
    throw InputError(name_, where,
                     fmt::format("{}: {} (the archive is damaged or cut; compressed bytes read: {})", what,
                                 msg ? msg : "", feed_.consumed));
  }
  const std::string& name() const { return name_; }
  uint64_t consumed() const { return feed_.consumed; }

 private:
  std::string name_;
  std::unique_ptr<ByteSource> src_;
  ArchiveFeed feed_;
  struct archive* a_;
};

// One member's bytes (or a gzip stream's), bounded like every decompressed stream: the member's
// output against all the archive bytes read so far.
class ArchiveDataSource : public ByteSource {
 public:
  // `member` is "" for the data of a gzip stream.
  ArchiveDataSource(Archive* a, std::string member, std::string label)
      : a_(a), member_(std::move(member)), guard_(std::move(label), member_.empty() ? "gzip data" : member_) {}
  size_t read(char* buf, size_t n) override {
    la_ssize_t r = archive_read_data(a_->get(), buf, n);
    if (r < 0) {
      if (member_.empty()) a_->fail("cannot read the gzip data");
      a_->fail("cannot read this member", fmt::format("member {}", quote_bytes(member_)));
    }
    guard_.add(size_t(r), a_->consumed());
    return size_t(r);
  }

 private:
  Archive* a_;
  std::string member_;
  ExpansionGuard guard_;
};

class GzipSource : public ByteSource {
 public:
  GzipSource(std::string name, std::unique_ptr<Input> inner)
      : inner_(std::move(inner)), archive_(name, std::make_unique<InputRestSource>(inner_.get()), true) {
    struct archive_entry* e;
    if (archive_read_next_header(archive_.get(), &e) != ARCHIVE_OK) archive_.fail("not a readable gzip stream");
    data_ = std::make_unique<ArchiveDataSource>(&archive_, "", name);
  }
  size_t read(char* buf, size_t n) override { return data_->read(buf, n); }

 private:
  std::unique_ptr<Input> inner_;
  Archive archive_;
  std::unique_ptr<ArchiveDataSource> data_;
};

std::unique_ptr<Input> decompress(std::unique_ptr<Input> in) {
  // Undo at most a few layers (a .tar.gz holds a tar; nothing sensible nests deeper).
  for (int layer = 0; layer < 3; ++layer) {
    auto head = in->peek(4);
    std::string name = in->name();
    if (head.size() >= 4 && std::memcmp(head.data(), "\x28\xb5\x2f\xfd", 4) == 0) {
      auto out = make_input(name, std::make_unique<ZstdSource>(name, std::move(in)));
      out->set_compression("zstd");
      in = std::move(out);
    } else if (head.size() >= 2 && uint8_t(head[0]) == 0x1f && uint8_t(head[1]) == 0x8b) {
      auto out = make_input(name, std::make_unique<GzipSource>(name, std::move(in)));
      out->set_compression("gzip");
      in = std::move(out);
    } else {
      break;
    }
  }
  return in;
}

}  // namespace

Input::Input(std::string name, std::unique_ptr<ByteSource> src)
    : name_(std::move(name)), src_(std::move(src)), buf_(kChunk) {}

bool Input::fill(size_t want) {
  if (end_ - pos_ >= want) return true;
  if (eof_) return end_ > pos_;
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (buf_.size() < want) buf_.resize(std::max(want, buf_.size() * 2));
  while (end_ < want && !eof_) {
    if (end_ == buf_.size()) break;
    size_t r = src_->read(buf_.data() + end_, buf_.size() - end_);
    if (r == 0) eof_ = true;
    end_ += r;
  }
  return end_ > pos_;
}

std::string_view Input::peek(size_t n) {
  fill(n);
  return {buf_.data() + pos_, std::min(n, end_ - pos_)};
}

std::string_view Input::chunk() {
  if (pos_ == end_) fill(1);
  return {buf_.data() + pos_, end_ - pos_};
}

void Input::consume(size_t n) {
  pos_ += n;
  consumed_ += n;
}

bool Input::at_end() { return !fill(1); }

bool Input::read_exact(size_t n, std::string& out) {
  while (n > 0) {
    auto c = chunk();
    if (c.empty()) return false;
    size_t k = std::min(n, c.size());
    out.append(c.data(), k);
    consume(k);
    n -= k;
  }
  return true;
}

bool Input::next_line(std::string& line, uint64_t max_len, const char* why) {
  line.clear();
  bool any = false;
  for (;;) {
    auto c = chunk();
    if (c.empty()) {
      if (!any) return false;  // ended_with_newline() still describes the last line
      last_newline_ = false;
      ++lines_;
      return true;
    }
    any = true;
    auto nl = c.find('\n');
    size_t take = nl == std::string_view::npos ? c.size() : nl;
    if (line.size() + take > max_len) {
      if (line.size() < 256) line.append(c.data(), std::min<size_t>(take, 256 - line.size()));
      throw LineTooLong(name_, fmt::format("line {}", lines_ + 1),
                        fmt::format("line longer than {}{}", human_bytes(max_len), why), line.substr(0, 256),
                        line.size() + take);
    }
    line.append(c.data(), take);
    if (nl != std::string_view::npos) {
      consume(nl + 1);
      last_newline_ = true;
      ++lines_;
      return true;
    }
    consume(c.size());
  }
}

std::unique_ptr<ByteSource> Input::release_as_source() { return std::make_unique<InputRestSource>(this); }

std::unique_ptr<Input> make_input(std::string name, std::unique_ptr<ByteSource> src) {
  return std::make_unique<Input>(std::move(name), std::move(src));
}

std::unique_ptr<Input> make_input_from_string(std::string name, std::string data) {
  return make_input(std::move(name), std::make_unique<StringSource>(std::move(data)));
}

std::unique_ptr<Input> open_input(const std::string& path) {
  if (path == "-") return decompress(make_input("<stdin>", std::make_unique<FdSource>("<stdin>", 0, false)));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path, "", fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw InputError(path, "", "is a directory");
  }
  auto in = decompress(make_input(path, std::make_unique<FdSource>(path, fd, true)));
  if (in->compression().empty()) in->set_file_path(path);
  return in;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool looks_like_archive(Input& in) {
  auto head = in.peek(512);
  if (head.size() >= 4 && head.substr(0, 4) == std::string_view("PK\x03\x04", 4)) return true;
  if (head.size() >= 4 && head.substr(0, 4) == std::string_view("PK\x05\x06", 4)) return true;  // empty zip
  return head.size() >= 262 && head.substr(257, 5) == "ustar";
}

namespace {

// A member path that would leave the folder an archive unpacks to: absolute, or a ".." segment.
bool escapes_archive(std::string_view p) {
  if (!p.empty() && (p[0] == '/' || p[0] == '\\')) return true;
  if (p.size() >= 2 && p[1] == ':' && std::isalpha(static_cast<unsigned char>(p[0]))) return true;  // C:\...
  size_t start = 0;
  for (;;) {
    size_t end = p.find_first_of("/\\", start);
    if (p.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start) == "..") return true;
    if (end == std::string_view::npos) return false;
    start = end + 1;
  }
}

}  // namespace

void for_each_archive_member(Input& in, const std::function<bool(const std::string&, Input&)>& fn) {
  Archive archive(in.name(), in.release_as_source(), false);
  struct archive_entry* e;
  for (;;) {
    int r = archive_read_next_header(archive.get(), &e);
    if (r == ARCHIVE_EOF) return;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) archive.fail("cannot read archive member");
    const char* p = archive_entry_pathname(e);
    std::string member = p ? p : "";
    // kvsnap reads members in memory and writes nothing out, so such a path could do no harm
    // here; but no cilium sysdump has one, and an archive made to escape its folder is not one
    // to trust for the rest either.
    if (escapes_archive(member))
      throw InputError(in.name(), fmt::format("member {}", quote_bytes(member)),
                       "archive member path is absolute or goes up with \"..\": not a cilium sysdump (refused; "
                       "nothing is extracted)");
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    std::string label = fmt::format("{}:{}", in.name(), member);
    Input member_in(label, std::make_unique<ArchiveDataSource>(&archive, member, label));
    if (!fn(member, member_in)) return;
  }
}

}  // namespace kvsnap
