#include "agi/server.h"

#include "agi/protocol.h"
#include "agi/router.h"
#include "store/call_log.h"
#include "store/store.h"
#include "util/error.h"
#include "util/time.h"

#include <fmt/format.h>

#include <array>
#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <variant>

namespace sr::agi {

namespace {

using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Verbs as named constants: GCC 12 miscompiles string literals inside co_await expressions.
constexpr std::string_view k_set_variable = "SET VARIABLE";
constexpr std::string_view k_stream_file = "STREAM FILE";
constexpr std::string_view k_wait_for_digit = "WAIT FOR DIGIT";
constexpr auto k_header_deadline = 2s;
constexpr auto k_command_deadline = 5s;
constexpr auto k_hangup_grace = 500ms;
constexpr auto k_session_deadline = 300s;

void log_line(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

// What every session shares: the router (replaced on SIGHUP), counters, the call log queue.
struct Shared {
  std::shared_ptr<Router> router;
  config::Config config;
  int active = 0;
  bool stopping = false;
  std::vector<store::CallRow> pending;
  std::unique_ptr<store::Database> log_db; // the call log, a file of its own
};

// Why a session ended early.
struct Ended {
  enum Kind { hangup, timeout, peer, protocol } kind;
  std::string why;
};

class Session {
public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : m_socket(std::move(socket)), m_shared(std::move(shared)), m_router(m_shared->router),
        m_started(Clock::now()) {}

  awaitable<void> run();

private:
  awaitable<void> read_header();
  awaitable<Reply> send(const std::string& line, std::chrono::milliseconds deadline);
  awaitable<void> set(const std::string& name, const std::string& value);
  // Plays a fragment; returns the digit pressed ('\0' for none).
  awaitable<char> play(const Playable& p, const std::string& digits);
  // Whether the caller has gone: a HANGUP line or the end of the session within `grace`.
  awaitable<bool> gone(std::chrono::milliseconds grace);
  awaitable<void> flow();
  void finish();

  tcp::socket m_socket;
  std::shared_ptr<Shared> m_shared;
  std::shared_ptr<Router> m_router;
  Clock::time_point m_started;
  HeaderParser m_header;
  ReplyReader m_reader;
  std::string m_leftover; // bytes after the header
  store::CallRow m_rec;
  std::string m_client_key, m_employee_key; // for SET VARIABLE and the log line
};

awaitable<void> Session::read_header() {
  std::array<char, 4096> buf;
  auto deadline = Clock::now() + k_header_deadline;
  asio::steady_timer timer(m_socket.get_executor());
  while (m_header.state() == HeaderParser::State::more) {
    timer.expires_at(deadline);
    auto r = co_await (m_socket.async_read_some(asio::buffer(buf), use_awaitable) ||
                       timer.async_wait(use_awaitable));
    if (r.index() == 1)
      throw Ended{Ended::timeout, "header not complete within 2 s"};
    auto n = std::get<0>(r);
    std::string_view data(buf.data(), n);
    auto used = m_header.feed(data);
    if (m_header.state() == HeaderParser::State::done)
      m_leftover.assign(data.substr(used));
  }
  if (m_header.state() == HeaderParser::State::error)
    throw Ended{Ended::protocol, m_header.error()};
  m_reader.feed(m_leftover);
}

awaitable<Reply> Session::send(const std::string& line, std::chrono::milliseconds deadline) {
  co_await asio::async_write(m_socket, asio::buffer(line), use_awaitable);
  std::array<char, 4096> buf;
  asio::steady_timer timer(m_socket.get_executor());
  auto until = std::min(Clock::now() + deadline, m_started + k_session_deadline);
  for (;;) {
    if (auto reply = m_reader.take())
      co_return *reply;
    if (!m_reader.error().empty())
      throw Ended{Ended::protocol, m_reader.error()};
    timer.expires_at(until);
    auto r = co_await (m_socket.async_read_some(asio::buffer(buf), use_awaitable) ||
                       timer.async_wait(use_awaitable));
    if (r.index() == 1)
      throw Ended{Ended::timeout, fmt::format("no reply to '{}'", line.substr(0, line.find(' ')))};
    m_reader.feed(std::string_view(buf.data(), std::get<0>(r)));
  }
}

// The argument lists are built outside co_await expressions: GCC 12 cannot place an
// initializer_list's array in a coroutine frame.
std::string set_variable(const std::string& name, const std::string& value) {
  std::vector<std::string> args;
  args.push_back(name);
  args.push_back(value);
  return command(k_set_variable, args);
}

std::string stream_file(const std::string& file, const std::string& digits) {
  std::vector<std::string> args;
  args.push_back(file);
  args.push_back(digits);
  return command(k_stream_file, args);
}

std::string wait_for_digit(long ms) {
  std::vector<std::string> args;
  args.push_back(std::to_string(ms));
  return command(k_wait_for_digit, args);
}

awaitable<void> Session::set(const std::string& name, const std::string& value) {
  auto reply = co_await send(set_variable(name, value), k_command_deadline);
  if (!reply.ok())
    throw Ended{Ended::protocol, "SET VARIABLE: " + reply.text};
}

awaitable<char> Session::play(const Playable& p, const std::string& digits) {
  auto deadline = std::chrono::milliseconds(long(p.seconds * 1000)) + k_command_deadline;
  auto reply = co_await send(stream_file(p.file, digits),
                             std::chrono::duration_cast<std::chrono::milliseconds>(deadline));
  if (reply.code == 511 || m_reader.hung_up())
    throw Ended{Ended::hangup, "caller hung up"};
  auto v = reply.number();
  // A hangup during playback is "200 result=-1" too, and Asterisk sends its HANGUP line
  // (then, with AGIEXITONHANGUP, closes) only after that reply; a file it cannot play is
  // "200 result=-1" on a channel that stays up.
  if (reply.ok() && v == -1) {
    bool left = co_await gone(k_hangup_grace);
    if (left)
      throw Ended{Ended::hangup, "caller hung up"};
  }
  if (!reply.ok() || v < 0)
    throw Ended{Ended::protocol, "STREAM FILE failed: " + reply.text};
  co_return v > 0 ? char(v) : '\0';
}

awaitable<bool> Session::gone(std::chrono::milliseconds grace) {
  std::array<char, 4096> buf;
  asio::steady_timer timer(m_socket.get_executor());
  timer.expires_after(grace);
  while (!m_reader.hung_up()) {
    try {
      auto r = co_await (m_socket.async_read_some(asio::buffer(buf), use_awaitable) ||
                         timer.async_wait(use_awaitable));
      if (r.index() == 1)
        co_return false;
      m_reader.feed(std::string_view(buf.data(), std::get<0>(r)));
    } catch (const std::system_error&) {
      co_return true; // end of file or reset: Asterisk has closed the session
    }
  }
  co_return true;
}

awaitable<void> Session::flow() {
  auto& cfg = m_router->config();
  auto fallback = cfg.routing.default_number.empty() ? cfg.routing.emergency_number
                                                     : cfg.routing.default_number;
  // Whatever happens next, the call has a destination.
  co_await set("SMARTROUTE_TARGET", fallback);
  m_rec.target = fallback;
  auto call = m_router->plan(m_rec.caller, util::now());
  auto& plan = call.plan;
  m_client_key = call.client_key;
  m_rec.client = call.client_id;
  m_rec.mode = std::string(ivr::mode_name(plan.mode));
  std::string digits;
  std::vector<const ivr::Option*> offered;
  for (auto& o : plan.options) {
    // An option is offered only if its own "press" fragment can be played.
    for (auto& p : call.playables)
      if (p.fragment->id == "press" && p.fragment->digit == o.digit && !p.file.empty()) {
        digits += char('0' + o.digit);
        offered.push_back(&o);
        m_rec.offered += (m_rec.offered.empty() ? "" : ",") + o.employee->key;
      }
  }
  auto target_of = [&](const scoring::Employee* e) { return e->extension; };
  auto result = [&](std::string r, std::string target, const scoring::Employee* e) {
    m_rec.result = std::move(r);
    m_rec.target = std::move(target);
    m_employee_key = e ? e->key : "";
    m_rec.employee = e ? std::optional<std::int64_t>(e->id) : std::nullopt;
  };
  bool menu = !plan.options.empty();
  if (plan.mode == ivr::Mode::direct) {
    auto connecting = std::find_if(call.playables.begin(), call.playables.end(),
                                   [](auto& p) { return p.fragment->id == "connecting"; });
    if (connecting == call.playables.end() || connecting->file.empty()) {
      result("emergency", cfg.routing.emergency_number, nullptr);
      m_rec.reason = "direct-mode phrase not cached";
    } else {
      for (auto& p : call.playables)
        if (!p.file.empty())
          co_await play(p, "");
      result("direct", target_of(plan.direct), plan.direct);
    }
  } else if (menu && offered.empty()) {
    result("emergency", cfg.routing.emergency_number, nullptr);
    m_rec.reason = "no option of the menu is cached";
  } else if (!menu) {
    for (auto& p : call.playables)
      if (!p.file.empty())
        co_await play(p, "");
    result("default", fallback, nullptr);
  } else {
    int invalid = 0;
    result("default", fallback, nullptr);
    for (int round = 0; round < cfg.routing.repeats; ++round) {
      char digit = '\0';
      if (round > 0) // a digit pressed during "repeat" is a choice like any other
        if (auto p = m_router->prompt("repeat"); !p.file.empty())
          digit = co_await play(p, digits);
      for (auto& p : call.playables) {
        if (digit != '\0')
          break;
        if (p.file.empty() || (p.fragment->id == "press" &&
                               digits.find(char('0' + p.fragment->digit)) == std::string::npos))
          continue;
        if ((digit = co_await play(p, digits)) != '\0')
          break;
      }
      if (digit == '\0') {
        auto ms = cfg.routing.digit_timeout.seconds * 1000;
        auto reply = co_await send(wait_for_digit(long(ms)),
                                   std::chrono::milliseconds(ms) + k_command_deadline);
        if (reply.code == 511 || m_reader.hung_up() || reply.number() < 0)
          throw Ended{Ended::hangup, "caller hung up"};
        digit = char(reply.number(0));
      }
      if (digit == '\0')
        continue; // silence: repeat, then the default number
      m_rec.choice += digit;
      auto chosen = std::find_if(offered.begin(), offered.end(),
                                 [&](auto* o) { return char('0' + o->digit) == digit; });
      if (chosen != offered.end()) {
        result("selected", target_of((*chosen)->employee), (*chosen)->employee);
        break;
      }
      if (auto p = m_router->prompt("invalid"); !p.file.empty())
        co_await play(p, "");
      if (++invalid >= cfg.routing.max_invalid)
        break;
      --round; // an invalid digit does not use up a repetition…
      if (invalid + round >= cfg.routing.repeats + cfg.routing.max_invalid)
        break; // …but the menu never loops forever
    }
  }
  co_await set("SMARTROUTE_TARGET", m_rec.target);
  co_await set("SMARTROUTE_RESULT", m_rec.result);
  co_await set("SMARTROUTE_EMPLOYEE", m_employee_key);
  co_await set("SMARTROUTE_CLIENT", m_client_key);
}

awaitable<void> Session::run() {
  m_rec.started_at = util::now();
  bool emergency = false;
  try {
    co_await read_header();
    m_rec.uniqueid = m_header.get("agi_uniqueid");
    // The dialplan passes the caller as the first argument; agi_callerid otherwise.
    m_rec.caller = m_header.get("agi_arg_1");
    if (m_rec.caller.empty())
      m_rec.caller = m_header.get("agi_callerid");
    co_await flow();
  } catch (const Ended& e) {
    m_rec.reason = e.why;
    if (e.kind == Ended::hangup)
      m_rec.result = "hangup";
    else
      emergency = true;
  } catch (const std::exception& e) { // a store that cannot be read, memory…
    m_rec.reason = e.what();
    emergency = true;
  }
  // Any failure after the header: the emergency number, if the channel still listens, sent
  // in lock-step like every other command (a coroutine cannot co_await inside a handler).
  if (emergency && m_header.state() == HeaderParser::State::done) {
    m_rec.result = "emergency";
    m_rec.target = m_router->config().routing.emergency_number;
    try {
      co_await set("SMARTROUTE_TARGET", m_rec.target);
      co_await set("SMARTROUTE_RESULT", "emergency");
    } catch (...) {
      // The channel is gone or mute: the target set first still routes the call.
    }
  }
  finish();
}

void Session::finish() {
  asio::error_code ec;
  m_socket.shutdown(tcp::socket::shutdown_both, ec);
  m_socket.close(ec);
  m_rec.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_started).count();
  if (m_header.state() != HeaderParser::State::done) {
    log_line(fmt::format("event=rejected reason=\"{}\"", m_rec.reason));
    return;
  }
  log_line(fmt::format(
      "event=call uniqueid={} caller={} client={} mode={} offered={} choice={} "
      "result={} target={} employee={} ms={}{}",
      m_rec.uniqueid, m_rec.caller.empty() ? "-" : m_rec.caller,
      m_client_key.empty() ? "-" : m_client_key, m_rec.mode.empty() ? "-" : m_rec.mode,
      m_rec.offered.empty() ? "-" : m_rec.offered, m_rec.choice.empty() ? "-" : m_rec.choice,
      m_rec.result, m_rec.target, m_employee_key.empty() ? "-" : m_employee_key, m_rec.duration_ms,
      m_rec.reason.empty() ? "" : fmt::format(" reason=\"{}\"", m_rec.reason)));
  m_shared->pending.push_back(std::move(m_rec));
}

// Writes finished calls to call_log in batches, off the per-call path.
awaitable<void> flush_log(std::shared_ptr<Shared> shared) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(200ms);
    co_await timer.async_wait(use_awaitable);
    if (shared->pending.empty() || !shared->log_db) {
      if (shared->stopping && shared->active == 0)
        co_return;
      continue;
    }
    try {
      store::append_calls(*shared->log_db, shared->pending);
    } catch (const std::exception& e) {
      log_line(fmt::format("event=call_log_error error=\"{}\"", e.what()));
    }
    shared->pending.clear();
  }
}

bool allowed(const tcp::endpoint& peer, const std::vector<std::string>& allow) {
  auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  for (auto& a : allow) {
    asio::error_code ec;
    auto allowed = asio::ip::make_address(a, ec);
    if (!ec && allowed == address)
      return true;
  }
  return false;
}

awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<Shared> shared) {
  auto executor = co_await asio::this_coro::executor;
  while (!shared->stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::experimental::as_tuple(use_awaitable));
    if (ec) {
      if (shared->stopping)
        co_return;
      continue;
    }
    asio::error_code peer_ec;
    auto peer = socket.remote_endpoint(peer_ec);
    if (peer_ec || !allowed(peer, shared->config.agi.allow)) {
      log_line(fmt::format("event=refused peer={}", peer_ec ? "?" : peer.address().to_string()));
      continue; // closing the socket is the answer
    }
    if (shared->active >= shared->config.agi.max_sessions) {
      // Overloaded: never leave an accepted socket idle; route to the default at once.
      auto& r = shared->config.routing;
      asio::error_code ignored;
      asio::write(socket,
                  asio::buffer(set_variable("SMARTROUTE_TARGET", r.default_number.empty()
                                                                     ? r.emergency_number
                                                                     : r.default_number)),
                  ignored);
      log_line("event=overloaded result=default");
      continue;
    }
    ++shared->active;
    asio::co_spawn(
        executor,
        [socket = std::move(socket), shared]() mutable -> awaitable<void> {
          Session s(std::move(socket), shared);
          co_await s.run();
          --shared->active;
        },
        asio::detached);
  }
}

} // namespace

int serve(const config::Config& initial, const ServeOptions& options) {
  asio::io_context io(1);
  auto shared = std::make_shared<Shared>();
  shared->config = initial;
  shared->router = std::make_shared<Router>(initial);
  shared->log_db = store::open_call_log(initial, store::Access::read_write);

  auto address = asio::ip::make_address(initial.agi.listen);
  tcp::endpoint endpoint(address, static_cast<unsigned short>(initial.agi.port));
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  asio::error_code ec;
  acceptor.bind(endpoint, ec);
  if (ec)
    throw Error(fmt::format("serve-agi: cannot listen on {}:{}: {}", initial.agi.listen,
                            initial.agi.port, ec.message()));
  acceptor.listen(asio::socket_base::max_listen_connections);
  log_line(fmt::format("event=listening address={} port={} store={} cache={} call_log={}",
                       initial.agi.listen, acceptor.local_endpoint().port(),
                       initial.database_path().string(), initial.cache_path().string(),
                       initial.call_log_path().string()));

  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& e,
                                                                    int signo) {
    if (e)
      return;
    if (signo == SIGHUP) {
      try {
        auto fresh =
            config::load(config::locate(options.config_file), config::Overrides{options.state_dir});
        auto router = std::make_shared<Router>(fresh);
        if (fresh.call_log_path() != shared->config.call_log_path()) {
          auto log_db = store::open_call_log(fresh, store::Access::read_write);
          if (shared->log_db && !shared->pending.empty()) // the calls so far go to the old file
            store::append_calls(*shared->log_db, shared->pending);
          shared->pending.clear();
          shared->log_db = std::move(log_db);
        }
        shared->router = std::move(router);
        shared->config = fresh;
        log_line("event=reloaded");
      } catch (const std::exception& ex) {
        log_line(fmt::format("event=reload_failed error=\"{}\" (keeping the old "
                             "configuration)",
                             ex.what()));
      }
      signals.async_wait(on_signal);
      return;
    }
    log_line(fmt::format("event=stopping active={}", shared->active));
    shared->stopping = true;
    acceptor.close();
    auto drain = std::make_shared<asio::steady_timer>(io);
    auto deadline = Clock::now() + std::chrono::milliseconds(long(options.drain_seconds * 1000));
    std::function<void(const asio::error_code&)> wait = [&, drain, deadline](auto&) {
      if (shared->active == 0 || Clock::now() >= deadline) {
        io.stop();
        return;
      }
      drain->expires_after(50ms);
      drain->async_wait(wait);
    };
    drain->expires_after(0ms);
    drain->async_wait(wait);
  };
  signals.async_wait(on_signal);
  asio::co_spawn(io, accept_loop(acceptor, shared), asio::detached);
  asio::co_spawn(io, flush_log(shared), asio::detached);
  io.run();
  // Whatever is still queued reaches the call log.
  if (!shared->pending.empty() && shared->log_db) {
    try {
      store::append_calls(*shared->log_db, shared->pending);
    } catch (const std::exception& e) {
      log_line(fmt::format("event=call_log_error error=\"{}\"", e.what()));
    }
  }
  log_line("event=stopped");
  return 0;
}

} // namespace sr::agi
