#include "etcd/mvcc.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "etcd/protobuf.h"
#include "io/mapped_file.h"
#include "util/codec.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/merge.h"
#include "util/temp_file.h"
#include "util/time.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace kvsnap {

const char* trailer_name(Trailer t) {
  switch (t) {
    case Trailer::Match: return "match";
    case Trailer::Mismatch: return "mismatch";
    default: return "absent";
  }
}

bool looks_like_bbolt(std::string_view head) {
  if (head.size() < 24) return false;
  bool le = std::memcmp(head.data() + 16, "\xED\xDA\x0C\xED", 4) == 0;
  bool be = std::memcmp(head.data() + 16, "\xED\x0C\xDA\xED", 4) == 0;
  // The magic of meta page 0 (its page header may be the damaged part: the reader says so).
  if (le || be) return true;
  // A damaged magic still leaves the meta page header (id 0, flags 0x04, count 0, overflow 0):
  // hand the file to the db reader, which says what is wrong, rather than call it unknown.
  static const char kLe[16] = {0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0};
  static const char kBe[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0};
  return std::memcmp(head.data(), kLe, 16) == 0 || std::memcmp(head.data(), kBe, 16) == 0;
}

namespace {

uint64_t be64(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | uint8_t(b[i]);
  return v;
}

struct Revision {
  int64_t main = 0, sub = 0;
  bool tombstone = false;
};

// "<main 8 BE>_<sub 8 BE>[t]"
std::optional<Revision> parse_revision(std::string_view k) {
  if ((k.size() != 17 && k.size() != 18) || k[8] != '_' || (k.size() == 18 && k[17] != 't')) return std::nullopt;
  Revision r;
  r.main = int64_t(be64(k.substr(0, 8)));
  r.sub = int64_t(be64(k.substr(9, 8)));
  r.tombstone = k.size() == 18;
  if (r.main < 0 || r.sub < 0) return std::nullopt;
  return r;
}

struct KeyValue {
  std::string_view key, value;
  int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
  bool has_key = false;
};

const char* parse_key_value(std::string_view bytes, KeyValue& kv) {
  pb::Reader r(bytes);
  pb::Field f;
  while (r.next(f)) {
    bool varint = f.type == pb::Varint, len = f.type == pb::Len;
    switch (f.number) {
      case 1:
        if (len) {
          kv.key = f.bytes;
          kv.has_key = true;
        } else
          return "field key is not bytes";
        break;
      case 2:
        if (varint) kv.create_revision = int64_t(f.varint);
        break;
      case 3:
        if (varint) kv.mod_revision = int64_t(f.varint);
        break;
      case 4:
        if (varint) kv.version = int64_t(f.varint);
        break;
      case 5:
        if (len)
          kv.value = f.bytes;
        else
          return "field value is not bytes";
        break;
      case 6:
        if (varint) kv.lease = int64_t(f.varint);
        break;
      default: break;
    }
  }
  if (r.error()) return r.error();
  if (!kv.has_key) return "no key";
  return nullptr;
}

// One record of the key bucket, kept by reference into the file's bytes: what the sort needs and
// where its mvccpb.KeyValue lies (parsed again when the record is emitted). Its revision is read
// from its bucket key when needed (only records of one key compare by it). 32 bytes a record, a
// third of what keeping every decoded field took: the array is the import's largest allocation.
struct KeyRecord {
  const char* kv;   // the mvccpb.KeyValue's bytes
  const char* rev;  // its bucket key: 8-byte main, '_', 8-byte sub[, 't']
  uint32_t kv_len, key_len;
  uint32_t key_at;     // where its key field's bytes start in kv
  uint32_t pgid_tomb;  // the leaf page it sits on (for messages) << 1 | tombstone

  static constexpr uint64_t kMaxPgid = (uint64_t(1) << 31) - 1;
  std::string_view key_view() const { return {kv + key_at, key_len}; }
  std::string_view kv_view() const { return {kv, kv_len}; }
  int64_t main() const { return int64_t(be64(std::string_view(rev, 8))); }
  int64_t sub() const { return int64_t(be64(std::string_view(rev + 9, 8))); }
  uint64_t pgid() const { return pgid_tomb >> 1; }
  bool tombstone() const { return pgid_tomb & 1; }
};
static_assert(sizeof(KeyRecord) == 32);
static_assert(std::is_trivially_copyable_v<KeyRecord>);  // a spilled run is its bytes

// Records appended in blocks, so that collecting them never reallocates (a growing vector holds
// its old and new arrays at once: 1.5 to 3 times the records at its peak). take() moves them into
// one array of the exact size, freeing each block as it goes.
class RecordBlocks {
 public:
  void push_back(const KeyRecord& r) {
    if (blocks_.empty() || used_ == kBlock) {
      blocks_.push_back(std::make_unique_for_overwrite<KeyRecord[]>(kBlock));
      used_ = 0;
    }
    blocks_.back()[used_++] = r;
  }
  size_t size() const { return blocks_.empty() ? 0 : (blocks_.size() - 1) * kBlock + used_; }
  std::vector<KeyRecord> take() {
    std::vector<KeyRecord> out;
    out.reserve(size());
    for (size_t b = 0; b < blocks_.size(); ++b) {
      size_t n = b + 1 == blocks_.size() ? used_ : kBlock;
      out.insert(out.end(), blocks_[b].get(), blocks_[b].get() + n);
      blocks_[b].reset();
    }
    blocks_.clear();
    used_ = 0;
    return out;
  }

 private:
  static constexpr size_t kBlock = 1 << 16;  // 3 MiB
  std::vector<std::unique_ptr<KeyRecord[]>> blocks_;
  size_t used_ = 0;
};

// Key order, then revision order: a key's records are adjacent, its latest last.
bool record_less(const KeyRecord& a, const KeyRecord& b) {
  if (int c = a.key_view().compare(b.key_view()); c != 0) return c < 0;
  int64_t am = a.main(), bm = b.main();
  return am != bm ? am < bm : a.sub() < b.sub();
}

// Keys share long prefixes, so the sort is mostly memcmp: the two halves sort on two threads,
// then merge.
void sort_records(std::vector<KeyRecord>& records) {
  auto mid = records.begin() + ptrdiff_t(records.size() / 2);
  std::future<void> lower;
  if (records.size() >= 4096 && std::thread::hardware_concurrency() >= 2)
    lower = std::async(std::launch::async, [&] { std::sort(records.begin(), mid, record_less); });
  else
    std::sort(records.begin(), mid, record_less);
  std::sort(mid, records.end(), record_less);
  if (lower.valid()) lower.get();
  merge_halves(records, record_less);
}

// Sorted runs of records in a temporary file: what keeps the import's memory flat however many
// records the key bucket holds. The records point into the file's bytes, mapped for the whole
// import, so a run is their bytes as they are. A run is read back a block at a time.
class SpilledRuns {
 public:
  void add(const std::vector<KeyRecord>& run) {
    if (fd_ < 0) {
      file_ = TempFile("kvsnap-sort");
      fd_ = ::open(file_.path().c_str(), O_RDWR | O_CLOEXEC);
      if (fd_ < 0) fail("cannot open", errno);
      file_.remove();  // the descriptor keeps it: nothing is left behind, whatever ends the run
    }
    const char* p = reinterpret_cast<const char*>(run.data());
    size_t n = run.size() * sizeof(KeyRecord), done = 0;
    while (done < n) {
      ssize_t w = ::pwrite(fd_, p + done, n - done, off_t(end_ + done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) fail("cannot write", w < 0 ? errno : ENOSPC);
      done += size_t(w);
    }
    runs_.push_back({end_, run.size()});
    end_ += n;
  }
  // Reads up to `max` records of run `i` from record `from` on into `out`.
  void read(size_t i, size_t from, size_t max, std::vector<KeyRecord>& out) const {
    size_t n = std::min(max, runs_[i].count - from);
    out.resize(n);
    char* p = reinterpret_cast<char*>(out.data());
    size_t bytes = n * sizeof(KeyRecord), done = 0;
    uint64_t at = runs_[i].offset + from * sizeof(KeyRecord);
    while (done < bytes) {
      ssize_t r = ::pread(fd_, p + done, bytes - done, off_t(at + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) fail("cannot read", r < 0 ? errno : EIO);
      done += size_t(r);
    }
  }
  size_t runs() const { return runs_.size(); }
  size_t count(size_t i) const { return runs_[i].count; }
  ~SpilledRuns() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  [[noreturn]] static void fail(const char* what, int err) {
    throw std::runtime_error(fmt::format("{} the temporary file that sorts the key bucket's records ($TMPDIR): {}",
                                         what, std::strerror(err)));
  }
  struct Run {
    uint64_t offset;
    size_t count;
  };
  TempFile file_;
  int fd_ = -1;
  uint64_t end_ = 0;
  std::vector<Run> runs_;
};

// The records of every run (the spilled ones and the last, in memory) in one order, a key's
// records at a time: a merge of the sorted runs.
class RecordMerge {
 public:
  RecordMerge(const SpilledRuns& spilled, const std::vector<KeyRecord>& last) : spilled_(spilled), last_(&last) {
    for (size_t i = 0; i < spilled.runs(); ++i) {
      Source s{i, 0, {}, 0};
      fill(s);
      if (!s.block.empty()) sources_.push_back(std::move(s));
    }
    if (!last.empty()) sources_.push_back(Source{kLast, 0, {}, 0});
  }
  // The next key's records, in revision order; false at the end.
  bool next_group(std::vector<KeyRecord>& group) {
    group.clear();
    const KeyRecord* first = peek();
    if (!first) return false;
    group.push_back(*first);
    pop();
    while (const KeyRecord* r = peek()) {
      if (r->key_view() != group.front().key_view()) break;
      group.push_back(*r);
      pop();
    }
    return true;
  }

 private:
  static constexpr size_t kLast = SIZE_MAX;  // the run in memory
  static constexpr size_t kBlock = 4096;     // records read from a spilled run at a time (128 KiB)
  struct Source {
    size_t run;
    size_t next;                   // in the run, the record after the block
    std::vector<KeyRecord> block;  // spilled runs: the records read
    size_t at;                     // the current record, in block (or in the last run)
  };
  const KeyRecord* current(const Source& s) const { return s.run == kLast ? &(*last_)[s.at] : &s.block[s.at]; }
  void fill(Source& s) {
    spilled_.read(s.run, s.next, kBlock, s.block);
    s.next += s.block.size();
    s.at = 0;
  }
  // A few runs: the smallest by a scan (a heap would pay off beyond a few dozen).
  const KeyRecord* peek() {
    best_ = SIZE_MAX;
    const KeyRecord* min = nullptr;
    for (size_t i = 0; i < sources_.size(); ++i) {
      const KeyRecord* r = current(sources_[i]);
      if (!min || record_less(*r, *min)) {
        min = r;
        best_ = i;
      }
    }
    return min;
  }
  void pop() {
    Source& s = sources_[best_];
    ++s.at;
    bool done = false;
    if (s.run == kLast) {
      done = s.at == last_->size();
    } else if (s.at == s.block.size()) {
      if (s.next < spilled_.count(s.run))
        fill(s);
      else
        done = true;
    }
    if (done) sources_.erase(sources_.begin() + ptrdiff_t(best_));
  }

  const SpilledRuns& spilled_;
  const std::vector<KeyRecord>* last_;
  std::vector<Source> sources_;
  size_t best_ = SIZE_MAX;
};

// Every key of the key bucket once, with whether its latest record is a tombstone: the bucket is in
// revision order, so the last record seen of a key is its latest. Counts the live keys without
// sorting the records (a sort of 1M keys sharing long prefixes is most of a --status run).
// Open addressing over references into the file: 16 bytes a slot, at most half of them used.
class LatestByKey {
 public:
  void record(std::string_view key, bool tombstone) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    uint32_t h = hash(key);
    Slot& s = find(slots_, shift_, key, h);
    if (!s.key) {
      s.key = key.data();
      s.len = uint32_t(key.size());
      ++used_;
    }
    s.tag = (h & ~1u) | uint32_t(tombstone);
  }
  uint64_t live() const {
    uint64_t n = 0;
    for (const auto& s : slots_) n += s.key && !(s.tag & 1);
    return n;
  }

 private:
  struct Slot {
    const char* key = nullptr;
    uint32_t len = 0;
    uint32_t tag = 0;  // the key's hash, its lowest bit replaced by "is a tombstone"
  };
  // CRC-32C runs in hardware: several times faster than std::hash on keys of ~100 bytes.
  static uint32_t hash(std::string_view key) {
    Crc32c c;
    c.update(key);
    return c.value();
  }
  static Slot& find(std::vector<Slot>& slots, int shift, std::string_view key, uint32_t h) {
    size_t mask = slots.size() - 1;
    for (size_t i = size_t((uint64_t(h) * 0x9E3779B97F4A7C15ull) >> shift);; i = (i + 1) & mask) {
      Slot& s = slots[i];
      if (!s.key || ((s.tag | 1) == (h | 1) && s.len == key.size() && std::memcmp(s.key, key.data(), s.len) == 0))
        return s;
    }
  }
  void grow() {
    std::vector<Slot> bigger(slots_.empty() ? 1024 : 2 * slots_.size());
    int shift = 64 - std::countr_zero(bigger.size());
    for (const auto& s : slots_)
      if (s.key) find(bigger, shift, {s.key, s.len}, hash({s.key, s.len})) = s;
    slots_ = std::move(bigger);
    shift_ = shift;
  }
  std::vector<Slot> slots_;
  int shift_ = 64;
  size_t used_ = 0;
};

struct ScanOptions {
  RecordSink* sink = nullptr;            // leases and members go here when set
  std::optional<int64_t> at_revision;    // state at this revision
  bool strict = true;                    // throw on the first problem (import) or collect (verify)
  bool keep_records = false;             // the importer's sorted_records(); --status and --verify need none (they
                                         // get the bucket hash and live keys instead)
  size_t run_records = kSortRunRecords;  // kept records sorted in memory at most; more go to sorted runs
};

// One pass over a db file: everything `--status`, `--verify` and the importer need.
class EtcdDbScan {
 public:
  EtcdDbScan(const std::string& name, std::string_view file, const ScanOptions& opts) : name_(name), opts_(opts) {
    status_.file_size = file.size();
    std::string_view db = file;
    if (file.size() % 512 == 32) {  // `etcdctl snapshot save`: bolt bytes then their SHA-256
      db = file.substr(0, file.size() - 32);
      expected_sha_ = hex_encode(file.substr(db.size()));
      // Hashed on another core while the buckets are walked: both read the whole file.
      sha_ = std::async(std::launch::async, [db] { return sha256(db); });
    }
    db_ = db;
  }

  // Whether the trailer matches (waits for the hash); Absent for a raw member db.
  Trailer trailer() {
    if (sha_.valid()) {
      auto sum = sha_.get();
      actual_sha_ = hex_encode(std::string_view(reinterpret_cast<const char*>(sum.data()), 32));
      status_.trailer = actual_sha_ == expected_sha_ ? Trailer::Match : Trailer::Mismatch;
    }
    return status_.trailer;
  }

  // Opens the bbolt structure (meta pages); throws InputError when it is not usable.
  void open() {
    if (!bolt_) bolt_ = std::make_unique<BoltDb>(name_, db_);
  }

  const std::string& expected_sha() const { return expected_sha_; }
  const std::string& actual_sha() const { return actual_sha_; }
  BoltDb& bolt() { return *bolt_; }
  EtcdDbStatus& status() { return status_; }
  std::vector<std::string>& problems() { return problems_; }
  // The records sorted by key, then revision: each key's records are adjacent and its last one
  // is its latest. Sorting once beats a hash map per record, and gives the key order the import
  // writes in.
  std::vector<KeyRecord>& sorted_records() { return records_; }
  // The runs sorted and written to a temporary file before the last (none up to run_records).
  const SpilledRuns& spilled() const { return spilled_; }
  const std::vector<LeaseRecord>& leases() const { return leases_; }
  // How long run()'s walk and sort took.
  const std::vector<ImportPhase>& phases() const { return phases_; }

  void run() {
    Stopwatch clock;
    open();
    // The bucket hash and the live keys are what --status reports; the import needs neither
    // (4% of its time at 1M keys).
    const bool status = !opts_.keep_records;
    Crc32c crc;
    bolt_->walk(
        [&](std::string_view bucket, bool is_inline) {
          if (status) crc.update(bucket);
          status_.buckets.push_back({std::string(bucket), is_inline, 0});
        },
        [&](std::string_view bucket, std::string_view k, std::string_view v, uint64_t pgid) {
          if (status) {
            crc.update(k);
            crc.update(v);
          }
          ++status_.total_key;
          if (!status_.buckets.empty()) ++status_.buckets.back().entries;
          entry(bucket, k, v, pgid);
        },
        opts_.strict);
    for (const auto& p : bolt_->problems()) problems_.push_back(p);
    const BoltMeta& m = bolt_->meta();
    status_.hash = crc.value();
    status_.total_size = m.pgid * uint64_t(m.page_size);
    status_.page_size = m.page_size;
    status_.high_water_mark = m.pgid;
    status_.txid = m.txid;
    status_.meta_page = bolt_->chosen_meta();
    status_.big_endian = bolt_->big_endian();
    status_.pages = bolt_->stats();
    status_.revision = last_main_;
    status_.total_key_live = latest_.live();
    phases_.push_back({"walk the b+tree pages", clock.wall(), clock.cpu()});
    clock.restart();
    records_ = collected_.take();
    sort_records(records_);
    phases_.push_back({"sort the key bucket's records by key", clock.wall(), clock.cpu()});
  }

  // The store's current revision (kvstore.go restore): the last record, raised to the
  // compaction revisions (compaction may have removed the newest tombstones).
  int64_t current_revision() const {
    int64_t r = last_main_;
    if (status_.compact_revision) r = std::max(r, *status_.compact_revision);
    if (status_.scheduled_compact_revision) r = std::max(r, *status_.scheduled_compact_revision);
    return r;
  }

 private:
  void problem(uint64_t pgid, std::string_view bucket, const std::string& what) {
    if (opts_.strict) throw InputError(name_, fmt::format("page {}", pgid), fmt::format("bucket {}: {}", bucket, what));
    problems_.push_back(fmt::format("page {}: bucket {}: {}", pgid, bucket, what));
  }

  void entry(std::string_view bucket, std::string_view k, std::string_view v, uint64_t pgid) {
    if (bucket == "key") return key_record(k, v, pgid);
    if (bucket == "meta") return meta_entry(k, v, pgid);
    if (bucket == "lease") return lease_entry(k, v, pgid);
    if (bucket == "members" || bucket == "members_removed") return member_entry(bucket, k, v);
    if (bucket == "cluster" && k == "clusterVersion") status_.cluster_version = std::string(v);
  }

  void key_record(std::string_view k, std::string_view v, uint64_t pgid) {
    auto rev = parse_revision(k);
    if (!rev)
      return problem(pgid, "key",
                     fmt::format("'{}' is not a revision key (8-byte main, '_', 8-byte sub[, 't'])", hex_encode(k)));
    KeyValue kv;
    if (const char* err = parse_key_value(v, kv))
      return problem(pgid, "key",
                     fmt::format("revision {}.{}: value is not an mvccpb.KeyValue: {}", rev->main, rev->sub, err));
    if (rev->main < last_main_)
      return problem(pgid, "key",
                     fmt::format("revision {} after revision {}: records out of order", rev->main, last_main_));
    last_main_ = rev->main;
    ++status_.history_records;
    if (rev->tombstone) ++status_.tombstones;
    if (!opts_.keep_records) return latest_.record(kv.key, rev->tombstone);
    if (v.size() > UINT32_MAX)  // bbolt's largest value is 2 GiB
      return problem(pgid, "key", fmt::format("revision {}.{}: value of {} bytes", rev->main, rev->sub, v.size()));
    if (pgid > KeyRecord::kMaxPgid)  // 8 TiB of 4 KiB pages
      return problem(pgid, "key", fmt::format("revision {}.{}: a page id beyond 2^31", rev->main, rev->sub));
    collected_.push_back(KeyRecord{v.data(), k.data(), uint32_t(v.size()), uint32_t(kv.key.size()),
                                   uint32_t(kv.key.data() - v.data()), uint32_t(pgid << 1 | uint64_t(rev->tombstone))});
    if (collected_.size() >= std::max<size_t>(opts_.run_records, 1)) {
      std::vector<KeyRecord> run = collected_.take();
      sort_records(run);
      spilled_.add(run);
    }
  }

  void meta_entry(std::string_view k, std::string_view v, uint64_t pgid) {
    auto u64 = [&](std::optional<uint64_t>& out) {
      if (v.size() != 8) return problem(pgid, "meta", fmt::format("{} has {} bytes, expected 8", k, v.size()));
      out = be64(v);
    };
    auto rev = [&](std::optional<int64_t>& out) {
      auto r = parse_revision(v);
      if (!r) return problem(pgid, "meta", fmt::format("{} is not a revision", k));
      out = r->main;
    };
    if (k == "consistent_index")
      u64(status_.consistent_index);
    else if (k == "term")
      u64(status_.term);
    else if (k == "finishedCompactRev")
      rev(status_.compact_revision);
    else if (k == "scheduledCompactRev")
      rev(status_.scheduled_compact_revision);
    else if (k == "storageVersion")
      status_.version = std::string(v);
  }

  void lease_entry(std::string_view k, std::string_view v, uint64_t pgid) {
    if (k.size() != 8)
      return problem(pgid, "lease", fmt::format("key of {} bytes, expected an 8-byte lease id", k.size()));
    LeaseRecord l;
    l.id = int64_t(be64(k));
    pb::Reader r(v);
    pb::Field f;
    while (r.next(f)) {
      if (f.type != pb::Varint) continue;
      if (f.number == 2)
        l.ttl = int64_t(f.varint);
      else if (f.number == 3)
        l.remaining_ttl = int64_t(f.varint);
    }
    if (r.error())
      return problem(pgid, "lease", fmt::format("lease {:x}: value is not a leasepb.Lease: {}", l.id, r.error()));
    leases_.push_back(l);
    if (opts_.sink) opts_.sink->lease(l);
  }

  void member_entry(std::string_view bucket, std::string_view k, std::string_view v) {
    if (!opts_.sink) return;
    MemberRecord m;
    m.id_hex = std::string(k);
    m.removed = bucket == "members_removed";
    m.peer_urls = m.client_urls = "[]";
    if (!m.removed) {
      boost::system::error_code ec;
      auto j = boost::json::parse(boost::json::string_view(v.data(), v.size()), ec);
      if (!ec && j.is_object()) {
        const auto& o = j.as_object();
        if (auto* n = o.if_contains("name"); n && n->is_string()) m.name = std::string(n->as_string());
        if (auto* p = o.if_contains("peerURLs")) m.peer_urls = boost::json::serialize(*p);
        if (auto* c = o.if_contains("clientURLs")) m.client_urls = boost::json::serialize(*c);
        if (auto* l = o.if_contains("isLearner"); l && l->is_bool()) m.learner = l->as_bool();
      }
    }
    opts_.sink->member(m);
  }

  std::string name_;
  ScanOptions opts_;
  std::string_view db_;
  std::unique_ptr<BoltDb> bolt_;
  EtcdDbStatus status_;
  std::string expected_sha_, actual_sha_;
  std::future<std::array<uint8_t, 32>> sha_;
  std::vector<std::string> problems_;
  LatestByKey latest_;
  RecordBlocks collected_;
  std::vector<KeyRecord> records_;
  SpilledRuns spilled_;
  std::vector<LeaseRecord> leases_;
  std::vector<ImportPhase> phases_;
  int64_t last_main_ = 0;
};

}  // namespace

DbBytes load_db_bytes(Input& in) {
  DbBytes b;
  if (!in.file_path().empty()) {
    b.mapped = std::make_unique<MappedFile>(in.file_path());
    b.bytes = b.mapped->bytes();
    return b;
  }
  for (auto c = in.chunk(); !c.empty(); c = in.chunk()) {
    b.buffer.append(c);
    in.consume(c.size());
  }
  b.bytes = b.buffer;
  return b;
}

EtcdDbStatus etcd_db_status(const std::string& name, std::string_view bytes) {
  EtcdDbScan scan(name, bytes, ScanOptions{});
  scan.run();
  scan.trailer();
  return scan.status();
}

std::vector<std::string> etcd_db_verify(const std::string& name, std::string_view bytes) {
  ScanOptions opts;
  opts.strict = false;
  EtcdDbScan scan(name, bytes, opts);
  std::vector<std::string> out;
  if (scan.trailer() == Trailer::Mismatch)
    out.push_back(
        fmt::format("SHA-256 trailer {} does not match the data ({})", scan.expected_sha(), scan.actual_sha()));
  try {
    scan.open();
  } catch (const InputError& e) {
    out.push_back(fmt::format("{}: {}", e.where(), e.what()));
    return out;
  }
  for (int i = 0; i < 2; ++i)
    if (!scan.bolt().meta_page(i).valid)
      out.push_back(fmt::format("page {}: meta page {} is not valid: {}", i, i, scan.bolt().meta_page(i).problem));
  scan.run();
  for (auto& p : scan.problems()) out.push_back(std::move(p));
  return out;
}

void read_etcd_db(Input& in, RecordSink& sink, const ReadOptions& opts) {
  Stopwatch clock;
  DbBytes b = load_db_bytes(in);
  sink.phase({"read the file", clock.wall(), clock.cpu()});
  ScanOptions so;
  so.sink = &sink;
  so.keep_records = true;
  so.at_revision = opts.at_revision;
  so.run_records = opts.sort_run_records;
  EtcdDbScan scan(in.name(), b.bytes, so);
  EtcdDbStatus& st = scan.status();
  // A wrong trailer is the first thing to say about a damaged file, even when the walk fails too.
  auto check_trailer = [&] {
    if (scan.trailer() == Trailer::Mismatch && !opts.skip_hash_check)
      throw InputError(in.name(), fmt::format("byte {}", b.bytes.size() - 32),
                       fmt::format("the SHA-256 trailer ({}) does not match the data ({}): the file is damaged "
                                   "(--skip-hash-check imports it anyway)",
                                   scan.expected_sha(), scan.actual_sha()));
  };
  try {
    scan.run();
  } catch (const InputError&) {
    check_trailer();
    throw;
  }
  for (const auto& p : scan.phases()) sink.phase(p);
  clock.restart();
  check_trailer();
  sink.phase({"wait for the SHA-256 of the file", clock.wall(), clock.cpu()});
  int64_t current = scan.current_revision();
  if (opts.at_revision) {
    int64_t r = *opts.at_revision;
    // A compaction that was scheduled but did not finish may already have removed records
    // below it: etcd itself restores from the scheduled revision.
    std::optional<int64_t> compacted = st.compact_revision;
    if (st.scheduled_compact_revision && (!compacted || *st.scheduled_compact_revision > *compacted))
      compacted = st.scheduled_compact_revision;
    if (r < 1) throw InputError(in.name(), "", fmt::format("revision {} does not exist: revisions start at 1", r));
    if (compacted && r < *compacted)
      throw InputError(
          in.name(), "",
          fmt::format("revision {} has been compacted: this file holds revisions {} to {}", r, *compacted, current));
    if (r > current)
      throw InputError(in.name(), "",
                       fmt::format("revision {} is in the future: this file ends at revision {}", r, current));
  }
  SnapshotMeta& m = sink.meta();
  // No capture time: a file's modification time changes when it is copied, so it is never taken
  // for one (the importer records it as file_mtime; kvcheck --now file-mtime uses it on request).
  // The revision of the state kv holds: the file's current one, or the one asked for.
  m.revision = opts.at_revision.value_or(current);
  m.compact_revision = st.compact_revision;
  m.scheduled_compact_revision = st.scheduled_compact_revision;
  m.consistent_index = st.consistent_index;
  if (st.term) m.raft_term = *st.term;
  if (!st.version.empty()) m.storage_version = st.version;
  m.cluster_version = st.cluster_version;
  m.trailer = trailer_name(st.trailer);
  m.at_revision = opts.at_revision;
  m.history_records = int64_t(st.history_records);
  // A snapshot is whole pages and its 32-byte trailer; a member db whole pages. Other trailing
  // bytes are a cut trailer (or a cut file whose pages all survived): nothing checks the data then.
  uint64_t page_bytes = b.bytes.size() - (st.trailer == Trailer::Absent ? 0 : 32);
  if (st.page_size != 0 && page_bytes % st.page_size != 0)
    m.warnings.push_back(
        fmt::format("the file ends with {} bytes after its last whole page that are not a SHA-256 "
                    "trailer (a cut `etcdctl snapshot save` file?): its integrity is not checked",
                    page_bytes % st.page_size));
  // bbolt falls back to the other meta page when one is damaged (a commit torn by a crash leaves
  // it so): the state is then that of the transaction before. Say so rather than import it quietly.
  for (int i = 0; i < 2; ++i)
    if (!scan.bolt().meta_page(i).valid)
      m.warnings.push_back(fmt::format(
          "meta page {} is not valid ({}): the state is that of meta page {} (transaction {}), as bbolt and etcd "
          "would read it; a newer transaction may be missing",
          i, scan.bolt().meta_page(i).problem, scan.bolt().chosen_meta(), scan.bolt().meta().txid));

  // The state in key order, as `etcdctl get --prefix` would list it: per key, its last record
  // at or below the wanted revision, unless that is a tombstone. Every other record of the key
  // goes to the history (the one in the state is not repeated there), in key and revision order.
  RecordMerge merged(scan.spilled(), scan.sorted_records());
  std::vector<KeyRecord> group;  // one key's records
  int64_t upto = opts.at_revision.value_or(INT64_MAX);
  while (merged.next_group(group)) {
    const KeyRecord* latest = nullptr;
    for (const KeyRecord& k : group)
      if (k.main() <= upto) latest = &k;
    if (latest && latest->tombstone()) latest = nullptr;
    for (const KeyRecord& k : group) {
      if (&k == latest) continue;
      KeyValue kv;
      parse_key_value(k.kv_view(), kv);  // parsed once already: cannot fail
      try {
        sink.history(HistoryRecord{kv.key, kv.value, k.main(), k.sub(), k.tombstone(), kv.create_revision,
                                   kv.mod_revision, kv.version, kv.lease});
      } catch (const RecordError& e) {
        throw InputError(in.name(), fmt::format("page {}", k.pgid()), e.what());
      }
    }
    if (!latest) continue;
    KeyValue kv;
    parse_key_value(latest->kv_view(), kv);
    Record r;
    r.key.assign(kv.key);
    r.value.assign(kv.value);
    r.create_revision = kv.create_revision;
    r.mod_revision = kv.mod_revision;
    r.sub_revision = latest->sub();
    r.version = kv.version;
    r.lease = kv.lease;
    emit(in, sink, std::move(r), [&] { return fmt::format("page {}", latest->pgid()); });
  }
}

}  // namespace kvsnap
