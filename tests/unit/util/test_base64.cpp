#include "util/base64.h"
#include "util/error.h"

#include <catch2/catch.hpp>

#include <string>

using sr::util::base64_decode;
using sr::util::base64_encode;

TEST_CASE("base64: RFC 4648 test vectors encode and decode", "[util][base64]") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto& [plain, coded] : vectors) {
    CHECK(base64_encode(plain) == coded);
    CHECK(base64_decode(coded) == plain);
  }
}

TEST_CASE("base64: every byte value survives a round trip", "[util][base64]") {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37)
    CHECK(base64_decode(base64_encode(all.substr(0, n))) == all.substr(0, n));
}

TEST_CASE("base64: padding is optional and line breaks are skipped", "[util][base64]") {
  CHECK(base64_decode("Zm9vYg") == "foob");
  CHECK(base64_decode("Zm9v\nYmFy\r\n") == "foobar");
  CHECK(base64_decode("Zm9v YmE=") == "fooba");
}

TEST_CASE("base64: the URL-safe alphabet decodes like the standard one", "[util][base64]") {
  CHECK(base64_decode("-_-_") == base64_decode("+/+/"));
  CHECK(base64_encode(base64_decode("+/+/")) == "+/+/");
}

TEST_CASE("base64: foreign characters, data after padding and cut input are errors",
          "[util][base64]") {
  CHECK_THROWS_AS(base64_decode("Zm9v*"), sr::Error);
  CHECK_THROWS_AS(base64_decode("Zg==Zg=="), sr::Error);
  CHECK_THROWS_AS(base64_decode("Zm9vY"), sr::Error);
  CHECK_THROWS_WITH(base64_decode("Zm\x01"), "base64: unexpected character at offset 2");
}
