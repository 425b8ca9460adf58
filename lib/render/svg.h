#pragma once
// Pictures for the html format, as inline SVG: a horizontal bar chart (optionally stacked) and a
// map of address ranges. Each has a title, axes with their units and a legend; the caller
// aggregates (top N and "others", bins), so a picture's size does not grow with the snapshot.
#include <cstdint>
#include <string>
#include <vector>

namespace kvsnap {

// A colour role: "" (the plain series), error, warning, info, added, removed, changed, moved,
// muted.
struct LegendEntry {
  std::string tag, text;
};

struct Bar {
  std::string label;
  std::vector<double> parts;  // one value per series (a single series: one value)
  std::string note;           // shown after the bar ("out of range", "3 unknown")
  std::string tag;            // single series: the bar's colour role
};

struct BarChart {
  std::string unit;                 // what the values count, for the axis: "identities"
  std::vector<LegendEntry> series;  // stacked series (colour roles); empty: one series
  std::vector<LegendEntry> legend;  // extra legend entries (the meaning of a bar's tag)
  std::vector<Bar> bars;
};
std::string svg_bar_chart(const BarChart& c);

// A stretch of an address space (IPv4 or IPv6) drawn on a line from `lo` to `hi`.
using Address = unsigned __int128;

struct AddressMap {
  int family = 4;
  Address lo = 0, hi = 0;  // the span drawn (inclusive)
  // Coverage per column of the drawing: how many ranges cover it (0 gap, 1, 2+ overlap).
  std::vector<int> coverage;
  // Points marked under the line (endpoint IPs outside their node's CIDRs), per column.
  std::vector<int> marks;
  struct Label {
    Address at;
    std::string text;
    std::string tag;
  };
  std::vector<Label> labels;  // named places (overlaps: the two nodes), at most a few
};
// The columns of an AddressMap drawing; callers bin their ranges into this many.
constexpr int kAddressColumns = 800;
int address_column(const AddressMap& m, Address a);
std::string svg_address_map(const AddressMap& m);
std::string format_address(int family, Address a);

}  // namespace kvsnap
