#include "tts/cloud.h"

#include <catch2/catch.hpp>

using namespace sr::tts;

TEST_CASE("cloud: service_message reads Yandex, SpeechPro and gateway error bodies",
          "[tts][cloud]") {
  CHECK(service_message(R"({"error_code":"BAD_REQUEST","error_message":"Unknown voice: x"})") ==
        "Unknown voice: x");
  CHECK(service_message(R"({"reason":"BAD_REQUEST","message":"Voice 'x' not found"})") ==
        "BAD_REQUEST: Voice 'x' not found");
  CHECK(service_message(R"({"error":{"grpc_code":13,"message":"Internal error"}})") ==
        "Internal error");
  CHECK(service_message(R"({"code":3,"message":"bad hint"})") == "bad hint");
  CHECK(service_message("Bad Gateway\nmore") == "Bad Gateway");
  CHECK(service_message("<html><body>502</body></html>") == "");
  CHECK(service_message("") == "");
  CHECK(service_message(R"({"other":1})") == "");
}

TEST_CASE("cloud: a long message is cut at a UTF-8 character boundary", "[tts][cloud]") {
  std::string text;
  for (int i = 0; i < 400; ++i)
    text += "ы";
  auto m = service_message(R"({"error_message":")" + text + R"("})");
  CHECK(m.size() <= 303 + 3);
  CHECK(m.ends_with("ы…"));
}

TEST_CASE("cloud: scrub hides a secret the service echoed", "[tts][cloud]") {
  CHECK(scrub("key AQVN123 is invalid, AQVN123", "AQVN123") == "key *** is invalid, ***");
  CHECK(scrub("nothing here", "AQVN123") == "nothing here");
  CHECK(scrub("a b c", "") == "a b c");
}

TEST_CASE("cloud: Retry-After in seconds is read, a date is ignored", "[tts][cloud]") {
  sr::http::Response r;
  CHECK_FALSE(retry_after(r).has_value());
  r.headers = {{"retry-after", "3"}};
  CHECK(retry_after(r) == 3.0);
  r.headers = {{"Retry-After", " 1.5 "}};
  CHECK(retry_after(r) == 1.5);
  r.headers = {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  CHECK_FALSE(retry_after(r).has_value());
  r.headers = {{"Retry-After", "-1"}};
  CHECK_FALSE(retry_after(r).has_value());
}
