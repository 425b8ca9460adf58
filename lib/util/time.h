#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kvsnap {

// Parses RFC 3339 ("2024-05-02T10:11:12Z", "...12.345+02:00") into seconds since the epoch.
std::optional<int64_t> parse_rfc3339(std::string_view s);
// Formats seconds since the epoch as "2024-05-02T10:11:12Z".
std::string format_rfc3339(int64_t unix_seconds);
// The current time, formatted.
std::string now_rfc3339();

// CPU seconds (user + system) of the whole process, and of the calling thread.
double process_cpu_seconds();
double thread_cpu_seconds();
// Seconds of a monotonic clock (steady_clock): differences only. Cheaper than the CPU clocks
// (no system call), for the timing of waits.
double monotonic_seconds();

// Wall and process CPU seconds since it was made (or last restarted): kvimport --timings.
class Stopwatch {
 public:
  Stopwatch() { restart(); }
  void restart();
  double wall() const;  // seconds
  double cpu() const;   // CPU seconds of every thread of the process
 private:
  double wall_ = 0, cpu_ = 0;
};

}  // namespace kvsnap
