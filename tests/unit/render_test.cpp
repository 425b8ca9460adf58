// The json output writes strings itself: byte for byte what boost::json::serialize writes (the
// golden outputs and every consumer of -o json rely on it), for every byte value.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <string>

#include "render/document.h"
#include "render/output.h"

using namespace kvsnap;

TEST_CASE("json output escapes strings as boost::json::serialize does, for every byte") {
  std::string every;
  for (int c = 0; c < 256; ++c) every.push_back(char(c));
  Section s;
  s.id = "t";
  s.title = "t";
  s.columns = {{"text", ""}, {"json", ""}, {"int", ""}, {"key\x1b[31m\"", ""}};
  boost::json::object o;
  o[every] = every;
  o["n"] = -7;
  s.rows.push_back({Value::text(every), Value::of(boost::json::value(o)), Value::integer(-9223372036854775807 - 1),
                    Value::text("plain")});
  std::string out = output_format("json", DocumentKind::Report).render(rows_document("test", s), RenderOptions{});
  std::string want = "[{\"text\":" + boost::json::serialize(boost::json::string(every)) +
                     ",\"json\":" + boost::json::serialize(o) + ",\"int\":-9223372036854775808," +
                     boost::json::serialize(boost::json::string("key\x1b[31m\"")) + ":\"plain\"}]";
  CHECK(out.substr(0, out.find_last_not_of('\n') + 1) == want);
}
