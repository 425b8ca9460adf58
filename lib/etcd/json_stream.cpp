#include "etcd/json_stream.h"

#include <array>
#include <cstring>

#include <boost/json/basic_parser_impl.hpp>

#include <fmt/format.h>

#include "etcd/record.h"
#include "io/limits.h"
#include "util/error.h"

namespace kvsnap {

void JsonEvents::base64_failed(bool too_big, uint64_t size) {
  if (too_big)
    throw JsonLimitError(
        fmt::format("a base64 string decodes to more than {} ({} bytes so far): no value kvsnap "
                    "can store is that long",
                    human_bytes(kMaxValueBytes), size));
  throw JsonShapeError("a string is not valid base64");
}

namespace {

constexpr std::array<int8_t, 256> kB64 = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[uint8_t(a[i])] = int8_t(i);
  return t;
}();

// Standard base64 with padding (what base64_decode in util/codec accepts), decoded piece by piece
// as the parser hands the string over: at most 3 characters wait for the rest of their quantum.
class Base64Stream {
 public:
  void start(size_t size_hint) {
    out_.clear();
    out_.reserve(size_hint / 4 * 3);
    npend_ = 0;
    padded_ = bad_ = false;
  }
  // False once the input is not base64.
  bool feed(const char* p, size_t n) {
    if (bad_) return false;
    while (npend_ > 0 && n > 0) {
      pend_[npend_++] = *p++;
      --n;
      if (npend_ == 4) {
        npend_ = 0;
        if (!quantum(pend_)) return false;
      }
    }
    size_t full = n / 4;
    if (full > 0) {
      if (padded_) return fail();
      size_t at = out_.size();
      grow(at + full * 3);
      char* o = out_.data() + at;
      const auto* u = reinterpret_cast<const unsigned char*>(p);
      for (size_t q = 0; q < full; ++q, u += 4) {
        int a = kB64[u[0]], b = kB64[u[1]], c = kB64[u[2]], d = kB64[u[3]];
        if ((a | b | c | d) < 0) {
          // Padding is only valid in the last quantum: decode what came before, then that one.
          out_.resize(size_t(o - out_.data()));
          if (!quantum(reinterpret_cast<const char*>(u))) return false;
          if (q + 1 < full) return fail();
          o = out_.data() + out_.size();
          continue;
        }
        uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
        *o++ = char(v >> 16);
        *o++ = char((v >> 8) & 0xFF);
        *o++ = char(v & 0xFF);
      }
      out_.resize(size_t(o - out_.data()));
      p += full * 4;
      n -= full * 4;
    }
    for (; n > 0; --n) pend_[npend_++] = *p++;
    return true;
  }
  bool finish() { return !bad_ && npend_ == 0; }
  std::string& bytes() { return out_; }
  size_t size() const { return out_.size(); }

 private:
  bool fail() {
    bad_ = true;
    return false;
  }
  void grow(size_t need) {
    if (need > out_.capacity()) out_.reserve(std::max(need, out_.capacity() * 2));
    out_.resize(need);
  }
  // One quantum of 4 characters, possibly the padded last one.
  bool quantum(const char* q) {
    if (padded_) return fail();
    const auto* u = reinterpret_cast<const unsigned char*>(q);
    int a = kB64[u[0]], b = kB64[u[1]], c = kB64[u[2]], d = kB64[u[3]];
    if (a < 0 || b < 0) return fail();
    if (c >= 0 && d >= 0) {
      uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
      out_ += char(v >> 16);
      out_ += char((v >> 8) & 0xFF);
      out_ += char(v & 0xFF);
      return true;
    }
    if (q[3] != '=' || (c < 0 && q[2] != '=')) return fail();
    padded_ = true;
    uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c < 0 ? 0 : c) << 6);
    out_ += char(v >> 16);
    if (c >= 0) out_ += char((v >> 8) & 0xFF);
    return true;
  }

  std::string out_;
  char pend_[4];
  int npend_ = 0;
  bool padded_ = false, bad_ = false;
};

struct Handler {
  // Bounded below (kMaxValueBytes) for what is held; strings that are ignored may be any length.
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  JsonEvents* ev;
  std::string buf;
  Base64Stream b64;
  bool in_string = false;
  JsonEvents::StringUse use = JsonEvents::StringUse::Text;
  std::string error;
  bool plain_error = false;  // a bound or a record the sink refused: not "invalid JSON"

  template <class F>
  bool call(boost::system::error_code& ec, F&& f) {
    try {
      f();
      return true;
    } catch (const JsonLimitError& e) {
      return stop(ec, e.what(), true);
    } catch (const JsonShapeError& e) {
      return stop(ec, e.what(), false);
    } catch (const RecordError& e) {
      return stop(ec, e.what(), true);
    }
  }
  bool stop(boost::system::error_code& ec, std::string msg, bool plain) {
    error = std::move(msg);
    plain_error = plain;
    ec = boost::json::error::syntax;  // any error code stops the parser; `error` says why
    return false;
  }

  bool on_document_begin(boost::system::error_code& ec) {
    return call(ec, [&] { ev->begin_document(); });
  }
  bool on_document_end(boost::system::error_code& ec) {
    return call(ec, [&] { ev->end_document(); });
  }
  bool on_array_begin(boost::system::error_code& ec) {
    return call(ec, [&] { ev->begin_array(); });
  }
  bool on_array_end(std::size_t, boost::system::error_code& ec) {
    return call(ec, [&] { ev->end_array(); });
  }
  bool on_object_begin(boost::system::error_code& ec) {
    return call(ec, [&] { ev->begin_object(); });
  }
  bool on_object_end(std::size_t, boost::system::error_code& ec) {
    return call(ec, [&] { ev->end_object(); });
  }

  // A piece of a string value; `last` when it is the end of it.
  bool string_piece(boost::json::string_view s, std::size_t total, bool last, boost::system::error_code& ec) {
    if (!in_string) {
      if (!call(ec, [&] { use = ev->string_use(); })) return false;
      in_string = true;
      if (use == JsonEvents::StringUse::Base64) b64.start(last ? total : s.size());
    }
    if (last) in_string = false;
    switch (use) {
      case JsonEvents::StringUse::Ignore: return true;
      case JsonEvents::StringUse::Text:
        if (buf.size() + s.size() > kMaxValueBytes)
          return stop(ec,
                      fmt::format("a JSON string longer than {}: no key or value kvsnap can store is that long",
                                  human_bytes(kMaxValueBytes)),
                      true);
        buf.append(s.data(), s.size());
        if (!last) return true;
        {
          bool ok = call(ec, [&] { ev->string(buf); });
          buf.clear();
          return ok;
        }
      case JsonEvents::StringUse::Base64: {
        bool ok = b64.feed(s.data(), s.size());
        if (ok && b64.size() > kMaxValueBytes) return call(ec, [&] { ev->base64_failed(true, b64.size()); });
        if (!ok || (last && !b64.finish())) {
          in_string = false;
          return call(ec, [&] { ev->base64_failed(false, b64.size()); });
        }
        if (!last) return true;
        return call(ec, [&] { ev->base64(b64.bytes()); });
      }
    }
    return true;
  }

  bool on_string_part(boost::json::string_view s, std::size_t n, boost::system::error_code& ec) {
    return string_piece(s, n, false, ec);
  }
  bool on_string(boost::json::string_view s, std::size_t n, boost::system::error_code& ec) {
    return string_piece(s, n, true, ec);
  }
  bool key_piece(boost::json::string_view s, bool last, boost::system::error_code& ec) {
    if (buf.size() + s.size() > kMaxValueBytes) return stop(ec, key_too_big(buf, buf.size() + s.size(), true), true);
    buf.append(s.data(), s.size());
    if (!last) return true;
    bool ok = call(ec, [&] { ev->key(buf); });
    buf.clear();
    return ok;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    return key_piece(s, false, ec);
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code& ec) { return key_piece(s, true, ec); }
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
  bool on_bool(bool b, boost::system::error_code& ec) {
    return call(ec, [&] { ev->boolean(b); });
  }
  bool on_null(boost::system::error_code& ec) {
    return call(ec, [&] { ev->other("null"); });
  }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }
};

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

void parse_json_stream(Input& in, JsonEvents& events, const char* what) {
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  boost::json::basic_parser<Handler> p{opts};
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
      const Handler& h = p.handler();
      std::string msg = !h.error.empty() && h.plain_error ? h.error
                        : !h.error.empty()                ? fmt::format("invalid {}: {}", what, h.error)
                        : ec == boost::json::error::too_deep
                            ? fmt::format("invalid {}: JSON nested deeper than {} levels (a kvstore dump nests 4)",
                                          what, kMaxJsonDepth)
                            : fmt::format("invalid {}: {}", what, ec.message());
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
