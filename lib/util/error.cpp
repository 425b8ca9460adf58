#include "util/error.h"

namespace kvsnap {

std::string InputError::describe() const {
  std::string out = file_.empty() ? std::string("<input>") : file_;
  if (!where_.empty()) out += ": " + where_;
  out += ": ";
  out += what();
  return out;
}

}  // namespace kvsnap
