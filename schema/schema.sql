-- kvsnap database schema. Created by kvimport; every table is keyed by snapshot_id.
-- Raw data first (kv: every key and value byte for byte), decoded tables derived from it.
-- IPs are stored as text and as 16-byte BLOBs (IPv4 as ::ffff:a.b.c.d) so that range and
-- containment queries are BLOB comparisons an index can serve: x_bin BETWEEN start_bin AND end_bin.

CREATE TABLE IF NOT EXISTS snapshot (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,  -- -n NAME, default: the input's file name
  source           TEXT NOT NULL,         -- path(s) of the input
  format           TEXT NOT NULL,         -- etcd-json, etcd-simple, ..., sysdump
  compression      TEXT,                  -- zstd, gzip, or NULL
  imported_at      TEXT NOT NULL,         -- RFC 3339 UTC
  captured_at      TEXT,                  -- capture time the input names (sysdump archive name), RFC 3339
  revision         INTEGER,               -- etcd header revision (newest when several pages)
  etcd_cluster_id  TEXT,                  -- uint64 header ids, in decimal (they exceed SQLite's int64)
  etcd_member_id   TEXT,
  raft_term        INTEGER,
  cluster_name     TEXT,                  -- Cilium cluster name, when the input says (sysdump config map)
  cluster_id       INTEGER,               -- Cilium cluster id, same
  key_count        INTEGER NOT NULL DEFAULT 0,
  keys_only        INTEGER NOT NULL DEFAULT 0,  -- 1 when the dump carried no values
  joined_lines     INTEGER NOT NULL DEFAULT 0,  -- lines folded into the value before (simple/text dumps)
  duplicate_records INTEGER NOT NULL DEFAULT 0, -- identical records seen twice (overlapping pages)
  -- etcd db files (snapshots and member/snap/db) only:
  compact_revision INTEGER,            -- meta/finishedCompactRev: older revisions are gone
  scheduled_compact_revision INTEGER,  -- meta/scheduledCompactRev (> compact_revision: interrupted)
  consistent_index INTEGER,            -- raft index of the last applied entry
  storage_version  TEXT,               -- meta/storageVersion (etcd 3.6+)
  cluster_version  TEXT,               -- cluster/clusterVersion
  trailer          TEXT,               -- SHA-256 trailer: match, mismatch (--skip-hash-check), absent (raw db)
  at_revision      INTEGER,            -- kv holds the state at this revision (--at-revision), not the latest
  history_records  INTEGER             -- records in the key bucket (every revision the file holds)
);

CREATE TABLE IF NOT EXISTS kv (
  id              INTEGER PRIMARY KEY,
  snapshot_id     INTEGER NOT NULL REFERENCES snapshot(id),
  key             BLOB NOT NULL,
  value           BLOB NOT NULL,
  create_revision INTEGER,
  mod_revision    INTEGER,
  version         INTEGER,
  lease           INTEGER,   -- 0 = no lease; NULL = the input does not say
  layout          TEXT       -- the Cilium key layout it matched (see kvimport --list-layouts), NULL if none
);
CREATE UNIQUE INDEX IF NOT EXISTS kv_key ON kv(snapshot_id, key);

-- Every revision an etcd db file holds (since its last compaction): puts and tombstones.
CREATE TABLE IF NOT EXISTS kv_history (
  snapshot_id     INTEGER NOT NULL,
  key             BLOB NOT NULL,
  main_revision   INTEGER NOT NULL,
  sub_revision    INTEGER NOT NULL,  -- position of the change within its transaction
  tombstone       INTEGER NOT NULL,  -- 1: the key was deleted at this revision
  create_revision INTEGER NOT NULL,
  mod_revision    INTEGER NOT NULL,
  version         INTEGER NOT NULL,
  lease           INTEGER NOT NULL,
  value           BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_history_key ON kv_history(snapshot_id, key, main_revision);

-- Leases of an etcd db file (the lease bucket): the TTL as granted, not the time left.
CREATE TABLE IF NOT EXISTS lease (
  snapshot_id   INTEGER NOT NULL,
  id            INTEGER NOT NULL,
  id_hex        TEXT NOT NULL,   -- %x, as Cilium's lock keys hold it (etcdctl pads it to 16 digits)
  ttl           INTEGER NOT NULL,
  remaining_ttl INTEGER          -- only with lease checkpointing
);
CREATE INDEX IF NOT EXISTS lease_id ON lease(snapshot_id, id);

-- etcd members of an etcd db file (members and members_removed buckets).
CREATE TABLE IF NOT EXISTS member (
  snapshot_id INTEGER NOT NULL,
  id_hex      TEXT NOT NULL,
  name        TEXT,
  peer_urls   TEXT,   -- JSON array
  client_urls TEXT,   -- JSON array
  is_learner  INTEGER NOT NULL,
  removed     INTEGER NOT NULL
);

-- Identity master keys: cilium/state/identities/v1/id/<ID> => label string.
CREATE TABLE IF NOT EXISTS identity (
  snapshot_id   INTEGER NOT NULL,
  kv_id         INTEGER NOT NULL,
  scope         TEXT NOT NULL,    -- state, or cache (KVStoreMesh copy of a remote cluster)
  cluster       TEXT,             -- the remote cluster for cache rows; NULL for state rows
  id            INTEGER NOT NULL,
  labels        TEXT NOT NULL,    -- the label string as stored
  label_count   INTEGER NOT NULL,
  namespace     TEXT,             -- k8s:io.kubernetes.pod.namespace
  cluster_label TEXT,             -- k8s:io.cilium.k8s.policy.cluster
  canonical     INTEGER NOT NULL  -- 1 when the labels re-serialize to the same bytes (Cilium's form)
);
CREATE INDEX IF NOT EXISTS identity_id ON identity(snapshot_id, id);
CREATE INDEX IF NOT EXISTS identity_labels ON identity(snapshot_id, labels);

-- One row per label of a master key, in stored order.
CREATE TABLE IF NOT EXISTS identity_label (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  scope       TEXT NOT NULL,
  cluster     TEXT,
  identity    INTEGER NOT NULL,
  position    INTEGER NOT NULL,
  source      TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS identity_label_key ON identity_label(snapshot_id, key, value);

-- Slave keys: cilium/state/identities/v1/value/<labels>/<nodeIP> => <ID>.
CREATE TABLE IF NOT EXISTS identity_ref (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  scope       TEXT NOT NULL,
  cluster     TEXT,
  labels      TEXT NOT NULL,
  node_ip     TEXT NOT NULL,     -- the key's last segment as written
  node_ip_bin BLOB,              -- NULL when it is not an IP
  identity    INTEGER            -- the value; NULL when it is not a number (see decode_error)
);
CREATE INDEX IF NOT EXISTS identity_ref_id ON identity_ref(snapshot_id, identity);

-- Allocation locks (locks/<labels>/<lease>) and GC locks (locks/id/<ID>/<lease>).
CREATE TABLE IF NOT EXISTS identity_lock (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  scope       TEXT NOT NULL,
  cluster     TEXT,
  kind        TEXT NOT NULL,     -- allocation or gc
  labels      TEXT,              -- allocation locks
  identity    INTEGER,           -- gc locks
  lease_hex   TEXT NOT NULL,     -- the key's last segment
  key_lease   INTEGER            -- lease_hex as a number; NULL when not hex
);

-- Other locks: cilium/.initlock/<random>/<lease> and cilium/kvstoremesh-lock/<lease>.
CREATE TABLE IF NOT EXISTS kvstore_lock (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  kind        TEXT NOT NULL,     -- initlock or kvstoremesh
  lease_hex   TEXT NOT NULL,
  key_lease   INTEGER
);

-- IP cache: cilium/state/ip/v1/default/<IP>, cilium/cache/ip/v1/<remote>/<IP>.
CREATE TABLE IF NOT EXISTS ipcache (
  snapshot_id   INTEGER NOT NULL,
  kv_id         INTEGER NOT NULL,
  scope         TEXT NOT NULL,
  cluster       TEXT,            -- remote cluster for cache rows
  address_space TEXT NOT NULL,   -- the key segment: "default" (state) or the remote name (cache)
  key_ip        TEXT NOT NULL,   -- the key's IP (or IP/len) as written
  ip            TEXT,            -- value "IP"
  prefix_len    INTEGER,         -- from value "Mask"; NULL for host entries
  ip_bin        BLOB,
  start_bin     BLOB,            -- the covered range (= ip_bin for host entries)
  end_bin       BLOB,
  host_ip       TEXT,
  host_ip_bin   BLOB,
  identity      INTEGER,
  encrypt_key   INTEGER,
  metadata      TEXT,
  node_name     TEXT,            -- from Metadata cilium-global:<space>:<node>:<endpoint>
  endpoint_id   INTEGER,
  k8s_namespace TEXT,
  k8s_pod_name  TEXT,
  k8s_service_account TEXT,
  named_ports   TEXT             -- JSON array as stored, NULL when absent
);
CREATE INDEX IF NOT EXISTS ipcache_ip ON ipcache(snapshot_id, ip_bin);
CREATE INDEX IF NOT EXISTS ipcache_identity ON ipcache(snapshot_id, identity);

-- Nodes: cilium/state/nodes/v1/<cluster>/<node>, the cache copies, and noderegister entries.
CREATE TABLE IF NOT EXISTS node (
  snapshot_id     INTEGER NOT NULL,
  kv_id           INTEGER NOT NULL,
  scope           TEXT NOT NULL,  -- state, cache, or register (cilium/state/noderegister/v1)
  key_cluster     TEXT,           -- from the key (NULL for register)
  key_name        TEXT NOT NULL,
  name            TEXT,           -- from the value
  cluster         TEXT,
  cluster_id      INTEGER,
  source          TEXT,
  encryption_key  INTEGER,
  node_identity   INTEGER,
  ipv4_health_ip  TEXT,
  ipv6_health_ip  TEXT,
  ipv4_ingress_ip TEXT,
  ipv6_ingress_ip TEXT,
  wireguard_pub_key TEXT,
  boot_id         TEXT,
  labels          TEXT,           -- JSON object as stored
  annotations     TEXT
);
CREATE INDEX IF NOT EXISTS node_name ON node(snapshot_id, key_cluster, key_name);

-- Every address of a node: IPAddresses entries, plus HealthIP and IngressIP rows.
CREATE TABLE IF NOT EXISTS node_address (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  scope       TEXT NOT NULL,
  cluster     TEXT,
  node        TEXT NOT NULL,
  type        TEXT NOT NULL,   -- InternalIP, ExternalIP, CiliumInternalIP, ..., HealthIP, IngressIP
  family      INTEGER,
  ip          TEXT NOT NULL,
  ip_bin      BLOB
);
CREATE INDEX IF NOT EXISTS node_address_ip ON node_address(snapshot_id, ip_bin);
CREATE INDEX IF NOT EXISTS node_address_kv ON node_address(kv_id);

-- Pod CIDRs of a node: primary and secondary, IPv4 and IPv6.
CREATE TABLE IF NOT EXISTS node_cidr (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  scope       TEXT NOT NULL,
  cluster     TEXT,
  node        TEXT NOT NULL,
  family      INTEGER NOT NULL,
  kind        TEXT NOT NULL,   -- primary or secondary
  cidr        TEXT NOT NULL,   -- network/len, e.g. 10.6.6.0/24
  ip          TEXT NOT NULL,   -- the IP as written (host bits set when network_address = 0)
  prefix_len  INTEGER NOT NULL,
  start_bin   BLOB NOT NULL,
  end_bin     BLOB NOT NULL,
  network_address INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS node_cidr_start ON node_cidr(snapshot_id, start_bin);
CREATE INDEX IF NOT EXISTS node_cidr_kv ON node_cidr(kv_id);

-- Clustermesh services: cilium/state/services/v1/<cluster>/<namespace>/<name>.
CREATE TABLE IF NOT EXISTS service (
  snapshot_id   INTEGER NOT NULL,
  kv_id         INTEGER NOT NULL,
  scope         TEXT NOT NULL,
  key_cluster   TEXT NOT NULL,
  key_namespace TEXT NOT NULL,
  key_name      TEXT NOT NULL,
  cluster       TEXT,
  namespace     TEXT,
  name          TEXT,
  cluster_id    INTEGER,
  include_external INTEGER,
  shared        INTEGER,
  labels        TEXT,
  selector      TEXT
);

CREATE TABLE IF NOT EXISTS service_frontend (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  ip          TEXT NOT NULL,
  ip_bin      BLOB,
  port_name   TEXT NOT NULL,
  protocol    TEXT,
  port        INTEGER
);

CREATE TABLE IF NOT EXISTS service_backend (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  ip          TEXT NOT NULL,
  ip_bin      BLOB,
  port_name   TEXT NOT NULL,
  protocol    TEXT,
  port        INTEGER,
  hostname    TEXT,
  zone        TEXT
);
CREATE INDEX IF NOT EXISTS service_backend_ip ON service_backend(snapshot_id, ip_bin);

-- MCS-API exports: cilium/state/serviceexports/v1/<cluster>/<namespace>/<name> (1.17+).
CREATE TABLE IF NOT EXISTS service_export (
  snapshot_id   INTEGER NOT NULL,
  kv_id         INTEGER NOT NULL,
  scope         TEXT NOT NULL,
  key_cluster   TEXT NOT NULL,
  key_namespace TEXT NOT NULL,
  key_name      TEXT NOT NULL,
  cluster       TEXT,
  namespace     TEXT,
  name          TEXT,
  type          TEXT,
  created_at    TEXT
);

-- Policy status (1.8-1.14, --enable-k8s-event-handover): cnpstatuses/v2 and ccnpstatuses/v2.
CREATE TABLE IF NOT EXISTS policy_status (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  kind        TEXT NOT NULL,   -- cnp or ccnp
  uid         TEXT NOT NULL,
  namespace   TEXT,
  name        TEXT NOT NULL,
  node        TEXT NOT NULL,
  ok          INTEGER,
  error       TEXT,
  enforcing   INTEGER,
  local_policy_revision INTEGER,
  last_updated TEXT
);

-- cilium/cluster-config/<cluster> (1.13+).
CREATE TABLE IF NOT EXISTS cluster_config (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  cluster     TEXT NOT NULL,
  id          INTEGER,
  synced_canaries INTEGER,
  cached      INTEGER,
  max_connected_clusters INTEGER,
  service_exports_enabled INTEGER  -- NULL when absent (the field is a pointer in Cilium)
);

-- cilium/.heartbeat: RFC 3339 time written every minute by the operator / clustermesh-apiserver.
CREATE TABLE IF NOT EXISTS heartbeat (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  value       TEXT NOT NULL,
  unix_time   INTEGER        -- seconds since the epoch
);

-- Sync canaries: cilium/synced/<cluster>/<prefix> (1.14+).
CREATE TABLE IF NOT EXISTS sync_marker (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  cluster     TEXT NOT NULL,
  prefix      TEXT NOT NULL,   -- e.g. cilium/state/nodes/v1, cilium/cache/ip/v1
  scope       TEXT NOT NULL,   -- state or cache, from the prefix
  value       TEXT NOT NULL,
  unix_time   INTEGER
);

-- A key that matched a layout but whose key or value could not be decoded as that layout.
CREATE TABLE IF NOT EXISTS decode_error (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  layout      TEXT NOT NULL,
  error       TEXT NOT NULL
);

-- Findings of kvcheck --save: one row per finding, so they can be queried and diffed.
CREATE TABLE IF NOT EXISTS finding (
  snapshot_id INTEGER NOT NULL,
  check_id    TEXT NOT NULL,
  severity    TEXT NOT NULL,   -- error, warning, info
  message     TEXT NOT NULL,
  keys        TEXT NOT NULL,   -- JSON array of the etcd keys involved
  details     TEXT NOT NULL    -- JSON object
);
CREATE INDEX IF NOT EXISTS finding_check ON finding(snapshot_id, check_id);
