#pragma once
// The input formats kvimport reads, as one table: name, what it is, how its first bytes look,
// and its reader. Adding a format is adding an entry. The formats: docs/etcd-formats.md.
#include <string>
#include <string_view>
#include <vector>

#include "etcd/readers.h"

namespace kvsnap {

struct InputFormat {
  const char* name;         // --format value
  const char* description;  // for --help and messages
  // True when the first bytes (up to 64 KiB, decompressed) look like this format (--prefix, in
  // opts, widens what counts as a kvstore key). Entries are tried in table order; the first match wins.
  bool (*sniff)(Input& in, const ReadOptions& opts);
  void (*read)(Input& in, RecordSink& sink, const ReadOptions& opts);
};

const std::vector<InputFormat>& input_formats();
const InputFormat* find_format(std::string_view name);
// What a line is when it starts a failed command's output instead of data: an error message
// ("Error: ...", "error: ...", "command terminated with exit code 1") or a log line ("level=...");
// nullptr for any other line (JSON ones included). The words end with ", not a dump".
const char* error_output(std::string_view first_line);
// The format of an input judged by its content; throws InputError when nothing matches.
const InputFormat& detect_format(Input& in, const ReadOptions& opts = {});

}  // namespace kvsnap
