#pragma once
// Cilium's label strings: "src:key=value;" per label, sorted by key, every label ending in ';'
// (pkg/labels FormatForKVStore). Used as identity master values and inside slave/lock keys.
#include <string>
#include <string_view>
#include <vector>

namespace kvsnap {

struct Label {
  std::string source, key, value;
};

// Parses as Cilium's NewLabelArrayFromSortedList does: split on ';', drop elements with an
// empty key, source before the first ':' (or "reserved" for '$', "unspec" when absent), key
// and value around the first '='. Never fails: Cilium accepts every string.
std::vector<Label> parse_labels(std::string_view s);
// Serializes as Cilium does (sorted by key, stable): compare with the stored bytes to tell
// whether a label string is in Cilium's canonical form.
std::string format_labels(std::vector<Label> labels);
// The value of the first label with this key (any source), or empty.
const Label* find_label(const std::vector<Label>& labels, std::string_view key);

}  // namespace kvsnap
