-- Schema 1 -> 2: etcd db files (snapshot columns; kv_history, lease and member come from schema.sql).
ALTER TABLE snapshot ADD COLUMN compact_revision INTEGER;
ALTER TABLE snapshot ADD COLUMN scheduled_compact_revision INTEGER;
ALTER TABLE snapshot ADD COLUMN consistent_index INTEGER;
ALTER TABLE snapshot ADD COLUMN storage_version TEXT;
ALTER TABLE snapshot ADD COLUMN cluster_version TEXT;
ALTER TABLE snapshot ADD COLUMN trailer TEXT;
ALTER TABLE snapshot ADD COLUMN at_revision INTEGER;
ALTER TABLE snapshot ADD COLUMN history_records INTEGER;
