#include "render/svg.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "render/output.h"

namespace kvsnap {
namespace {

// SVG is part of the html page: its one escaper.
std::string x(std::string_view s) { return html_escape(s); }

const char* colour(std::string_view tag) {
  if (tag == "error" || tag == "removed") return "#c0262d";
  if (tag == "warning" || tag == "changed") return "#d08a00";
  if (tag == "added" || tag == "ok") return "#1e7d32";
  if (tag == "moved") return "#7b3fa0";
  if (tag == "muted") return "#9aa4b2";
  if (tag == "gap") return "#e9edf2";
  return "#1f6fb2";
}

std::string number(double v) {
  if (v >= 1e6) return fmt::format("{:.1f}M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.0f}k", v / 1e3);
  return fmt::format("{}", int64_t(std::llround(v)));
}

// A "nice" axis maximum and step: 1, 2 or 5 times a power of ten.
std::pair<double, double> axis(double max) {
  if (max <= 0) return {1, 1};
  double raw = max / 4;
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = raw / p <= 1 ? p : raw / p <= 2 ? 2 * p : raw / p <= 5 ? 5 * p : 10 * p;
  step = std::max(step, 1.0);  // the charts count things: whole numbers on the axis
  return {std::ceil(max / step) * step, step};
}

std::string legend(const std::vector<LegendEntry>& entries, int y) {
  std::string out;
  int lx = 0;
  for (const auto& e : entries) {
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>", lx, y, colour(e.tag));
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"lg\">{}</text>", lx + 16, y + 10, x(e.text));
    lx += 28 + int(e.text.size()) * 7;
  }
  return out;
}

constexpr const char* kSvgStyle =
    "<style>text{font:12px system-ui,sans-serif;fill:#1d2430}.lg{font-size:12px}.ax{fill:#5b6675;font-size:11px}"
    ".nt{fill:#5b6675;font-size:11px}</style>";

}  // namespace

std::string svg_bar_chart(const BarChart& c) {
  const int label_w = 240, bar_w = 520, note_w = 140, row = 20, top = c.series.empty() && c.legend.empty() ? 8 : 30;
  int height = top + int(c.bars.size()) * row + 46;
  int width = label_w + bar_w + note_w;
  // The axis fits the named bars; a folded "others" bar (tag muted) is cut at the end of the
  // axis instead of squeezing every other bar (its number says how long it is).
  double max = 0, folded = 0;
  for (const auto& b : c.bars) {
    double sum = 0;
    for (double v : b.parts) sum += v;
    (b.tag == "muted" ? folded : max) = std::max(b.tag == "muted" ? folded : max, sum);
  }
  if (max == 0) max = folded;
  auto [amax, step] = axis(max);
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "class=\"bar-chart\" data-bars=\"{2}\">{3}",
      width, height, c.bars.size(), kSvgStyle);
  std::vector<LegendEntry> keys = c.series;
  keys.insert(keys.end(), c.legend.begin(), c.legend.end());
  if (!keys.empty()) out += legend(keys, 4);
  for (double t = 0; t <= amax + step / 2; t += step) {
    double px = label_w + t / amax * bar_w;
    out += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#e3e7ec\"/>", px, top,
                       top + int(c.bars.size()) * row);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"ax\">{}</text>", px,
                       top + int(c.bars.size()) * row + 14, number(t));
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"ax\">{}</text>", label_w + bar_w / 2,
                     height - 8, x(c.unit));
  for (size_t i = 0; i < c.bars.size(); ++i) {
    const Bar& b = c.bars[i];
    int y = top + int(i) * row;
    std::string label = b.label.size() > 34 ? b.label.substr(0, 33) + "…" : b.label;
    out += fmt::format("<g class=\"bar\" data-label=\"{}\"><title>{}: {}</title>", x(b.label), x(b.label), [&] {
      std::string parts;
      for (size_t k = 0; k < b.parts.size(); ++k)
        parts +=
            fmt::format("{}{}{}", k ? ", " : "", number(b.parts[k]), k < c.series.size() ? " " + c.series[k].text : "");
      return x(parts + (b.note.empty() ? "" : " (" + b.note + ")"));
    }());
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", label_w - 8, y + 14, x(label));
    double px = label_w;
    for (size_t k = 0; k < b.parts.size(); ++k) {
      double w = std::min(b.parts[k] / amax * bar_w, label_w + bar_w - px);
      const char* fill = colour(k < c.series.size() ? c.series[k].tag : b.tag);
      if (w > 0)
        out += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"14\" fill=\"{}\"/>", px, y + 3,
                           std::max(w, 1.0), fill);
      px += w;
    }
    double sum = 0;
    for (double v : b.parts) sum += v;
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"nt\">{}{}</text></g>",
                       std::min(px, double(label_w + bar_w)) + 6, y + 14, number(sum),
                       b.note.empty() ? "" : "  " + x(b.note));
  }
  return out + "</svg>";
}

std::string format_address(int family, Address a) {
  if (family == 4) {
    auto v = uint32_t(a);
    return fmt::format("{}.{}.{}.{}", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
  }
  std::string out;
  for (int g = 7; g >= 0; --g) out += fmt::format("{}{:x}", g < 7 ? ":" : "", unsigned((a >> (16 * g)) & 0xffff));
  return out;
}

int address_column(const AddressMap& m, Address a) {
  if (a <= m.lo) return 0;
  if (a >= m.hi) return kAddressColumns - 1;
  Address span = m.hi - m.lo;
  // (a - lo) * columns / span without overflowing 128 bits.
  Address off = a - m.lo;
  int col =
      span >= Address(kAddressColumns) ? int(off / (span / kAddressColumns)) : int(off * kAddressColumns / (span + 1));
  return std::clamp(col, 0, kAddressColumns - 1);
}

std::string svg_address_map(const AddressMap& m) {
  const int left = 50, line_y = 34, band = 22, width = kAddressColumns + 2 * left;
  int label_rows = int(std::min<size_t>(m.labels.size(), 6));
  int height = line_y + band + 52 + label_rows * 16;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "class=\"address-map\" data-family=\"{2}\">{3}",
      width, height, m.family, kSvgStyle);
  out += legend({{"", "one node's CIDR"},
                 {"error", "overlap: two or more nodes"},
                 {"gap", "no node"},
                 {"warning", "endpoint IP outside its node's CIDRs"}},
                2);
  // Runs of equal coverage as one rectangle each.
  auto fill_of = [](int n) { return colour(n == 0 ? "gap" : n == 1 ? "" : "error"); };
  for (int c = 0; c < kAddressColumns;) {
    int n = c < int(m.coverage.size()) ? std::min(m.coverage[size_t(c)], 2) : 0;
    int e = c;
    while (e < kAddressColumns && (e < int(m.coverage.size()) ? std::min(m.coverage[size_t(e)], 2) : 0) == n) ++e;
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" data-coverage=\"{}\"/>",
                       left + c, line_y, e - c, band, fill_of(n), n);
    c = e;
  }
  for (int c = 0; c < int(m.marks.size()) && c < kAddressColumns; ++c)
    if (m.marks[size_t(c)] > 0) {
      out += fmt::format(
          "<path d=\"M{0} {1} l-4 8 h8 z\" fill=\"{2}\" class=\"mark\"><title>{3} endpoint IP(s)</title></path>",
          left + c, line_y + band + 2, colour("warning"), m.marks[size_t(c)]);
    }
  int axis_y = line_y + band + 24;
  for (int i = 0; i <= 4; ++i) {
    Address a = m.lo + (m.hi - m.lo) / 4 * Address(i);
    if (i == 4) a = m.hi;
    int px = left + i * kAddressColumns / 4;
    out += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#9aa4b2\"/>", px, line_y + band,
                       line_y + band + 12);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" class=\"ax\">{}</text>", px, axis_y,
                       i == 0   ? "start"
                       : i == 4 ? "end"
                                : "middle",
                       x(format_address(m.family, a)));
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"ax\">IPv{} address</text>",
                     left + kAddressColumns / 2, axis_y + 14, m.family);
  for (int i = 0; i < label_rows; ++i) {
    const auto& l = m.labels[size_t(i)];
    int px = left + address_column(m, l.at), ty = axis_y + 30 + i * 16;
    out += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" stroke-dasharray=\"2 2\"/>",
                       px, line_y, ty - 10, colour(l.tag));
    bool right = px > left + kAddressColumns / 2;
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" class=\"label\" fill=\"{}\">{}</text>",
                       right ? px - 4 : px + 4, ty, right ? "end" : "start", colour(l.tag), x(l.text));
  }
  return out + "</svg>";
}

}  // namespace kvsnap
