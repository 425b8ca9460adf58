-- kv with keys and values as text, for people reading the database with sqlite3.
DROP VIEW IF EXISTS kv_text;
CREATE VIEW kv_text AS
  SELECT id, snapshot_id, CAST(key AS TEXT) AS key, CAST(value AS TEXT) AS value,
         create_revision, mod_revision, version, lease, (SELECT name FROM key_layout WHERE id = layout_id) AS layout,
         key_hash
  FROM kv;

-- Every revision an etcd db file holds (since its last compaction): puts and tombstones, the
-- older ones from kv_revision and the ones in the state from kv (snapshots with history_kept).
-- columns: kv_revision
DROP VIEW IF EXISTS kv_history;
CREATE VIEW kv_history AS
  SELECT snapshot_id, key, main_revision, sub_revision, tombstone, create_revision, mod_revision, version, lease, value,
         key_hash
  FROM kv_revision
  UNION ALL
  SELECT k.snapshot_id, k.key, k.mod_revision, k.sub_revision, 0, k.create_revision, k.mod_revision, k.version, k.lease,
         k.value, k.key_hash
  FROM kv k JOIN snapshot s ON s.id = k.snapshot_id
  WHERE s.history_kept = 1;

-- Keys under cilium/ that match none of the key layouts kvsnap decodes (kvimport --list-layouts).
DROP VIEW IF EXISTS unknown_key;
CREATE VIEW unknown_key AS
  SELECT id AS kv_id, snapshot_id, CAST(key AS TEXT) AS key, length(value) AS value_bytes
  FROM kv
  WHERE layout_id IS NULL AND substr(key, 1, 7) = CAST('cilium/' AS BLOB);

-- decode_error with the key as text.
DROP VIEW IF EXISTS decode_error_text;
CREATE VIEW decode_error_text AS
  SELECT e.snapshot_id, CAST(k.key AS TEXT) AS key, e.layout, e.error
  FROM decode_error e JOIN kv k ON k.id = e.kv_id;

-- Every key of an identity: its master key, the slave keys carrying its ID and the ipcache entries
-- pointing at it, in the identity's scope and cluster. The keys a finding about an identity names.
DROP VIEW IF EXISTS identity_key;
CREATE VIEW identity_key AS
  SELECT snapshot_id, scope, cluster, id AS identity, 'master' AS role, kv_id FROM identity
  UNION ALL
  SELECT snapshot_id, scope, cluster, identity, 'slave', kv_id FROM identity_ref WHERE identity IS NOT NULL
  UNION ALL
  SELECT snapshot_id, scope, cluster, identity, 'ipcache', kv_id FROM ipcache WHERE identity IS NOT NULL;
