#pragma once
// Opening what a user hands us: a file, standard input ("-"), their .zst/.gz forms, and the
// members of a .zip/.tar archive. Everything becomes an Input: a buffered byte stream with
// peeking (for format sniffing), line reading and the byte offset of what was consumed, so
// readers can name where an error is. Inputs are read-only and streamed, never loaded whole.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace kvsnap {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes into buf; 0 means end of data. Throws InputError on failure.
  virtual size_t read(char* buf, size_t n) = 0;
};

// Input::next_line's error for a line over its bound: also says how the line starts, so a reader
// can name the key it was reading.
class LineTooLong : public InputError {
 public:
  LineTooLong(std::string file, std::string where, const std::string& what, std::string head, uint64_t read)
      : InputError(std::move(file), std::move(where), what), head_(std::move(head)), read_(read) {}
  const std::string& head() const { return head_; }  // the line's first bytes (up to 256)
  uint64_t bytes_read() const { return read_; }      // how much of it was read before stopping

 private:
  std::string head_;
  uint64_t read_;
};

class Input {
 public:
  Input(std::string name, std::unique_ptr<ByteSource> src);
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  const std::string& name() const { return name_; }
  // What decompression was applied ("", "zstd", "gzip").
  const std::string& compression() const { return compression_; }
  // The file the bytes come from unchanged (not stdin, not decompressed), else "".
  const std::string& file_path() const { return file_path_; }
  void set_file_path(std::string p) { file_path_ = std::move(p); }
  void set_compression(std::string c) { compression_ = std::move(c); }

  // Up to n bytes from the current position, without consuming them.
  std::string_view peek(size_t n);
  // The buffered bytes from the current position (refilled when empty); empty at end.
  std::string_view chunk();
  void consume(size_t n);
  // Reads exactly n bytes into out (appending); false when the data ends first.
  bool read_exact(size_t n, std::string& out);
  // Next line without its '\n'; false at end of data. A last line without '\n' is still a line;
  // ended_with_newline() says whether the most recent line had one (also after false). A line longer than max_len
  // is an InputError at its line number (`why` says why no line of the input can be that long),
  // thrown before more than max_len bytes of it are held.
  bool next_line(std::string& line, uint64_t max_len = UINT64_MAX, const char* why = "");
  bool ended_with_newline() const { return last_newline_; }
  uint64_t lines_read() const { return lines_; }  // lines returned by next_line so far
  bool at_end();
  uint64_t offset() const { return consumed_; }  // bytes consumed so far (after decompression)

  // Exposes the remaining stream as a ByteSource (for handing to libarchive).
  std::unique_ptr<ByteSource> release_as_source();

 private:
  bool fill(size_t want);  // ensure at least `want` buffered bytes if data remains

  std::string name_;
  std::string compression_;
  std::string file_path_;
  std::unique_ptr<ByteSource> src_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool last_newline_ = false;
  uint64_t consumed_ = 0;
  uint64_t lines_ = 0;
};

// Opens a path ("-" = standard input) and undoes .zst and .gz compression, detected from the
// bytes (never the file name). A decompressed stream that grows beyond the bounds of io/limits.h
// (kMaxExpansionRatio, kMaxDecompressedBytes) is an InputError when it does.
std::unique_ptr<Input> open_input(const std::string& path);
// Wraps an already-open source (used for archive members and tests).
std::unique_ptr<Input> make_input(std::string name, std::unique_ptr<ByteSource> src);
std::unique_ptr<Input> make_input_from_string(std::string name, std::string data);

bool is_directory(const std::string& path);

// Iterates the regular-file members of a .zip or .tar(.gz/.zst) archive held by `in`; for each,
// calls fn(member path, Input of its bytes). Stops when fn returns false. Nothing is extracted to
// disk; an archive with a member path that is absolute or has a ".." segment is refused
// (InputError), and a member that decompresses beyond the bounds of io/limits.h too.
void for_each_archive_member(Input& in, const std::function<bool(const std::string&, Input&)>& fn);
// True when the peeked bytes start a .zip or .tar archive.
bool looks_like_archive(Input& in);

}  // namespace kvsnap
