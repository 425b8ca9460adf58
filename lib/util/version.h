#pragma once
#include <string>
#include <string_view>

// What this build is, for --version: the project version (CMake's project(VERSION)) and the git
// commit it was built from. Both come from a source generated at build time (scripts/version.cmake).

namespace kvsnap {

const char* kvsnap_version();  // "0.1.0"
const char* kvsnap_commit();   // `git describe --always --dirty` ("abc1234", "abc1234-dirty"), or "unknown"

// What --version prints: "kvcheck (kvsnap) 0.1.0 (commit abc1234)".
std::string version_line(std::string_view tool);

}  // namespace kvsnap
