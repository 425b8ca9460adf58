#include "util/version.h"

#include <fmt/format.h>

namespace kvsnap {

std::string version_line(std::string_view tool) {
  return fmt::format("{} (kvsnap) {} (commit {})", tool, kvsnap_version(), kvsnap_commit());
}

}  // namespace kvsnap
