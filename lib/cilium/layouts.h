#pragma once
// Every key layout Cilium writes under cilium/, as one table: where it lives, which decoded
// table it fills, and its decoder. Adding a layout is adding an entry to kLayouts. The layouts,
// their values and the Cilium versions kvsnap supports: docs/cilium-kvstore.md.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cilium/rows.h"
#include "etcd/record.h"

namespace kvsnap {

// A key or value that does not have the shape its layout requires. Becomes a decode_error row.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where a key sits, after the scope prefix is taken off:
//   cilium/state/<tail>                              scope "state"
//   cilium/cache/<kind>/v1/<remote>/...               scope "cache", cluster = remote
//   cilium/<tail> (heartbeat, cluster-config, ...)    scope "top"
struct KeyParts {
  std::string_view scope;
  std::optional<std::string> cluster;  // the remote cluster of cache keys
  std::string_view tail;               // what follows the layout's prefix
};

struct KeyLayout {
  const char* name;     // e.g. "identity-master"
  const char* pattern;  // documentation, e.g. "cilium/state/identities/v1/id/<ID>"
  const char* tables;   // decoded tables it fills
  const char* area;     // "state" (also matches cache copies when cacheable), "top"
  const char* prefix;   // after cilium/state/ (or the cache equivalent) or cilium/
  bool cacheable;       // KVStoreMesh keeps copies under cilium/cache/
  bool exact;           // the key must equal the prefix (no tail)
  void (*decode)(const Record& r, const KeyParts& parts, RowWriter& out);
};

const std::vector<KeyLayout>& key_layouts();

// The layout a key belongs to, or nullptr when it matches none.
const KeyLayout* classify_key(std::string_view key, KeyParts& parts);

// A lock key's lease segment (Go %x of the lease id) as a number; nullopt when not hex.
std::optional<int64_t> parse_lease_hex(std::string_view s);

// Decoders (one per layout), defined next to the tables they fill.
void decode_identity_master(const Record&, const KeyParts&, RowWriter&);
void decode_identity_slave(const Record&, const KeyParts&, RowWriter&);
void decode_identity_gc_lock(const Record&, const KeyParts&, RowWriter&);
void decode_identity_alloc_lock(const Record&, const KeyParts&, RowWriter&);
void decode_ipcache(const Record&, const KeyParts&, RowWriter&);
void decode_node(const Record&, const KeyParts&, RowWriter&);
void decode_node_register(const Record&, const KeyParts&, RowWriter&);
void decode_service(const Record&, const KeyParts&, RowWriter&);
void decode_service_export(const Record&, const KeyParts&, RowWriter&);
void decode_cnp_status(const Record&, const KeyParts&, RowWriter&);
void decode_ccnp_status(const Record&, const KeyParts&, RowWriter&);
void decode_heartbeat(const Record&, const KeyParts&, RowWriter&);
void decode_init_lock(const Record&, const KeyParts&, RowWriter&);
void decode_has_cluster_config(const Record&, const KeyParts&, RowWriter&);
void decode_cluster_config(const Record&, const KeyParts&, RowWriter&);
void decode_sync_marker(const Record&, const KeyParts&, RowWriter&);
void decode_kvstoremesh_lock(const Record&, const KeyParts&, RowWriter&);

}  // namespace kvsnap
