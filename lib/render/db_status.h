#pragma once
// How `kvimport --status` and `--verify` print an etcd db file.
#include <string>
#include <vector>

#include "etcd/mvcc.h"

namespace kvsnap {

// go-humanize's Bytes, which etcdctl uses: "25 kB", "98 kB", "1.2 MB".
std::string humanize_bytes(uint64_t n);

std::string render_db_status_text(const std::string& file, const EtcdDbStatus& s);
// etcdctl snapshot status -w json's members first, under its names, then kvsnap's additions.
std::string render_db_status_json(const EtcdDbStatus& s);
std::string render_verify_text(const std::string& file, const std::vector<std::string>& problems);
std::string render_verify_json(const std::string& file, const std::vector<std::string>& problems);

}  // namespace kvsnap
