// Fuzz target: the Cilium key layouts and their decoders (label strings, identities, ipcache,
// node, service and cluster-config JSON, heartbeats, locks, ...). The input is one key-value
// pair, "<key>\n<value>": classify_key finds the layout, its decoder writes rows into a writer
// that discards them. A decoder refuses a value with DecodeError, the one exception the
// importer expects of it. The value also goes through Cilium's label-string parser as is.
#include <string>
#include <string_view>

#include "cilium/labels.h"
#include "cilium/layouts.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kvsnap;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  Record r;
  r.key = std::string(in.substr(0, nl));
  if (nl != std::string_view::npos) r.value = std::string(in.substr(nl + 1));

  KeyParts parts;
  if (const KeyLayout* layout = classify_key(r.key, parts)) {
    fuzz::touch(parts.tail);
    fuzz::DiscardRows rows;
    try {
      layout->decode(r, parts, rows);
    } catch (const DecodeError&) {
    }
  }
  auto labels = parse_labels(r.value);
  fuzz::touch(format_labels(labels));
  if (const Label* l = find_label(labels, "k8s:io.kubernetes.pod.namespace")) fuzz::touch(l->value);
  return 0;
}
