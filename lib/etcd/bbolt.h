#pragma once
// A read-only reader of bbolt files (etcd's backend): meta pages validated and chosen as bbolt
// does, then every bucket walked from the root (never by scanning pages: freed pages hold stale
// data). Every page id, offset and length is bounds-checked before use; a page reached twice is
// an error, not a loop. Format: docs/etcd-formats.md, section "bbolt pages".
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kvsnap {

struct BoltMeta {
  uint32_t magic = 0, version = 0, page_size = 0, flags = 0;
  uint64_t root = 0, sequence = 0, freelist = 0, pgid = 0, txid = 0, checksum = 0;
  bool present = false;  // the page exists in the file
  bool valid = false;
  std::string problem;  // why it is not valid
};

struct BoltPageStats {
  uint64_t branch = 0, leaf = 0, overflow = 0, freelist = 0;  // reachable pages by kind
  uint64_t inline_buckets = 0;
  uint64_t unreachable = 0;  // below the high-water mark, not reachable (freed or free)
};

class BoltDb {
 public:
  // `data` is the whole file (a snapshot's SHA-256 trailer may follow the pages; it is ignored).
  // Throws InputError(name, "page N", ...) when neither meta page is valid.
  BoltDb(std::string name, std::string_view data);

  const BoltMeta& meta() const { return metas_[chosen_]; }
  const BoltMeta& meta_page(int i) const { return metas_[i]; }
  int chosen_meta() const { return chosen_; }
  uint32_t page_size() const { return page_size_; }
  bool big_endian() const { return big_; }
  uint64_t high_water_mark() const { return meta().pgid; }

  // Called for every entry of every top-level bucket, in bucket-name then key order. `pgid` is
  // the page the entry sits on (for inline buckets: the page holding the bucket's value).
  using EntryFn =
      std::function<void(std::string_view bucket, std::string_view key, std::string_view value, uint64_t pgid)>;
  using BucketFn = std::function<void(std::string_view bucket, bool is_inline)>;

  // Walks everything once. In strict mode the first problem throws InputError naming the page;
  // otherwise problems are collected (problems()) and the damaged subtree is skipped.
  void walk(const BucketFn& on_bucket, const EntryFn& on_entry, bool strict = true);
  const std::vector<std::string>& problems() const { return problems_; }
  const BoltPageStats& stats() const { return stats_; }

 private:
  struct Page {
    uint64_t id;
    uint16_t flags, count;
    uint32_t overflow;
    std::string_view bytes;  // the whole span: (overflow + 1) * page_size, or an inline page
  };
  uint16_t rd16(const char* p) const;
  uint32_t rd32(const char* p) const;
  uint64_t rd64(const char* p) const;
  BoltMeta read_meta(uint64_t offset) const;
  bool fail(uint64_t pgid, const std::string& what);
  bool load_page(uint64_t pgid, Page& out);
  // Walks one bucket's tree; keys must lie in [lo, hi) when given.
  void walk_tree(std::string_view bucket, const Page& page, const std::string_view* lo, const std::string_view* hi,
                 int depth, const EntryFn& on_entry, bool top);
  // Walks the entries of a top-level bucket, whose header (and inline page) is `value`.
  void walk_bucket_value(std::string_view bucket, std::string_view value, uint64_t parent_pgid,
                         const EntryFn& on_entry);

  std::string name_;
  std::string_view data_;
  bool big_ = false;
  uint32_t page_size_ = 0;
  BoltMeta metas_[2];
  int chosen_ = 0;
  bool strict_ = true;
  std::vector<uint8_t> visited_;
  std::vector<std::string> problems_;
  BoltPageStats stats_;
  const BucketFn* on_bucket_ = nullptr;
};

}  // namespace kvsnap
