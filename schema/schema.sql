-- kvsnap database schema. Created by kvimport; every table is keyed by snapshot_id.
-- Raw data first (kv: every key and value byte for byte), decoded tables derived from it.
-- IPs are stored as text and as 16-byte BLOBs (IPv4 as ::ffff:a.b.c.d) so that range and
-- containment queries are BLOB comparisons an index can serve: x_bin BETWEEN start_bin AND end_bin.

-- Which kvsnap made this database and with which schema (one row; lib/store/schema.h). A
-- database of another schema is refused, never upgraded: its inputs are imported again.
CREATE TABLE IF NOT EXISTS kvsnap_schema (
  version     INTEGER NOT NULL,  -- = PRAGMA user_version
  fingerprint TEXT NOT NULL,     -- SHA-256 of schema.sql and views.sql, 16 hex digits
  made_by     TEXT NOT NULL      -- kvsnap version and commit of the import that created it
);

-- One row per import: what was read, from where, and what the input said about the store.
CREATE TABLE IF NOT EXISTS snapshot (
  id               INTEGER PRIMARY KEY,  -- snapshot id; every other table's snapshot_id
  name             TEXT NOT NULL UNIQUE,  -- -n NAME, default: the input's file name
  source           TEXT NOT NULL,         -- path(s) of the input
  format           TEXT NOT NULL,         -- etcd-json, etcd-simple, ..., sysdump
  compression      TEXT,                  -- zstd, gzip, or NULL
  imported_at      TEXT NOT NULL,         -- RFC 3339 UTC
  captured_at      TEXT,                  -- capture time the input names: a sysdump's name, as a local date-time without zone (cilium-cli names it by the clock of the machine that ran it, zone unknown)
  file_mtime       TEXT,                  -- modification time of the input file, RFC 3339 (a copy changes it: never a capture time unless asked, kvcheck --now file-mtime)
  revision         INTEGER,               -- etcd header revision (newest when several pages)
  etcd_cluster_id  TEXT,                  -- uint64 header ids, in decimal (they exceed SQLite's int64)
  etcd_member_id   TEXT,  -- etcd member id of the response header (decimal)
  raft_term        INTEGER,  -- raft term of the response header (or meta/term of a db file)
  cluster_name     TEXT,                  -- Cilium cluster name, when the input says (sysdump config map)
  cluster_id       INTEGER,               -- Cilium cluster id, same
  key_count        INTEGER NOT NULL DEFAULT 0,  -- keys in kv
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
  history_records  INTEGER,            -- records in the key bucket (every revision the file holds)
  warnings         TEXT,               -- JSON array: what the import noticed (an incomplete --limit page, an empty sysdump file)
  history_kept     INTEGER,            -- etcd db files: 1 when kv_history holds every revision of the file, 0 with --no-history
  cilium_key_count INTEGER NOT NULL DEFAULT 0,  -- keys under cilium/
  first_kv_id      INTEGER,            -- the snapshot's kv rows are ids first_kv_id .. first_kv_id + key_count - 1
  keys_in_order    INTEGER NOT NULL DEFAULT 0  -- 1 when those ids ascend with the keys' bytes (the input listed its keys in etcd's order)
);

-- Every key and value of a snapshot, byte for byte, with the metadata its input carried.
CREATE TABLE IF NOT EXISTS kv (
  id              INTEGER PRIMARY KEY,  -- row id; decoded tables point here with kv_id
  snapshot_id     INTEGER NOT NULL REFERENCES snapshot(id),
  key             BLOB NOT NULL,  -- the etcd key, byte for byte
  value           BLOB NOT NULL,  -- the value, byte for byte
  create_revision INTEGER,  -- etcd revision that created the key (its current generation)
  mod_revision    INTEGER,  -- etcd revision of the key's last change
  version         INTEGER,  -- number of changes since creation (1 = just created)
  lease           INTEGER,   -- 0 = no lease; NULL = the input does not say
  layout_id       INTEGER,   -- key_layout.id of the Cilium key layout it matched (kvimport --list-layouts), NULL if none
  sub_revision    INTEGER,   -- etcd db files: the change's position within its transaction (NULL for other inputs)
  key_hash        INTEGER NOT NULL  -- key_hash(key): CRC-32C of the key as a signed 32-bit integer (docs/database.md)
);
-- A key is found by its hash: WHERE snapshot_id = ? AND key_hash = key_hash(K) AND key = K. An
-- index of the keys themselves would hold every key a second time (most of a slave key is its label
-- string), and key order comes from the ids (snapshot.keys_in_order).
CREATE INDEX IF NOT EXISTS kv_key_hash ON kv(snapshot_id, key_hash);
-- The KVStoreMesh cache's keys (a partial index: the query must repeat this exact range).
CREATE INDEX IF NOT EXISTS kv_cache ON kv(snapshot_id)
  WHERE key >= X'63696c69756d2f63616368652f' AND key < X'63696c69756d2f636163686530';
-- The few keys without a lease, and those matching no layout (partial indexes: checks
-- key-without-lease and unknown-key read them without scanning every value).
CREATE INDEX IF NOT EXISTS kv_unleased ON kv(snapshot_id, layout_id) WHERE lease = 0;
CREATE INDEX IF NOT EXISTS kv_no_layout ON kv(snapshot_id) WHERE layout_id IS NULL;

-- A digest of every kv row, packed in id order: kvdiff matches two snapshots' rows by these instead
-- of reading every key and value (docs/database.md). A snapshot's rows are chunks of up to 4096
-- digests, which together cover its kv ids first_kv_id .. first_kv_id + key_count - 1.
CREATE TABLE IF NOT EXISTS kv_digest (
  first_kv_id INTEGER PRIMARY KEY,  -- the kv id of the chunk's first digest
  snapshot_id INTEGER NOT NULL,
  digests     BLOB NOT NULL  -- 12 bytes per row: the first 12 bytes of XXH3-128(key length as 8 bytes LE, key, value)
);

-- kvdiff trusts a snapshot's digests only while they cover its rows: a kv row whose key or value is
-- changed, or that is deleted, by hand (sqlite3) drops the digest chunk that holds it, and kvdiff
-- then reads that snapshot's keys and values. (The imports only insert into kv.)
CREATE TRIGGER IF NOT EXISTS kv_digest_stale_on_update AFTER UPDATE OF key, value ON kv BEGIN
  DELETE FROM kv_digest WHERE snapshot_id = OLD.snapshot_id
    AND first_kv_id = (SELECT max(g.first_kv_id) FROM kv_digest g WHERE g.first_kv_id <= OLD.id);
END;
CREATE TRIGGER IF NOT EXISTS kv_digest_stale_on_delete AFTER DELETE ON kv BEGIN
  DELETE FROM kv_digest WHERE snapshot_id = OLD.snapshot_id
    AND first_kv_id = (SELECT max(g.first_kv_id) FROM kv_digest g WHERE g.first_kv_id <= OLD.id);
END;

-- The Cilium key layouts kv.layout_id names (an integer per key instead of the name's bytes),
-- written by the imports that use them.
CREATE TABLE IF NOT EXISTS key_layout (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE,  -- e.g. identity-master (kvimport --list-layouts)
  pattern TEXT NOT NULL,         -- the key it matches, e.g. cilium/state/identities/v1/id/<ID>
  tables  TEXT NOT NULL          -- the decoded tables its keys fill
);

-- The revisions of an etcd db file (since its last compaction) other than the ones kv holds:
-- older puts, tombstones, and with --at-revision the changes after it. View kv_history adds
-- kv's rows back, so that each revision is stored once.
CREATE TABLE IF NOT EXISTS kv_revision (
  snapshot_id     INTEGER NOT NULL,
  key             BLOB NOT NULL,  -- the etcd key, byte for byte
  main_revision   INTEGER NOT NULL,  -- etcd revision of the change
  sub_revision    INTEGER NOT NULL,  -- position of the change within its transaction
  tombstone       INTEGER NOT NULL,  -- 1: the key was deleted at this revision
  create_revision INTEGER NOT NULL,  -- etcd revision that created the key (its current generation)
  mod_revision    INTEGER NOT NULL,  -- etcd revision of the key's last change
  version         INTEGER NOT NULL,  -- number of changes since creation (1 = just created)
  lease           INTEGER NOT NULL,  -- etcd lease id, 0 = no lease
  value           BLOB NOT NULL,  -- the value at this revision (empty for tombstones)
  key_hash        INTEGER NOT NULL  -- key_hash(key), as in kv
);
CREATE INDEX IF NOT EXISTS kv_revision_key ON kv_revision(snapshot_id, key_hash, main_revision);

-- Leases of an etcd db file (the lease bucket): the TTL as granted, not the time left.
CREATE TABLE IF NOT EXISTS lease (
  snapshot_id   INTEGER NOT NULL,
  id            INTEGER NOT NULL,  -- lease id
  id_hex        TEXT NOT NULL,   -- %x, as Cilium's lock keys hold it (etcdctl pads it to 16 digits)
  ttl           INTEGER NOT NULL,
  remaining_ttl INTEGER          -- only with lease checkpointing
);
CREATE INDEX IF NOT EXISTS lease_id ON lease(snapshot_id, id);

-- etcd members of an etcd db file (members and members_removed buckets).
CREATE TABLE IF NOT EXISTS member (
  snapshot_id INTEGER NOT NULL,
  id_hex      TEXT NOT NULL,
  name        TEXT,  -- member name
  peer_urls   TEXT,   -- JSON array
  client_urls TEXT,   -- JSON array
  is_learner  INTEGER NOT NULL,
  removed     INTEGER NOT NULL
);

-- Each distinct label string of a snapshot once (slave keys repeat their identity's labels per
-- node). Within a snapshot the same bytes have the same id: compare label_set_id, not the text.
CREATE TABLE IF NOT EXISTS label_set (
  id          INTEGER PRIMARY KEY,  -- identity.label_set_id and identity_ref.label_set_id point here
  snapshot_id INTEGER NOT NULL,
  labels      TEXT NOT NULL   -- the label string as stored
);
CREATE UNIQUE INDEX IF NOT EXISTS label_set_labels ON label_set(snapshot_id, labels);

-- Identity master keys: cilium/state/identities/v1/id/<ID> => label string.
CREATE TABLE IF NOT EXISTS identity (
  snapshot_id   INTEGER NOT NULL,
  kv_id         INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  scope         TEXT NOT NULL,    -- state, or cache (KVStoreMesh copy of a remote cluster)
  cluster       TEXT,             -- the remote cluster for cache rows; NULL for state rows
  id            INTEGER NOT NULL,  -- the numeric identity from the key
  labels        TEXT NOT NULL,    -- the label string as stored
  label_set_id  INTEGER NOT NULL,  -- label_set.id of labels: equal to a slave key's when the bytes are
  label_count   INTEGER NOT NULL,  -- number of labels
  namespace     TEXT,             -- k8s:io.kubernetes.pod.namespace
  cluster_label TEXT,             -- k8s:io.cilium.k8s.policy.cluster
  canonical     INTEGER NOT NULL  -- 1 when the labels re-serialize to the same bytes (Cilium's form)
);
-- Covering what a slave key is compared with (identity-duplicate-labels probes it once per slave key).
CREATE INDEX IF NOT EXISTS identity_id ON identity(snapshot_id, id, scope, cluster, label_set_id);
CREATE INDEX IF NOT EXISTS identity_label_set ON identity(snapshot_id, label_set_id);

-- One row per label of a master key, in stored order.
CREATE TABLE IF NOT EXISTS identity_label (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  scope       TEXT NOT NULL,  -- state, or cache (a KVStoreMesh copy of a remote cluster)
  cluster     TEXT,  -- the cluster the row belongs to (the remote cluster of cache rows)
  identity    INTEGER NOT NULL,  -- the numeric identity
  position    INTEGER NOT NULL,  -- 0-based position in the label string
  source      TEXT NOT NULL,  -- label source: k8s, container, cni, unspec, reserved ...
  key         TEXT NOT NULL,  -- label key
  value       TEXT NOT NULL  -- label value
);
CREATE INDEX IF NOT EXISTS identity_label_key ON identity_label(snapshot_id, key, value);

-- Slave keys: cilium/state/identities/v1/value/<labels>/<nodeIP> => <ID>.
CREATE TABLE IF NOT EXISTS identity_ref (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  scope       TEXT NOT NULL,  -- state, or cache (a KVStoreMesh copy of a remote cluster)
  cluster     TEXT,  -- the cluster the row belongs to (the remote cluster of cache rows)
  label_set_id INTEGER NOT NULL,  -- label_set.id of the label string from the key
  node_ip     TEXT NOT NULL,     -- the key's last segment as written
  node_ip_bin BLOB,              -- NULL when it is not an IP
  identity    INTEGER            -- the value; NULL when it is not a number (see decode_error)
);
CREATE INDEX IF NOT EXISTS identity_ref_id ON identity_ref(snapshot_id, identity);

-- Allocation locks (locks/<labels>/<lease>) and GC locks (locks/id/<ID>/<lease>).
CREATE TABLE IF NOT EXISTS identity_lock (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  scope       TEXT NOT NULL,  -- state, or cache (a KVStoreMesh copy of a remote cluster)
  cluster     TEXT,  -- the cluster the row belongs to (the remote cluster of cache rows)
  kind        TEXT NOT NULL,     -- allocation or gc
  labels      TEXT,              -- allocation locks
  identity    INTEGER,           -- gc locks
  lease_hex   TEXT NOT NULL,     -- the key's last segment
  key_lease   INTEGER            -- lease_hex as a number; NULL when not hex
);

-- Other locks: cilium/.initlock/<random>/<lease> and cilium/kvstoremesh-lock/<lease>.
CREATE TABLE IF NOT EXISTS kvstore_lock (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  kind        TEXT NOT NULL,     -- initlock or kvstoremesh
  lease_hex   TEXT NOT NULL,  -- the key's last segment (the lock's lease, %x)
  key_lease   INTEGER  -- lease_hex as a number
);

-- Each distinct NamedPorts of a snapshot's ipcache entries, once: the pods of a workload repeat
-- it. An entry's as text: ipcache p LEFT JOIN port_set ps ON ps.id = p.port_set_id.
CREATE TABLE IF NOT EXISTS port_set (
  id          INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  named_ports TEXT NOT NULL  -- the JSON array of the value, compact (an object's key given twice: once, the last value)
);
CREATE UNIQUE INDEX IF NOT EXISTS port_set_ports ON port_set(snapshot_id, named_ports);

-- IP cache: cilium/state/ip/v1/default/<IP>, cilium/cache/ip/v1/<remote>/<IP>.
CREATE TABLE IF NOT EXISTS ipcache (
  snapshot_id   INTEGER NOT NULL,
  kv_id         INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  scope         TEXT NOT NULL,  -- state, or cache (a KVStoreMesh copy of a remote cluster)
  cluster       TEXT,            -- remote cluster for cache rows
  address_space TEXT NOT NULL,   -- the key segment: "default" (state) or the remote name (cache)
  key_ip        TEXT NOT NULL,   -- the key's IP (or IP/len) as written
  ip            TEXT,            -- value "IP" in Go's canonical text; NULL when absent, null or "" (Go's nil IP)
  prefix_len    INTEGER,         -- from value "Mask"; NULL for host entries
  ip_bin        BLOB,  -- ip as a 16-byte BLOB (IPv4 as ::ffff:a.b.c.d)
  start_bin     BLOB,            -- first address of a CIDR entry's range (prefix_len set); NULL for a host entry, which covers ip_bin alone
  end_bin       BLOB,  -- last address of a CIDR entry's range, 16-byte BLOB; NULL for a host entry
  host_ip       TEXT,  -- HostIP as written: the node hosting the endpoint; NULL when absent, null or ""
  host_ip_bin   BLOB,  -- host_ip as a 16-byte BLOB
  identity      INTEGER,  -- ID: the endpoint's numeric identity
  encrypt_key   INTEGER,  -- Key: IPsec key index (255 = WireGuard)
  metadata      TEXT,  -- Metadata as stored
  node_name     TEXT,            -- from Metadata cilium-global:<space>:<node>:<endpoint>
  endpoint_id   INTEGER,  -- endpoint id from Metadata
  k8s_namespace TEXT,  -- K8sNamespace
  k8s_pod_name  TEXT,  -- K8sPodName
  k8s_service_account TEXT,  -- K8sServiceAccount (1.19+)
  k8s_pod_uid   TEXT,  -- K8sPodUID: the pod's UID (written since 1.20-dev; "" before)
  port_set_id   INTEGER          -- port_set.id of NamedPorts; NULL when absent or null
);
CREATE INDEX IF NOT EXISTS ipcache_ip ON ipcache(snapshot_id, ip_bin, scope);  -- scope: "is IP x an entry" by the index alone
-- With scope, cluster and namespace, it answers "which namespaces use identity N" by itself.
CREATE INDEX IF NOT EXISTS ipcache_identity ON ipcache(snapshot_id, identity, scope, cluster, k8s_namespace);

-- Nodes: cilium/state/nodes/v1/<cluster>/<node>, the cache copies, and noderegister entries.
CREATE TABLE IF NOT EXISTS node (
  snapshot_id     INTEGER NOT NULL,
  kv_id           INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  scope           TEXT NOT NULL,  -- state, cache, or register (cilium/state/noderegister/v1)
  key_cluster     TEXT,           -- from the key (NULL for register)
  key_name        TEXT NOT NULL,  -- node name from the key
  name            TEXT,           -- from the value
  cluster         TEXT,  -- Cluster from the value
  cluster_id      INTEGER,  -- ClusterID
  source          TEXT,  -- Source: local (agent), custom-resource (operator/clustermesh-apiserver), ...
  encryption_key  INTEGER,  -- EncryptionKey (IPsec key index)
  node_identity   INTEGER,  -- NodeIdentity (1.9 to 1.19)
  ipv4_health_ip  TEXT,  -- IPv4HealthIP as written, NULL when unset
  ipv6_health_ip  TEXT,  -- IPv6HealthIP as written, NULL when unset
  ipv4_ingress_ip TEXT,  -- IPv4IngressIP as written, NULL when unset
  ipv6_ingress_ip TEXT,  -- IPv6IngressIP as written, NULL when unset
  wireguard_pub_key TEXT,  -- WireguardPubKey
  boot_id         TEXT,  -- BootID
  labels          TEXT,           -- JSON object as stored
  annotations     TEXT  -- Annotations, JSON object as stored
);
CREATE INDEX IF NOT EXISTS node_name ON node(snapshot_id, key_cluster, key_name);

-- Every address of a node: IPAddresses entries, plus HealthIP and IngressIP rows.
CREATE TABLE IF NOT EXISTS node_address (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  scope       TEXT NOT NULL,  -- state, or cache (a KVStoreMesh copy of a remote cluster)
  cluster     TEXT,  -- the node's cluster (from its key)
  node        TEXT NOT NULL,  -- the node, by its key name
  type        TEXT NOT NULL,   -- InternalIP, ExternalIP, CiliumInternalIP, ..., HealthIP, IngressIP
  family      INTEGER,  -- 4 or 6
  ip          TEXT NOT NULL,  -- the address as written
  ip_bin      BLOB  -- ip as a 16-byte BLOB (IPv4 as ::ffff:a.b.c.d)
);
-- Covers which node an address names, so that finding it reads no table row (kvdiff's labels of
-- identity references and ipcache entries look one up per entry).
CREATE INDEX IF NOT EXISTS node_address_ip ON node_address(snapshot_id, ip_bin, scope, cluster, type, node);
CREATE INDEX IF NOT EXISTS node_address_kv ON node_address(kv_id);

-- Pod CIDRs of a node: primary and secondary, IPv4 and IPv6.
CREATE TABLE IF NOT EXISTS node_cidr (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  scope       TEXT NOT NULL,  -- state, or cache (a KVStoreMesh copy of a remote cluster)
  cluster     TEXT,  -- the node's cluster (from its key)
  node        TEXT NOT NULL,  -- the node, by its key name
  family      INTEGER NOT NULL,  -- 4 or 6
  kind        TEXT NOT NULL,   -- primary or secondary
  cidr        TEXT NOT NULL,   -- network/len, e.g. 10.6.6.0/24
  ip          TEXT NOT NULL,   -- the IP as written (host bits set when network_address = 0)
  prefix_len  INTEGER NOT NULL,  -- prefix length in bits
  start_bin   BLOB NOT NULL,  -- first address of the range, 16-byte BLOB
  end_bin     BLOB NOT NULL,  -- last address of the range, 16-byte BLOB
  network_address INTEGER NOT NULL  -- 1 when the IP has no host bits set (Cilium writes network addresses)
);
CREATE INDEX IF NOT EXISTS node_cidr_start ON node_cidr(snapshot_id, start_bin);
CREATE INDEX IF NOT EXISTS node_cidr_kv ON node_cidr(kv_id);

-- Clustermesh services: cilium/state/services/v1/<cluster>/<namespace>/<name>.
CREATE TABLE IF NOT EXISTS service (
  snapshot_id   INTEGER NOT NULL,
  kv_id         INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  scope         TEXT NOT NULL,  -- state, or cache (a KVStoreMesh copy of a remote cluster)
  key_cluster   TEXT NOT NULL,  -- cluster from the key
  key_namespace TEXT NOT NULL,  -- namespace from the key
  key_name      TEXT NOT NULL,  -- name from the key
  cluster       TEXT,  -- cluster from the value
  namespace     TEXT,  -- namespace from the value
  name          TEXT,  -- name from the value
  cluster_id    INTEGER,  -- clusterID (1.14+)
  include_external INTEGER,  -- includeExternal (io.cilium/global-service)
  shared        INTEGER,  -- shared (io.cilium/shared-service)
  labels        TEXT,  -- labels, JSON object as stored
  selector      TEXT  -- selector, JSON object as stored
);


-- A service's frontends: one row per frontend IP and port.
CREATE TABLE IF NOT EXISTS service_frontend (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  ip          TEXT NOT NULL,  -- frontend (ClusterIP) as written
  ip_bin      BLOB,  -- ip as a 16-byte BLOB (IPv4 as ::ffff:a.b.c.d)
  port_name   TEXT NOT NULL,  -- the port's name ("" for an unnamed port)
  protocol    TEXT,  -- TCP, UDP, SCTP, ANY
  port        INTEGER  -- port number
);

-- A service's backends: one row per backend IP and port.
CREATE TABLE IF NOT EXISTS service_backend (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER NOT NULL,
  ip          TEXT NOT NULL,  -- backend IP as written
  ip_bin      BLOB,  -- ip as a 16-byte BLOB (IPv4 as ::ffff:a.b.c.d)
  port_name   TEXT NOT NULL,  -- the port's name ("" for an unnamed port)
  protocol    TEXT,  -- TCP, UDP, SCTP, ANY
  port        INTEGER,  -- port number
  hostname    TEXT,  -- hostnames[ip] (1.16+)
  zone        TEXT  -- zones[ip].zone (1.19+)
);
CREATE INDEX IF NOT EXISTS service_backend_ip ON service_backend(snapshot_id, ip_bin);
CREATE INDEX IF NOT EXISTS service_backend_kv ON service_backend(kv_id);
CREATE INDEX IF NOT EXISTS service_frontend_kv ON service_frontend(kv_id);

-- MCS-API exports: cilium/state/serviceexports/v1/<cluster>/<namespace>/<name> (1.17+).
CREATE TABLE IF NOT EXISTS service_export (
  snapshot_id   INTEGER NOT NULL,
  kv_id         INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  scope         TEXT NOT NULL,  -- state, or cache (a KVStoreMesh copy of a remote cluster)
  key_cluster   TEXT NOT NULL,  -- cluster from the key
  key_namespace TEXT NOT NULL,  -- namespace from the key
  key_name      TEXT NOT NULL,  -- name from the key
  cluster       TEXT,  -- the cluster the row belongs to (the remote cluster of cache rows)
  namespace     TEXT,  -- Kubernetes namespace
  name          TEXT,  -- name, from the value
  type          TEXT,  -- ClusterSetIP or Headless
  created_at    TEXT  -- exportCreationTimestamp
);

-- Policy status (1.8-1.14, --enable-k8s-event-handover): cnpstatuses/v2 and ccnpstatuses/v2.
CREATE TABLE IF NOT EXISTS policy_status (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  kind        TEXT NOT NULL,   -- cnp or ccnp
  uid         TEXT NOT NULL,  -- the policy's UID
  namespace   TEXT,  -- Kubernetes namespace
  name        TEXT NOT NULL,  -- the policy's name
  node        TEXT NOT NULL,  -- the node reporting
  ok          INTEGER,  -- ok
  error       TEXT,  -- error
  enforcing   INTEGER,  -- enforcing
  local_policy_revision INTEGER,  -- localPolicyRevision
  last_updated TEXT  -- lastUpdated
);

-- cilium/cluster-config/<cluster> (1.13+).
CREATE TABLE IF NOT EXISTS cluster_config (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  cluster     TEXT NOT NULL,  -- the cluster it configures (from the key)
  id          INTEGER,  -- cluster ID
  synced_canaries INTEGER,  -- capabilities.syncedCanaries
  cached      INTEGER,  -- capabilities.cached (a KVStoreMesh copy)
  max_connected_clusters INTEGER,  -- capabilities.maxConnectedClusters (255 or 511; 0 = not said, read as 255)
  service_exports_enabled INTEGER,  -- NULL when absent (the field is a pointer in Cilium)
  endpoint_slices_export_mode TEXT  -- capabilities.endpointSlicesExportMode (1.20-dev): "" (services only), services-and-endpointslices, endpointslices-only
);

-- cilium/.heartbeat: RFC 3339 time written every minute by the operator / clustermesh-apiserver.
CREATE TABLE IF NOT EXISTS heartbeat (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  value       TEXT NOT NULL,  -- the RFC 3339 time as stored
  unix_time   INTEGER        -- seconds since the epoch
);

-- Sync canaries: cilium/synced/<cluster>/<prefix> (1.14+).
CREATE TABLE IF NOT EXISTS sync_marker (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  cluster     TEXT NOT NULL,  -- the cluster whose data is synced
  prefix      TEXT NOT NULL,   -- e.g. cilium/state/nodes/v1, cilium/cache/ip/v1
  scope       TEXT NOT NULL,   -- state or cache, from the prefix
  value       TEXT NOT NULL,  -- the value as stored (Cilium writes an RFC 3339 time; readers only need the key)
  unix_time   INTEGER  -- the time as seconds since the epoch, NULL when the value is not RFC 3339
);

-- A key that matched a layout but whose key or value could not be decoded as that layout.
CREATE TABLE IF NOT EXISTS decode_error (
  snapshot_id INTEGER NOT NULL,
  kv_id       INTEGER PRIMARY KEY,  -- = kv.id: one row per key, stored in kv order
  layout      TEXT NOT NULL,  -- the layout the key matched
  error       TEXT NOT NULL  -- what failed
);

-- Findings of kvcheck --save: one row per finding, so they can be queried and diffed.
CREATE TABLE IF NOT EXISTS finding (
  snapshot_id INTEGER NOT NULL,
  check_id    TEXT NOT NULL,  -- the check's id
  severity    TEXT NOT NULL,   -- error, warning, info
  message     TEXT NOT NULL,  -- what is wrong
  keys        TEXT NOT NULL,   -- JSON array of the etcd keys involved
  details     TEXT NOT NULL    -- JSON object
);
CREATE INDEX IF NOT EXISTS finding_check ON finding(snapshot_id, check_id);
