#pragma once
// Reading fields of a Cilium JSON value with the type checks a decoder needs: a missing or null
// field is nullopt; a field of the wrong type is a DecodeError naming it.
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "cilium/layouts.h"

namespace kvsnap::json_fields {

// Parses a whole value that must be a JSON object.
boost::json::object parse_object(std::string_view value);

std::optional<std::string> str(const boost::json::object& o, std::string_view name);
std::optional<int64_t> integer(const boost::json::object& o, std::string_view name);
std::optional<bool> boolean(const boost::json::object& o, std::string_view name);
// The field re-serialized as JSON text (objects, arrays), nullopt when missing or null.
std::optional<std::string> raw(const boost::json::object& o, std::string_view name);
// The field as an object; nullopt when missing or null; DecodeError when not an object.
const boost::json::object* object(const boost::json::object& o, std::string_view name);
const boost::json::array* array(const boost::json::object& o, std::string_view name);

}  // namespace kvsnap::json_fields
