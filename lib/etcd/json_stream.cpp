#include "etcd/json_stream.h"

#include <boost/json/basic_parser_impl.hpp>

#include <fmt/format.h>

#include "util/error.h"

namespace kvsnap {
namespace {

struct Handler {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  JsonEvents* ev;
  std::string buf;
  std::string error;

  template <class F>
  bool call(boost::system::error_code& ec, F&& f) {
    try {
      f();
      return true;
    } catch (const JsonShapeError& e) {
      error = e.what();
      ec = boost::json::error::syntax;  // any error code stops the parser; `error` says why
      return false;
    }
  }

  bool on_document_begin(boost::system::error_code& ec) { return call(ec, [&] { ev->begin_document(); }); }
  bool on_document_end(boost::system::error_code& ec) { return call(ec, [&] { ev->end_document(); }); }
  bool on_array_begin(boost::system::error_code& ec) { return call(ec, [&] { ev->begin_array(); }); }
  bool on_array_end(std::size_t, boost::system::error_code& ec) { return call(ec, [&] { ev->end_array(); }); }
  bool on_object_begin(boost::system::error_code& ec) { return call(ec, [&] { ev->begin_object(); }); }
  bool on_object_end(std::size_t, boost::system::error_code& ec) { return call(ec, [&] { ev->end_object(); }); }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    buf.append(s.data(), s.size());
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    buf.append(s.data(), s.size());
    bool ok = call(ec, [&] { ev->string(buf); });
    buf.clear();
    return ok;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    buf.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    buf.append(s.data(), s.size());
    bool ok = call(ec, [&] { ev->key(buf); });
    buf.clear();
    return ok;
  }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(int64_t i, boost::json::string_view s, boost::system::error_code& ec) {
    return call(ec, [&] { ev->integer({s.data(), s.size()}, i, uint64_t(i), true); });
  }
  bool on_uint64(uint64_t u, boost::json::string_view s, boost::system::error_code& ec) {
    return call(ec, [&] { ev->integer({s.data(), s.size()}, int64_t(u), u, false); });
  }
  bool on_double(double, boost::json::string_view, boost::system::error_code& ec) {
    return call(ec, [&] { ev->other("a non-integer number"); });
  }
  bool on_bool(bool b, boost::system::error_code& ec) { return call(ec, [&] { ev->boolean(b); }); }
  bool on_null(boost::system::error_code& ec) { return call(ec, [&] { ev->other("null"); }); }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }
};

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

void parse_json_stream(Input& in, JsonEvents& events, const char* what) {
  boost::json::basic_parser<Handler> p{boost::json::parse_options{}};
  p.handler().ev = &events;
  bool any = false;
  bool in_document = false;
  for (;;) {
    auto c = in.chunk();
    if (!in_document) {
      size_t skip = 0;
      while (skip < c.size() && is_space(c[skip])) ++skip;
      in.consume(skip);
      if (skip == c.size()) {
        if (c.empty()) break;
        continue;
      }
      c = c.substr(skip);
      in_document = true;
      any = true;
    }
    boost::system::error_code ec;
    bool more = !c.empty();
    size_t n = p.write_some(more, c.data(), c.size(), ec);
    uint64_t at = in.offset() + n;
    in.consume(n);
    if (ec) {
      std::string msg = p.handler().error.empty() ? fmt::format("invalid {}: {}", what, ec.message())
                                                  : fmt::format("invalid {}: {}", what, p.handler().error);
      if (ec == boost::json::error::incomplete || (!more && !p.done()))
        msg = fmt::format("truncated {}: the input ends inside a JSON value", what);
      throw InputError(in.name(), fmt::format("byte {}", at), msg);
    }
    if (p.done()) {
      p.reset();
      in_document = false;
    } else if (!more) {
      throw InputError(in.name(), fmt::format("byte {}", at),
                       fmt::format("truncated {}: the input ends inside a JSON value", what));
    }
  }
  if (!any) throw InputError(in.name(), "byte 0", fmt::format("empty input: expected {}", what));
}

}  // namespace kvsnap
