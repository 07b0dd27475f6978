#include "util/csv.h"
#include "util/strings.h"

#include <catch2/catch.hpp>

using sr::util::CsvReader;

TEST_CASE("csv: quoting, doubled quotes, line breaks in quotes, CRLF and BOM", "[util][csv]") {
  std::string text =
      "\xEF\xBB\xBFid,name\r\n1,\"Ромашка, ООО\"\r\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n\n4,\n";
  CsvReader r(text);
  std::vector<std::string_view> f;
  REQUIRE(r.next(f));
  CHECK(f == std::vector<std::string_view>{"id", "name"});
  REQUIRE(r.next(f));
  CHECK(f[1] == "Ромашка, ООО");
  CHECK(r.line() == 2);
  REQUIRE(r.next(f));
  CHECK(f[1] == "say \"hi\"");
  REQUIRE(r.next(f));
  CHECK(f[1] == "two\nlines");
  CHECK(r.line() == 4);
  REQUIRE(r.next(f));
  CHECK(r.line() == 7);
  CHECK(f == std::vector<std::string_view>{"4", ""});
  CHECK_FALSE(r.next(f));
}

TEST_CASE("csv: an unterminated quote is reported", "[util][csv]") {
  CsvReader r("a,\"open\n");
  std::vector<std::string_view> f;
  REQUIRE(r.next(f));
  CHECK_FALSE(r.error().empty());
}

TEST_CASE("csv: the separator is sniffed from the header", "[util][csv]") {
  CHECK(sr::util::sniff_separator("id;name;phones\n1;a,b;c") == ';');
  CHECK(sr::util::sniff_separator("id,name\n") == ',');
}

TEST_CASE("strings: did-you-mean suggests near misses and prefixes only", "[util]") {
  std::vector<std::string_view> commands{"import", "config", "demo-data", "sync", "score"};
  CHECK(sr::util::did_you_mean("imprt", commands) == "import");
  CHECK(sr::util::did_you_mean("sy", commands) == "sync");
  CHECK(sr::util::did_you_mean("cofnig", commands) == "config");
  CHECK(sr::util::did_you_mean("xylophone", commands).empty());
}

TEST_CASE("strings: booleans as people write them", "[util]") {
  bool ok = false;
  CHECK(sr::util::parse_bool("Yes", ok));
  CHECK(ok);
  CHECK_FALSE(sr::util::parse_bool("0", ok));
  CHECK(ok);
  sr::util::parse_bool("maybe", ok);
  CHECK_FALSE(ok);
}

TEST_CASE("csv: many short quoted fields in the first record stay valid", "[util][csv]") {
  // Quoted fields are unescaped into reader-owned buffers; growing them must not move
  // the earlier fields of the same record (short strings live inside the object).
  std::string text;
  for (int i = 0; i < 40; ++i)
    text += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  CsvReader r(text);
  std::vector<std::string_view> f;
  REQUIRE(r.next(f));
  REQUIRE(f.size() == 40);
  for (int i = 0; i < 40; ++i)
    CHECK(f[std::size_t(i)] == std::to_string(i));
}
