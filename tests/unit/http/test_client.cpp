#include "http/client.h"

#include <catch2/catch.hpp>

#include <string>

using namespace sr::http;

TEST_CASE("http: url_encode keeps unreserved ASCII and encodes UTF-8 bytes", "[http]") {
  CHECK(url_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(url_encode("a b&c=d+e/f?") == "a%20b%26c%3Dd%2Be%2Ff%3F");
  CHECK(url_encode("Привет") == "%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82");
  CHECK(url_encode("") == "");
}

TEST_CASE("http: form_encode joins encoded pairs with &", "[http]") {
  CHECK(form_encode({}) == "");
  CHECK(form_encode({{"text", "Ивану Петрову!"}, {"speed", "1.0"}}) ==
        "text=%D0%98%D0%B2%D0%B0%D0%BD%D1%83%20%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D1%83%21"
        "&speed=1.0");
  CHECK(form_encode({{"a b", ""}}) == "a%20b=");
}

TEST_CASE("http: redact_url drops credentials and the query", "[http]") {
  CHECK(redact_url("https://user:secret@host:8443/path?key=1") == "https://host:8443/path");
  CHECK(redact_url("http://host/a@b") == "http://host/a@b");
  CHECK(redact_url("http://host/x#frag") == "http://host/x");
  CHECK(redact_url("https://host") == "https://host");
}

TEST_CASE("http: Response::header ignores the case of the name", "[http]") {
  Response r;
  r.headers = {{"Content-Type", "application/json"}, {"Retry-After", "3"}, {"retry-after", "9"}};
  CHECK(r.header("retry-after") == "3");
  CHECK(r.header("CONTENT-TYPE") == "application/json");
  CHECK(r.header("X-Request-Id") == "");
}

TEST_CASE("http: a refused connection is a NetworkError naming the URL without secrets", "[http]") {
  auto client = make_client();
  Request r;
  r.url = "http://user:hunter2@127.0.0.1:1/speech?key=hunter2";
  r.connect_timeout = std::chrono::milliseconds(2000);
  try {
    client->send(r);
    FAIL("no exception");
  } catch (const NetworkError& e) {
    std::string message = e.what();
    CHECK(message.starts_with("GET http://127.0.0.1:1/speech: "));
    CHECK(message.find("hunter2") == std::string::npos);
  }
}
