#include "etcd/readers.h"

#include <fmt/format.h>

#include "util/error.h"

namespace kvsnap {

void check_count(Input& in, RecordSink& sink, int64_t kvs, uint64_t count, bool more, const std::string& where,
                 bool last) {
  if (uint64_t(kvs) > count && count != 0)
    throw InputError(in.name(), where, fmt::format("{} kvs, but the response counts only {}", kvs, count));
  if (uint64_t(kvs) < count && !more)
    throw InputError(in.name(), where,
                     fmt::format("the response counts {} keys but holds {}: the dump is incomplete", count, kvs));
  if (more && last)
    sink.meta().warnings.push_back(fmt::format(
        "incomplete dump: the response holds {} of {} keys (etcdctl --limit); fetch the rest with --from-key", kvs,
        count));
}

}  // namespace kvsnap
