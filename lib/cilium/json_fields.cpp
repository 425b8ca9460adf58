#include "cilium/json_fields.h"

#include <fmt/format.h>

namespace kvsnap::json_fields {

boost::json::object parse_object(std::string_view value) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(boost::json::string_view(value.data(), value.size()), ec);
  if (ec) throw DecodeError(fmt::format("value is not JSON: {}", ec.message()));
  if (!v.is_object()) throw DecodeError("value is not a JSON object");
  return std::move(v.as_object());
}

namespace {
const boost::json::value* field(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(boost::json::string_view(name.data(), name.size()));
  return (v && !v->is_null()) ? v : nullptr;
}
[[noreturn]] void wrong(std::string_view name, const char* want) {
  throw DecodeError(fmt::format("field {}: expected {}", name, want));
}
}  // namespace

std::optional<std::string> str(const boost::json::object& o, std::string_view name) {
  const auto* v = field(o, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) wrong(name, "a string");
  return std::string(v->as_string().data(), v->as_string().size());
}

std::optional<int64_t> integer(const boost::json::object& o, std::string_view name) {
  const auto* v = field(o, name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= uint64_t(INT64_MAX)) return int64_t(v->as_uint64());
  wrong(name, "an integer");
}

std::optional<bool> boolean(const boost::json::object& o, std::string_view name) {
  const auto* v = field(o, name);
  if (!v) return std::nullopt;
  if (!v->is_bool()) wrong(name, "true or false");
  return v->as_bool();
}

std::optional<std::string> raw(const boost::json::object& o, std::string_view name) {
  const auto* v = field(o, name);
  if (!v) return std::nullopt;
  return boost::json::serialize(*v);
}

const boost::json::object* object(const boost::json::object& o, std::string_view name) {
  const auto* v = field(o, name);
  if (!v) return nullptr;
  if (!v->is_object()) wrong(name, "an object");
  return &v->as_object();
}

const boost::json::array* array(const boost::json::object& o, std::string_view name) {
  const auto* v = field(o, name);
  if (!v) return nullptr;
  if (!v->is_array()) wrong(name, "an array");
  return &v->as_array();
}

}  // namespace kvsnap::json_fields
