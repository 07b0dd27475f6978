// AMI framing: the banner line, "Key: Value" blocks ended by an empty line, in fragments of any
// size, and actions written so that no value can start a second action.

#include "ami/protocol.h"
#include "util/error.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using sr::ami::banner_version;
using sr::ami::format;
using sr::ami::Message;
using sr::ami::Reader;

namespace {

// What Asterisk 22 sends on connecting and for a login, then an event.
const std::string k_stream = "Asterisk Call Manager/11.0.0\r\n"
                             "Response: Success\r\n"
                             "ActionID: smartroute-1-1\r\n"
                             "Message: Authentication accepted\r\n"
                             "\r\n"
                             "Event: FullyBooted\r\n"
                             "Privilege: system,all\r\n"
                             "Uptime: 12\r\n"
                             "Status: Fully Booted\r\n"
                             "\r\n";

std::vector<Message> read_all(Reader& r) {
  std::vector<Message> out;
  while (auto m = r.take())
    out.push_back(*m);
  return out;
}

} // namespace

TEST_CASE("ami: the banner and two messages, fed whole", "[ami]") {
  Reader r;
  r.feed(k_stream);
  auto all = read_all(r);
  REQUIRE(r.banner());
  CHECK(*r.banner() == "Asterisk Call Manager/11.0.0");
  REQUIRE(all.size() == 2);
  CHECK(all[0].is_response());
  CHECK(all[0].get("Response") == "Success");
  CHECK(all[0].get("actionid") == "smartroute-1-1"); // keys without case
  CHECK(all[1].is_event());
  CHECK(all[1].get("Event") == "FullyBooted");
  CHECK(all[1].get("Status") == "Fully Booted");
  CHECK(all[1].get("Missing") == "");
  CHECK(r.error().empty());
}

TEST_CASE("ami: the same stream in fragments of every size gives the same messages", "[ami]") {
  for (std::size_t size : {1, 2, 3, 5, 7, 13, 64}) {
    Reader r;
    std::vector<Message> all;
    for (std::size_t at = 0; at < k_stream.size(); at += size) {
      r.feed(std::string_view(k_stream).substr(at, size));
      for (auto& m : read_all(r))
        all.push_back(m);
    }
    INFO("fragment size " << size);
    REQUIRE(all.size() == 2);
    CHECK(all[0].get("Message") == "Authentication accepted");
    CHECK(all[1].get("Uptime") == "12");
    CHECK(*r.banner() == "Asterisk Call Manager/11.0.0");
  }
}

TEST_CASE("ami: a message is not complete before its empty line", "[ami]") {
  Reader r;
  r.feed("Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: 1\r\n");
  CHECK_FALSE(r.take());
  r.feed("\r");
  CHECK_FALSE(r.take());
  r.feed("\n");
  auto m = r.take();
  REQUIRE(m);
  CHECK(m->get("ActionID") == "1");
}

TEST_CASE("ami: values keep colons and spaces; bare LF lines and stray blank lines are read",
          "[ami]") {
  Reader r;
  r.feed("Asterisk Call Manager/11.0.0\n\r\n\nEvent: OriginateResponse\nData: "
         "/var/lib/a:b&/c\nCallerIDName:  two spaces\nNoSpace:x\n\n");
  auto m = r.take();
  REQUIRE(m);
  CHECK(m->get("Data") == "/var/lib/a:b&/c");
  CHECK(m->get("CallerIDName") == " two spaces");
  CHECK(m->get("NoSpace") == "x");
}

TEST_CASE("ami: an endless line is an error, not unbounded memory", "[ami]") {
  Reader r;
  r.feed("Asterisk Call Manager/11.0.0\r\n");
  std::string junk(70 * 1024, 'a');
  r.feed(junk);
  CHECK_FALSE(r.take());
  CHECK_THAT(r.error(), Catch::Contains("line longer"));
}

TEST_CASE("ami: an action is written as Key: Value lines and an empty line", "[ami]") {
  Message m;
  m.add("Action", "Originate").add("Channel", "Local/201@test").add("Data", "/a&/b");
  CHECK(format(m) == "Action: Originate\r\nChannel: Local/201@test\r\nData: /a&/b\r\n\r\n");
}

TEST_CASE("ami: a line break in a value cannot smuggle in a second action", "[ami]") {
  Message m;
  m.add("Action", "Originate").add("CallerID", "+7495\r\n\r\nAction: Command");
  CHECK_THROWS_AS(format(m), sr::Error);
  Message k;
  k.add("Bad: key", "x");
  CHECK_THROWS_AS(format(k), sr::Error);
}

TEST_CASE("ami: the banner's version", "[ami]") {
  CHECK(banner_version("Asterisk Call Manager/11.0.0") == "11.0.0");
  CHECK(banner_version("Asterisk Call Manager/2.10.6") == "2.10.6");
  CHECK_FALSE(banner_version("SSH-2.0-OpenSSH_9.2"));
  CHECK_FALSE(banner_version("Asterisk Call Manager/"));
}
