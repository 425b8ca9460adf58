#include "cilium/labels.h"

#include <algorithm>

namespace kvsnap {

std::vector<Label> parse_labels(std::string_view s) {
  std::vector<Label> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view elem = s.substr(start, end - start);
    start = end + 1;
    Label l;
    std::string_view rest;
    if (!elem.empty() && elem[0] == '$') {
      l.source = "reserved";
      rest = elem.substr(1);
    } else if (auto colon = elem.find(':'); colon != std::string_view::npos) {
      l.source = std::string(elem.substr(0, colon));
      rest = elem.substr(colon + 1);
    } else {
      l.source = "unspec";
      rest = elem;
    }
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) {
      l.key = std::string(rest);
    } else if (eq == 0 && l.source == "reserved") {
      l.key = std::string(rest.substr(1));
    } else {
      l.key = std::string(rest.substr(0, eq));
      l.value = std::string(rest.substr(eq + 1));
    }
    if (!l.key.empty()) out.push_back(std::move(l));
    if (end == s.size()) break;
  }
  return out;
}

std::string format_labels(std::vector<Label> labels) {
  std::stable_sort(labels.begin(), labels.end(), [](const Label& a, const Label& b) { return a.key < b.key; });
  std::string out;
  for (const auto& l : labels) {
    out += l.source;
    out += ':';
    out += l.key;
    out += '=';
    out += l.value;
    out += ';';
  }
  return out;
}

const Label* find_label(const std::vector<Label>& labels, std::string_view key) {
  for (const auto& l : labels)
    if (l.key == key) return &l;
  return nullptr;
}

}  // namespace kvsnap
