#include "tts/cache.h"

#include <catch2/catch.hpp>

using namespace sr::tts;

TEST_CASE("cache: sha256_hex is lower-case hex", "[tts][cache]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("cache: normalize_text", "[tts][cache]") {
  CHECK(normalize_text("") == "");
  CHECK(normalize_text("Здравствуйте!") == "Здравствуйте!");
  CHECK(normalize_text("a b") == "a b");
  CHECK(normalize_text(" a  b ") == "a b");
  CHECK(normalize_text("a\tb\r\n") == "a b");
  CHECK(normalize_text("a\x7f b") == "a b");
  CHECK(normalize_text("   ") == "");
  CHECK(normalize_text("a ") == "a");
}

TEST_CASE("cache: KeyMaker gives cache_key's key for every text", "[tts][cache]") {
  sr::config::TtsSection t;
  t.salt = "s\"alt";
  t.loudness = -18.5;
  nlohmann::json identity = {
      {"engine", "espeak-ng"}, {"voice", "ru"}, {"text", "not the text"}, {"v", 2}};
  KeyMaker keys(identity, t);
  for (std::string text :
       {"", "Здравствуйте!", "Нажмите 2, чтобы поговорить с Борисом.", "a \"quoted\" back\\slash",
        "  tabs\tand\nnew lines  ", "v\":1}", "\x7f\x01 control", "emoji 😀 and ё"})
    CHECK(keys.key(text) == cache_key(identity, text, t));
  KeyMaker other({{"engine", "command"}}, {});
  CHECK(other.key("x") == cache_key({{"engine", "command"}}, "x", {}));
  // Invalid UTF-8: both refuse it the same way.
  for (std::string bad : {"\xff", "a\xc3", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80"}) {
    CHECK_THROWS(cache_key(identity, bad, t));
    CHECK_THROWS(keys.key(bad));
  }
  std::string edges = "\xf0\x9f\x98\x80 \xe2\x82\xac \xd0\x81 \xef\xbf\xbf \xf4\x8f\xbf\xbf";
  CHECK(keys.key(edges) == cache_key(identity, edges, t));
}
