-- entity: identity
-- description: security identities (master keys) by numeric id; KVStoreMesh copies as cache:<cluster>/<id>
-- moved-by: labels
-- label-sets: labels

-- kvdiff binds :ids, the kv ids of the keys that differ between the snapshots (a JSON array).
-- json_each before identity (CROSS JOIN keeps the order): identity is probed by the ids; kv is read for the metadata only,
-- when kvdiff binds :metadata = 1 (--include-metadata).
-- The label column: the namespace and the first three other labels (key=value for k8s labels, source:key=value
-- for others; not the namespace, cluster and service account labels Cilium adds), with how many more there are.
-- The label string becomes a JSON array of its labels: json_quote escapes it, and ';' never occurs in an escape.
SELECT CASE WHEN i.scope = 'cache' THEN 'cache:' || i.cluster || '/' ELSE '' END || i.id AS id,
       json_object('labels', i.labels, 'namespace', i.namespace, 'cluster_label', i.cluster_label) AS fields,
       CASE WHEN :metadata THEN (SELECT json_object('create_revision', k.create_revision, 'mod_revision', k.mod_revision,
                                                  'version', k.version, 'lease', k.lease) FROM kv k WHERE k.id = i.kv_id) END AS meta,
       (SELECT ltrim(coalesce(', namespace ' || i.namespace, '')
                     || coalesce(', ' || group_concat(CASE WHEN n <= 3 THEN x END, ' '), '')
                     || CASE WHEN count(*) > 3 THEN ' (+' || (count(*) - 3) || ' more)' ELSE '' END, ', ')
        FROM (SELECT CASE WHEN j.value LIKE 'k8s:%' THEN substr(j.value, 5) ELSE j.value END AS x, row_number() OVER (ORDER BY j.key) AS n
              FROM json_each('[' || replace(json_quote(rtrim(i.labels, ';')), ';', '","') || ']') j
              WHERE j.value <> '' AND substr(j.value, instr(j.value, ':') + 1) NOT LIKE 'io.kubernetes.pod.namespace=%'
                AND substr(j.value, instr(j.value, ':') + 1) NOT LIKE 'io.cilium.k8s.%'
              ORDER BY n)) AS label
FROM json_each(:ids) d CROSS JOIN identity i ON i.kv_id = d.value
WHERE i.snapshot_id = :snapshot
ORDER BY id
