#include "ami/client.h"

#include "util/error.h"
#include "util/log.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sr::ami {

namespace {

// At most this many unclaimed events are kept; a busy PBX sends many that nobody waits for.
constexpr std::size_t k_max_kept_events = 1000;

int millis_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : int(std::min<long long>(left.count(), 1'000'000'000));
}

std::string seconds(Clock::duration d) {
  return fmt::format("{:g} s", std::chrono::duration<double>(d).count());
}

class TcpTransport final : public Transport {
public:
  explicit TcpTransport(int fd) : m_fd(fd) {}
  ~TcpTransport() override { ::close(m_fd); }

  void write(std::string_view data, Clock::time_point deadline) override {
    while (!data.empty()) {
      auto n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(std::size_t(n));
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        throw Error(fmt::format("cannot send: {}", std::strerror(errno)));
      if (!wait(POLLOUT, deadline))
        throw Error("cannot send: timed out");
    }
  }

  std::optional<std::string> read(Clock::time_point deadline) override {
    for (;;) {
      char buf[4096];
      auto n = ::recv(m_fd, buf, sizeof buf, 0);
      if (n >= 0)
        return std::string(buf, std::size_t(n));
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        throw Error(fmt::format("cannot read: {}", std::strerror(errno)));
      if (!wait(POLLIN, deadline))
        return std::nullopt;
    }
  }

  // Waits until the socket is ready for `events`; false when the deadline passes.
  bool wait(short events, Clock::time_point deadline) {
    for (;;) {
      pollfd p{m_fd, events, 0};
      int r = ::poll(&p, 1, millis_until(deadline));
      if (r > 0)
        return true;
      if (r == 0)
        return false;
      if (errno != EINTR)
        throw Error(fmt::format("poll: {}", std::strerror(errno)));
    }
  }

private:
  int m_fd;
};

std::string summary(const Message& m) {
  std::string out;
  for (auto& [k, v] : m.fields) {
    bool secret = k == "Secret" || k == "secret" || k == "Key";
    out += fmt::format("{}{}: {}", out.empty() ? "" : " | ", k, secret ? "(hidden)" : v);
  }
  return out;
}

} // namespace

std::unique_ptr<Transport> connect_tcp(const std::string& host, int port,
                                       Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  auto service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    throw Error(fmt::format("cannot resolve {}: {}", host, ::gai_strerror(rc)));
  std::string last = "no address";
  for (auto* a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    auto transport = std::make_unique<TcpTransport>(fd);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      ::freeaddrinfo(found);
      return transport;
    }
    if (errno != EINPROGRESS) {
      last = std::strerror(errno);
      continue;
    }
    if (!transport->wait(POLLOUT, deadline)) {
      last = "timed out";
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0) {
      ::freeaddrinfo(found);
      return transport;
    }
    last = std::strerror(err);
  }
  ::freeaddrinfo(found);
  throw Error(fmt::format("cannot connect to {}:{}: {}", host, port, last));
}

Client::Client(std::unique_ptr<Transport> transport, std::string where, Clock::duration timeout)
    : m_transport(std::move(transport)), m_where(std::move(where)), m_timeout(timeout) {
  auto deadline = Clock::now() + m_timeout;
  while (!m_reader.banner()) {
    auto data = m_transport->read(deadline);
    if (!data)
      throw Error(fmt::format("ami: {}: no banner within {} (is it Asterisk's manager port?)",
                              m_where, seconds(m_timeout)));
    if (data->empty())
      throw Error(fmt::format("ami: {}: the connection closed before the banner", m_where));
    m_reader.feed(*data);
    if (auto m = m_reader.take(); m && m->is_event()) // completes the banner
      m_events.push_back(std::move(*m));
    if (!m_reader.error().empty())
      throw Error(fmt::format("ami: {}: {}", m_where, m_reader.error()));
  }
  auto version = banner_version(*m_reader.banner());
  if (!version)
    throw Error(fmt::format("ami: {}: '{}' is not the banner of Asterisk's manager", m_where,
                            m_reader.banner()->substr(0, 60)));
  m_version = *version;
  util::debug(fmt::format("ami: {}: {}", m_where, *m_reader.banner()));
}

std::optional<Message> Client::next(Clock::time_point deadline) {
  for (;;) {
    if (auto m = m_reader.take())
      return m;
    if (!m_reader.error().empty())
      throw Error(fmt::format("ami: {}: {}", m_where, m_reader.error()));
    auto data = m_transport->read(deadline);
    if (!data)
      return std::nullopt;
    if (data->empty())
      throw Error(fmt::format("ami: {}: Asterisk closed the connection", m_where));
    m_reader.feed(*data);
  }
}

Message Client::action(Message action) {
  auto id = fmt::format("smartroute-{}-{}", ::getpid(), ++m_sequence);
  auto name = action.get("Action");
  action.add("ActionID", id);
  util::debug(fmt::format("ami: > {}", summary(action)));
  auto deadline = Clock::now() + m_timeout;
  try {
    m_transport->write(format(action), deadline);
  } catch (const Error& e) {
    throw Error(fmt::format("ami: {}: {}: {}", m_where, name, e.what()));
  }
  for (;;) {
    auto m = next(deadline);
    if (!m)
      throw Error(
          fmt::format("ami: {}: no response to {} within {}", m_where, name, seconds(m_timeout)));
    if (m->is_response() && m->get("ActionID") == id) {
      util::debug(fmt::format("ami: < {}", summary(*m)));
      return *m;
    }
    if (m->is_event()) {
      m_events.push_back(std::move(*m));
      if (m_events.size() > k_max_kept_events)
        m_events.pop_front();
    }
    // A response to another action (none is pending) is dropped.
  }
}

void Client::login(const std::string& user, const std::string& secret) {
  Message m;
  m.add("Action", "Login").add("Username", user).add("Secret", secret);
  auto r = action(std::move(m));
  if (r.get("Response") != "Success")
    throw Error(fmt::format("AMI login failed at {} as '{}': {}", m_where, user,
                            r.get("Message").empty() ? r.get("Response") : r.get("Message")));
}

std::optional<Message> Client::wait_event(const std::function<bool(const Message&)>& match,
                                          Clock::time_point deadline) {
  for (auto it = m_events.begin(); it != m_events.end(); ++it)
    if (match(*it)) {
      Message m = std::move(*it);
      m_events.erase(it);
      return m;
    }
  for (;;) {
    auto m = next(deadline);
    if (!m)
      return std::nullopt;
    if (m->is_event() && match(*m)) {
      util::debug(fmt::format("ami: < {}", summary(*m)));
      return m;
    }
  }
}

void Client::logoff() noexcept {
  try {
    Message m;
    m.add("Action", "Logoff");
    action(std::move(m));
  } catch (...) {
    // Asterisk may close at once; the connection ends with this client either way.
  }
}

OriginateResult originate(Client& client, const Originate& request, Clock::time_point deadline) {
  Message m;
  m.add("Action", "Originate")
      .add("Channel", request.channel)
      .add("Application", request.application)
      .add("Data", request.data)
      .add("CallerID", request.caller_id)
      .add("Timeout", std::to_string(request.timeout.count()))
      .add("Async", "true");
  auto r = client.action(std::move(m));
  auto id = r.get("ActionID");
  if (r.get("Response") != "Success")
    throw Error(fmt::format("ami: {}: Originate refused: {}", client.where(),
                            r.get("Message").empty() ? r.get("Response") : r.get("Message")));
  auto event = client.wait_event(
      [&](const Message& e) {
        return e.get("Event") == "OriginateResponse" && e.get("ActionID") == id;
      },
      deadline);
  if (!event)
    throw Error(fmt::format("ami: {}: no OriginateResponse for {} in time (does the AMI user "
                            "have 'read = call'?)",
                            client.where(), request.channel));
  OriginateResult out;
  out.success = event->get("Response") == "Success";
  auto reason = event->get("Reason");
  out.reason = reason.empty() ? -1 : std::atoi(reason.c_str());
  out.channel = event->get("Channel");
  out.uniqueid = event->get("Uniqueid");
  return out;
}

std::string reason_text(int reason) {
  switch (reason) {
  case 0:
    return "the channel could not be called (no such extension or device)";
  case 1:
    return "hung up before answering";
  case 3:
    return "rang, but nobody answered in time";
  case 4:
    return "answered";
  case 5:
    return "busy";
  case 8:
    return "congestion (unreachable or unavailable)";
  default:
    return fmt::format("reason {}", reason);
  }
}

} // namespace sr::ami
