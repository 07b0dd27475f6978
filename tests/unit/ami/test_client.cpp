// The AMI client over a scripted Asterisk: responses matched by ActionID while events and other
// responses interleave, refused logins and actions, deadlines, and a real loopback socket.

#include "ami/client.h"
#include "util/error.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <functional>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace sr::ami;
using namespace std::chrono_literals;

namespace {

// Asterisk as a script: each action written is parsed and handed to `on_action`, whose reply
// is then read back in fragments of `chunk` bytes. With nothing left to read, a read is a
// passed deadline (or the end of the stream once `closed`).
class Scripted final : public Transport {
public:
  std::function<std::string(const Message&)> on_action;
  std::vector<Message> actions; // what the client sent
  std::string pending;
  std::size_t chunk = 1000;
  bool closed = false;

  void write(std::string_view data, Clock::time_point) override {
    m_parser.feed(data);
    while (auto m = m_parser.take()) {
      actions.push_back(*m);
      if (on_action)
        pending += on_action(*m);
    }
  }
  std::optional<std::string> read(Clock::time_point) override {
    if (pending.empty())
      return closed ? std::optional<std::string>("") : std::nullopt;
    auto n = std::min(chunk, pending.size());
    auto out = pending.substr(0, n);
    pending.erase(0, n);
    return out;
  }

private:
  Reader m_parser = [] {
    Reader r;
    r.feed("banner\r\n"); // the client sends none; the reader wants one
    return r;
  }();
};

const std::string k_banner = "Asterisk Call Manager/11.0.0\r\n";

std::string block(std::vector<std::pair<std::string, std::string>> fields) {
  std::string out;
  for (auto& [k, v] : fields)
    out += k + ": " + v + "\r\n";
  return out + "\r\n";
}

// A client on a scripted Asterisk that accepts the login of "smartroute" / "s3cret".
std::pair<std::unique_ptr<Client>, Scripted*>
connected(std::function<std::string(const Message&)> more, std::size_t chunk = 1000) {
  auto t = std::make_unique<Scripted>();
  auto* raw = t.get();
  t->chunk = chunk;
  t->pending = k_banner;
  t->on_action = [more](const Message& a) -> std::string {
    auto id = a.get("ActionID");
    if (a.get("Action") == "Login") {
      bool ok = a.get("Username") == "smartroute" && a.get("Secret") == "s3cret";
      // An event of the PBX's life before the response, as a busy Asterisk may send.
      return block({{"Event", "Newchannel"}, {"Channel", "PJSIP/100-00000001"}}) +
             (ok ? block({{"Response", "Success"},
                          {"ActionID", id},
                          {"Message", "Authentication accepted"}})
                 : block({{"Response", "Error"},
                          {"ActionID", id},
                          {"Message", "Authentication failed"}}));
    }
    if (a.get("Action") == "Logoff")
      return block({{"Response", "Goodbye"}, {"ActionID", id}});
    return more ? more(a) : std::string();
  };
  auto c = std::make_unique<Client>(std::move(t), "127.0.0.1:5038", 2s);
  return {std::move(c), raw};
}

Originate request() {
  Originate o;
  o.channel = "Local/admin@preview";
  o.application = "Playback";
  o.data = "/c/ab/1&/c/cd/2";
  o.caller_id = "\"smartroute preview\" <+74951234567>";
  o.timeout = 30s;
  return o;
}

} // namespace

TEST_CASE("ami client: the banner's version, a login, and the action as written", "[ami]") {
  auto [c, t] = connected({});
  CHECK(c->version() == "11.0.0");
  c->login("smartroute", "s3cret");
  REQUIRE(t->actions.size() == 1);
  auto& login = t->actions[0];
  CHECK(login.get("Action") == "Login");
  CHECK(login.get("Username") == "smartroute");
  CHECK(login.get("ActionID").starts_with("smartroute-"));
}

TEST_CASE("ami client: a refused login says so and never shows the secret", "[ami]") {
  auto [c, t] = connected({}, 3);
  try {
    c->login("smartroute", "wrong-secret");
    FAIL("no error");
  } catch (const sr::Error& e) {
    std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("AMI login failed"));
    CHECK_THAT(what, Catch::Contains("Authentication failed"));
    CHECK_THAT(what, !Catch::Contains("wrong-secret"));
  }
}

TEST_CASE("ami client: Originate waits for its own OriginateResponse among other events and "
          "responses, in one-byte fragments",
          "[ami]") {
  for (std::size_t chunk : {1, 7, 4096}) {
    auto [c, t] = connected(
        [](const Message& a) -> std::string {
          auto id = a.get("ActionID");
          if (a.get("Action") != "Originate")
            return {};
          return block({{"Response", "Success"}, {"ActionID", "someone-else"}}) +
                 block({{"Response", "Success"},
                        {"ActionID", id},
                        {"Message", "Originate successfully queued"}}) +
                 block({{"Event", "Newchannel"}, {"Channel", "Local/admin@preview-00000000;1"}}) +
                 block({{"Event", "OriginateResponse"},
                        {"ActionID", "someone-else"},
                        {"Response", "Failure"},
                        {"Reason", "0"}}) +
                 block({{"Event", "OriginateResponse"},
                        {"Privilege", "call,all"},
                        {"ActionID", id},
                        {"Response", "Success"},
                        {"Channel", "Local/admin@preview-00000000;1"},
                        {"Reason", "4"},
                        {"Uniqueid", "1700000000.7"}});
        },
        chunk);
    c->login("smartroute", "s3cret");
    auto r = originate(*c, request(), Clock::now() + 2s);
    INFO("fragment size " << chunk);
    CHECK(r.success);
    CHECK(r.reason == 4);
    CHECK(r.channel == "Local/admin@preview-00000000;1");
    CHECK(r.uniqueid == "1700000000.7");
    auto& sent = t->actions.back();
    CHECK(sent.get("Action") == "Originate");
    CHECK(sent.get("Async") == "true");
    CHECK(sent.get("Timeout") == "30000");
    CHECK(sent.get("Application") == "Playback");
    CHECK(sent.get("Data") == "/c/ab/1&/c/cd/2");
    CHECK(sent.get("CallerID") == "\"smartroute preview\" <+74951234567>");
  }
}

TEST_CASE("ami client: an OriginateResponse that comes before the action's response is kept",
          "[ami]") {
  auto [c, t] = connected([](const Message& a) -> std::string {
    auto id = a.get("ActionID");
    return block({{"Event", "OriginateResponse"},
                  {"ActionID", id},
                  {"Response", "Failure"},
                  {"Reason", "0"},
                  {"Channel", "Local/nobody@preview"}}) +
           block({{"Response", "Success"}, {"ActionID", id}});
  });
  c->login("smartroute", "s3cret");
  auto r = originate(*c, request(), Clock::now() + 2s);
  CHECK_FALSE(r.success);
  CHECK(r.reason == 0);
  CHECK_THAT(reason_text(r.reason), Catch::Contains("no such extension"));
}

TEST_CASE("ami client: a refused Originate carries Asterisk's message", "[ami]") {
  auto [c, t] = connected([](const Message& a) -> std::string {
    return block(
        {{"Response", "Error"}, {"ActionID", a.get("ActionID")}, {"Message", "Permission denied"}});
  });
  c->login("smartroute", "s3cret");
  CHECK_THROWS_WITH(originate(*c, request(), Clock::now() + 2s),
                    Catch::Contains("Originate refused: Permission denied"));
}

TEST_CASE("ami client: no OriginateResponse in time, or a closed connection, is an error",
          "[ami]") {
  {
    auto [c, t] = connected([](const Message& a) -> std::string {
      return block({{"Response", "Success"}, {"ActionID", a.get("ActionID")}});
    });
    c->login("smartroute", "s3cret");
    CHECK_THROWS_WITH(originate(*c, request(), Clock::now() + 2s),
                      Catch::Contains("no OriginateResponse") && Catch::Contains("read = call"));
  }
  {
    auto [c, t] = connected({});
    c->login("smartroute", "s3cret");
    t->closed = true;
    CHECK_THROWS_WITH(originate(*c, request(), Clock::now() + 2s),
                      Catch::Contains("closed the connection"));
  }
}

TEST_CASE("ami client: a peer that is not Asterisk's manager is named as such", "[ami]") {
  auto t = std::make_unique<Scripted>();
  t->pending = "SSH-2.0-OpenSSH_9.2\r\n";
  CHECK_THROWS_WITH(Client(std::move(t), "127.0.0.1:22", 1s),
                    Catch::Contains("not the banner of Asterisk's manager"));
  auto silent = std::make_unique<Scripted>();
  CHECK_THROWS_WITH(Client(std::move(silent), "127.0.0.1:80", 1s), Catch::Contains("no banner"));
}

TEST_CASE("ami client: the reasons of an OriginateResponse", "[ami]") {
  CHECK(reason_text(4) == "answered");
  CHECK(reason_text(5) == "busy");
  CHECK_THAT(reason_text(3), Catch::Contains("nobody answered"));
  CHECK_THAT(reason_text(8), Catch::Contains("congestion"));
  CHECK_THAT(reason_text(1), Catch::Contains("hung up"));
  CHECK(reason_text(42) == "reason 42");
}

TEST_CASE("ami client: over a loopback socket, in fragments, with a deadline", "[ami]") {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  std::thread server([listener] {
    int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0)
      return;
    auto send = [fd](std::string_view s) { (void)!::write(fd, s.data(), s.size()); };
    send("Asterisk Call ");
    std::this_thread::sleep_for(20ms);
    send("Manager/11.0.0\r\n");
    std::string got;
    char buf[512];
    while (got.find("\r\n\r\n") == std::string::npos) {
      auto n = ::read(fd, buf, sizeof buf);
      if (n <= 0)
        break;
      got.append(buf, std::size_t(n));
    }
    auto at = got.find("ActionID: ");
    auto id = got.substr(at + 10, got.find("\r\n", at) - at - 10);
    send("Response: Succ");
    std::this_thread::sleep_for(20ms);
    send("ess\r\nActionID: " + id + "\r\n\r\n");
    std::this_thread::sleep_for(300ms); // then silence: the next wait meets its deadline
    ::close(fd);
  });
  auto c = Client(connect_tcp("127.0.0.1", port, Clock::now() + 2s), "loopback", 2s);
  CHECK(c.version() == "11.0.0");
  c.login("smartroute", "s3cret");
  auto t0 = Clock::now();
  CHECK_FALSE(c.wait_event([](const Message&) { return true; }, Clock::now() + 100ms));
  CHECK(Clock::now() - t0 < 1s);
  server.join();
  ::close(listener);

  // Nobody listens on that port any more.
  CHECK_THROWS_WITH(connect_tcp("127.0.0.1", port, Clock::now() + 2s),
                    Catch::Contains("cannot connect to 127.0.0.1:"));
}
