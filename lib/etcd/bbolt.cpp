#include "etcd/bbolt.h"

#include <cstring>

#include <fmt/format.h>

#include "util/error.h"
#include "util/hash.h"

namespace kvsnap {
namespace {

constexpr uint32_t kMagic = 0xED0CDAED;
constexpr uint16_t kBranch = 0x01, kLeaf = 0x02, kMetaFlag = 0x04, kFreelist = 0x10;
constexpr uint32_t kBucketLeafFlag = 0x01;
constexpr size_t kPageHeader = 16, kElement = 16, kMetaSize = 64;  // meta struct incl. checksum
constexpr int kMaxDepth = 64;

const char* kind_name(uint16_t flags) {
  switch (flags) {
    case kBranch: return "branch";
    case kLeaf: return "leaf";
    case kMetaFlag: return "meta";
    case kFreelist: return "freelist";
    default: return "unknown";
  }
}

}  // namespace

uint16_t BoltDb::rd16(const char* p) const {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return big_ ? __builtin_bswap16(v) : v;
}
uint32_t BoltDb::rd32(const char* p) const {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return big_ ? __builtin_bswap32(v) : v;
}
uint64_t BoltDb::rd64(const char* p) const {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return big_ ? __builtin_bswap64(v) : v;
}

BoltMeta BoltDb::read_meta(uint64_t offset) const {
  BoltMeta m;
  if (offset + kPageHeader + kMetaSize > data_.size()) {
    m.problem = "the file ends before this meta page";
    return m;
  }
  m.present = true;
  const char* p = data_.data() + offset;
  uint64_t id = rd64(p);
  uint16_t flags = rd16(p + 8);
  const char* b = p + kPageHeader;
  m.magic = rd32(b);
  m.version = rd32(b + 4);
  m.page_size = rd32(b + 8);
  m.flags = rd32(b + 12);
  m.root = rd64(b + 16);
  m.sequence = rd64(b + 24);
  m.freelist = rd64(b + 32);
  m.pgid = rd64(b + 40);
  m.txid = rd64(b + 48);
  m.checksum = rd64(b + 56);
  if (m.magic != kMagic)
    m.problem = fmt::format("bad magic {:#010x} (bbolt's is 0xed0cdaed)", m.magic);
  else if (m.version != 2)
    m.problem = fmt::format("unsupported version {}", m.version);
  else if (flags != kMetaFlag)
    m.problem = fmt::format("page flags {:#x} are not a meta page's", flags);
  else if (id > 1)
    m.problem = fmt::format("page header says it is page {}, not a meta page", id);
  else if (m.checksum != fnv1a64(std::string_view(b, 56)))
    m.problem = fmt::format("checksum {:#018x} does not match its contents ({:#018x})", m.checksum,
                            fnv1a64(std::string_view(b, 56)));
  else if (m.page_size < 512 || m.page_size > (1u << 24) || (m.page_size & (m.page_size - 1)))
    m.problem = fmt::format("page size {} is not a power of two in [512, 16 MiB]", m.page_size);
  else if (m.pgid < 3)
    m.problem = fmt::format("high-water mark {} leaves no room for data pages", m.pgid);
  else if (m.root < 2 || m.root >= m.pgid)
    m.problem = fmt::format("root page {} is outside the data pages [2, {})", m.root, m.pgid);
  else
    m.valid = true;
  return m;
}

BoltDb::BoltDb(std::string name, std::string_view data) : name_(std::move(name)), data_(data) {
  if (data_.size() < kPageHeader + kMetaSize)
    throw InputError(name_, "page 0", fmt::format("file of {} bytes is too short for a bbolt meta page", data_.size()));
  // Integers are native-endian: the magic tells which (ED DA 0C ED little, ED 0C DA ED big).
  big_ = std::memcmp(data_.data() + 16, "\xED\x0C\xDA\xED", 4) == 0;
  metas_[0] = read_meta(0);
  if (metas_[0].valid) {
    page_size_ = metas_[0].page_size;
  } else {
    // Meta 0 is damaged: probe for meta 1 at 1 KiB .. 16 MiB, as bbolt's getPageSize does.
    for (int i = 0; i < 15 && (uint64_t(1024) << i) + kPageHeader + kMetaSize <= data_.size(); ++i) {
      BoltMeta m = read_meta(uint64_t(1024) << i);
      if (m.valid && m.page_size == (1024u << i)) {
        page_size_ = m.page_size;
        break;
      }
    }
  }
  if (page_size_ == 0)
    throw InputError(
        name_, "page 0",
        fmt::format("not a valid bbolt file: meta page 0: {}; no valid meta page 1 found", metas_[0].problem));
  metas_[1] = read_meta(page_size_);
  if (!metas_[1].present) metas_[1].problem = "the file ends before meta page 1";
  if (metas_[0].valid && metas_[0].page_size != page_size_) metas_[0].valid = false;
  if (metas_[1].valid && metas_[1].page_size != page_size_) {
    metas_[1].valid = false;
    metas_[1].problem = "page size differs from meta page 0";
  }
  // bbolt uses the valid meta with the higher txid.
  if (metas_[0].valid && metas_[1].valid)
    chosen_ = metas_[1].txid > metas_[0].txid ? 1 : 0;
  else if (metas_[0].valid)
    chosen_ = 0;
  else if (metas_[1].valid)
    chosen_ = 1;
  else
    throw InputError(
        name_, "page 0",
        fmt::format("not a valid bbolt file: meta page 0: {}; meta page 1: {}", metas_[0].problem, metas_[1].problem));
  if (meta().pgid > data_.size() / page_size_)
    throw InputError(name_, fmt::format("page {}", chosen_),
                     fmt::format("truncated: meta page {} says {} pages of {} bytes, the file has {} bytes", chosen_,
                                 meta().pgid, page_size_, data_.size()));
}

bool BoltDb::fail(uint64_t pgid, const std::string& what) {
  if (strict_) throw InputError(name_, fmt::format("page {}", pgid), what);
  problems_.push_back(fmt::format("page {}: {}", pgid, what));
  return false;
}

bool BoltDb::load_page(uint64_t pgid, Page& out) {
  uint64_t hwm = high_water_mark();
  if (pgid < 2 || pgid >= hwm) return fail(pgid, fmt::format("page id out of bounds (data pages are 2..{})", hwm - 1));
  if (visited_[pgid]) return fail(pgid, "page reached twice (multiple references or a cycle)");
  const char* p = data_.data() + pgid * page_size_;
  out.id = rd64(p);
  out.flags = rd16(p + 8);
  out.count = rd16(p + 10);
  out.overflow = rd32(p + 12);
  if (out.id != pgid) return fail(pgid, fmt::format("page header says it is page {}", out.id));
  if (out.flags != kBranch && out.flags != kLeaf)
    return fail(pgid, fmt::format("unexpected page type {:#x} ({}) in a bucket tree", out.flags, kind_name(out.flags)));
  if (uint64_t(out.overflow) >= hwm - pgid)
    return fail(pgid, fmt::format("{} overflow pages run past the high-water mark {}", out.overflow, hwm));
  for (uint64_t i = pgid; i <= pgid + out.overflow; ++i) {
    if (visited_[i]) return fail(i, "page reached twice (multiple references or a cycle)");
    visited_[i] = 1;
  }
  out.bytes = data_.substr(pgid * page_size_, (uint64_t(out.overflow) + 1) * page_size_);
  (out.flags == kBranch ? stats_.branch : stats_.leaf) += 1;
  stats_.overflow += out.overflow;
  return true;
}

void BoltDb::walk_tree(std::string_view bucket, const Page& page, const std::string_view* lo,
                       const std::string_view* hi, int depth, const EntryFn& on_entry, bool top) {
  if (depth > kMaxDepth) {
    fail(page.id, "bucket tree deeper than 64 levels");
    return;
  }
  size_t elems_end = kPageHeader + size_t(page.count) * kElement;
  if (elems_end > page.bytes.size()) {
    fail(page.id, fmt::format("{} elements do not fit in the page", page.count));
    return;
  }
  std::string_view prev;
  // bbolt writes a page's keys and values right after its element headers, one after the other in
  // element order (node.write): a damaged count, position or size breaks that chain, so checking
  // it finds such damage instead of reading a shifted or partial page.
  uint64_t data_at = elems_end;
  for (uint16_t i = 0; i < page.count; ++i) {
    const char* e = page.bytes.data() + kPageHeader + size_t(i) * kElement;
    size_t elem_off = kPageHeader + size_t(i) * kElement;
    std::string_view key, value;
    uint32_t flags = 0;
    uint64_t child = 0;
    if (page.flags == kBranch) {
      uint64_t pos = rd32(e), ksize = rd32(e + 4);
      child = rd64(e + 8);
      if (elem_off + pos + ksize > page.bytes.size()) {
        fail(page.id, fmt::format("branch element {}: key runs past the page", i));
        return;
      }
      if (elem_off + pos != data_at) {
        fail(page.id, fmt::format("branch element {}: its key is at byte {} of the page, bbolt writes it at byte {} "
                                  "(damaged element header or count)",
                                  i, elem_off + pos, data_at));
        return;
      }
      data_at += ksize;
      key = page.bytes.substr(elem_off + pos, ksize);
    } else {
      flags = rd32(e);
      uint64_t pos = rd32(e + 4), ksize = rd32(e + 8), vsize = rd32(e + 12);
      if (elem_off + pos + ksize + vsize > page.bytes.size()) {
        fail(page.id, fmt::format("leaf element {}: key or value runs past the page", i));
        return;
      }
      if (elem_off + pos != data_at) {
        fail(page.id, fmt::format("leaf element {}: its key is at byte {} of the page, bbolt writes it at byte {} "
                                  "(damaged element header or count)",
                                  i, elem_off + pos, data_at));
        return;
      }
      data_at += ksize + vsize;
      key = page.bytes.substr(elem_off + pos, ksize);
      value = page.bytes.substr(elem_off + pos + ksize, vsize);
    }
    // Keys strictly increase within a page and stay within the parent's separator keys.
    if (i > 0 && !(prev < key)) {
      fail(page.id, fmt::format("element {}: keys out of order", i));
      return;
    }
    if (i == 0 && lo && key < *lo) {
      fail(page.id, "first key sorts before its key in the parent branch");
      return;
    }
    if (hi && !(key < *hi)) {
      fail(page.id, fmt::format("element {}: key not below the next key in the parent branch", i));
      return;
    }
    prev = key;
    if (page.flags == kBranch) {
      std::string_view next_key;
      const std::string_view* next = hi;
      if (i + 1 < page.count) {
        const char* e2 = e + kElement;
        uint64_t pos2 = rd32(e2), ksize2 = rd32(e2 + 4);
        size_t off2 = elem_off + kElement;
        if (off2 + pos2 + ksize2 > page.bytes.size()) {
          fail(page.id, fmt::format("branch element {}: key runs past the page", i + 1));
          return;
        }
        next_key = page.bytes.substr(off2 + pos2, ksize2);
        next = &next_key;
      }
      Page c;
      if (load_page(child, c)) walk_tree(bucket, c, &key, next, depth + 1, on_entry, top);
      continue;
    }
    if (flags & kBucketLeafFlag) {
      if (top) {
        if (on_bucket_ && *on_bucket_) (*on_bucket_)(key, value.size() >= 16 && rd64(value.data()) == 0);
        walk_bucket_value(key, value, page.id, on_entry);
      } else {
        // etcd writes no bucket inside a bucket; following them would let a crafted file nest
        // buckets without bound.
        fail(page.id, fmt::format("element {}: a bucket inside bucket '{}' (etcd writes none)", i, bucket));
      }
      continue;
    }
    if (top) {
      fail(page.id, fmt::format("element {} of the root bucket is not a bucket", i));
      return;
    }
    on_entry(bucket, key, value, page.id);
  }
}

void BoltDb::walk_bucket_value(std::string_view bucket, std::string_view value, uint64_t parent_pgid,
                               const EntryFn& on_entry) {
  if (value.size() < 16) {
    fail(parent_pgid,
         fmt::format("bucket '{}': value of {} bytes is shorter than a bucket header", bucket, value.size()));
    return;
  }
  uint64_t root = rd64(value.data());
  if (root != 0) {
    Page p;
    if (load_page(root, p)) walk_tree(bucket, p, nullptr, nullptr, 0, on_entry, false);
    return;
  }
  // Inline bucket: a whole leaf page follows the 16-byte header inside the value.
  ++stats_.inline_buckets;
  std::string_view page = value.substr(16);
  if (page.size() < kPageHeader) {
    fail(parent_pgid, fmt::format("inline bucket '{}': no room for its page header", bucket));
    return;
  }
  Page p;
  p.id = parent_pgid;
  p.flags = rd16(page.data() + 8);
  p.count = rd16(page.data() + 10);
  p.overflow = 0;
  p.bytes = page;
  if (p.flags != kLeaf) {
    fail(parent_pgid, fmt::format("inline bucket '{}': page flags {:#x} are not a leaf's", bucket, p.flags));
    return;
  }
  walk_tree(bucket, p, nullptr, nullptr, 0, on_entry, false);
}

void BoltDb::walk(const BucketFn& on_bucket, const EntryFn& on_entry, bool strict) {
  strict_ = strict;
  problems_.clear();
  stats_ = BoltPageStats{};
  visited_.assign(high_water_mark(), 0);
  visited_[0] = visited_[1] = 1;
  on_bucket_ = &on_bucket;
  Page root;
  if (load_page(meta().root, root)) walk_tree("", root, nullptr, nullptr, 0, on_entry, true);
  on_bucket_ = nullptr;
  // A persisted freelist (non-Linux etcd) is reachable from the meta, not from the root.
  if (meta().freelist != ~uint64_t(0) && meta().freelist >= 2 && meta().freelist < high_water_mark()) {
    const char* p = data_.data() + meta().freelist * page_size_;
    uint32_t overflow = rd16(p + 8) == kFreelist ? rd32(p + 12) : 0;
    if (rd16(p + 8) != kFreelist)
      fail(meta().freelist, fmt::format("the meta's freelist page has flags {:#x}, not a freelist's", rd16(p + 8)));
    for (uint64_t i = meta().freelist; i <= meta().freelist + overflow && i < high_water_mark(); ++i) {
      if (!visited_[i]) ++stats_.freelist;
      visited_[i] = 1;
    }
  }
  for (uint64_t i = 2; i < visited_.size(); ++i) stats_.unreachable += visited_[i] ? 0 : 1;
}

}  // namespace kvsnap
