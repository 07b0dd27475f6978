#include "agi/server.h"

#include "agi/protocol.h"
#include "agi/router.h"
#include "store/call_log.h"
#include "util/error.h"
#include "util/time.h"

#include <fmt/format.h>

#include <array>
#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace sr::agi {

namespace {

using asio::awaitable;
using asio::use_awaitable;
using asio::experimental::as_tuple;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Verbs as named constants: GCC 12 miscompiles string literals inside co_await expressions.
constexpr std::string_view k_set_variable = "SET VARIABLE";
constexpr std::string_view k_stream_file = "STREAM FILE";
constexpr std::string_view k_wait_for_digit = "WAIT FOR DIGIT";
constexpr std::array<std::string_view, 3> k_header_keys = {"agi_uniqueid", "agi_arg_1",
                                                           "agi_callerid"};
constexpr auto k_header_deadline = 2s;
constexpr auto k_command_deadline = 5s;
constexpr auto k_hangup_grace = 500ms;
constexpr auto k_session_deadline = 300s;

// The log: one line per event on stderr. The lines of one turn of the event loop are written
// together, in one write(2) once the turn's handlers have run, instead of one per line.
class Log {
public:
  void attach(asio::io_context* io) {
    m_io = io;
    flush();
  }
  template <class... Args> void line(fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(m_buffer), format, std::forward<Args>(args)...);
    m_buffer.push_back('\n');
    if (!m_io) {
      flush();
    } else if (!m_scheduled) {
      m_scheduled = true;
      asio::post(*m_io, [this] { flush(); });
    }
  }
  void flush() {
    m_scheduled = false;
    std::size_t done = 0;
    while (done < m_buffer.size()) {
      auto n = ::write(STDERR_FILENO, m_buffer.data() + done, m_buffer.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break; // stderr is gone: nothing else to tell
      done += std::size_t(n);
    }
    m_buffer.clear();
    if (m_buffer.capacity() > 256 * 1024)
      m_buffer.shrink_to_fit(); // after a burst
  }

private:
  std::string m_buffer;
  bool m_scheduled = false;
  asio::io_context* m_io = nullptr;
};

Log g_log;

// Writes the call log on a thread of its own: the event loop hands over batches, so SQLite's
// commits and checkpoints (with an fsync now and then) never hold up a call. The rows queued
// before a reopen() go to the file that was open when they were queued.
class CallLogThread {
public:
  explicit CallLogThread(std::unique_ptr<store::CallLogWriter> writer)
      : m_writer(std::move(writer)), m_thread([this] { loop(); }) {}
  ~CallLogThread() { // writes everything queued first
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_one();
    m_thread.join();
  }
  CallLogThread(const CallLogThread&) = delete;
  CallLogThread& operator=(const CallLogThread&) = delete;

  void push(std::vector<store::CallRow> rows) {
    if (rows.empty())
      return;
    {
      std::lock_guard lock(m_mutex);
      m_jobs.push_back({std::move(rows), nullptr});
    }
    m_wake.notify_one();
  }
  void reopen(std::unique_ptr<store::CallLogWriter> writer) {
    {
      std::lock_guard lock(m_mutex);
      m_jobs.push_back({{}, std::move(writer)});
    }
    m_wake.notify_one();
  }

private:
  struct Job {
    std::vector<store::CallRow> rows;
    std::unique_ptr<store::CallLogWriter> writer; // set: switch to it
  };
  void loop() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      m_wake.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
      if (m_jobs.empty())
        return; // stopping, and everything is written
      auto jobs = std::move(m_jobs);
      m_jobs.clear();
      lock.unlock();
      for (auto& job : jobs) {
        if (job.writer) {
          m_writer = std::move(job.writer);
          continue;
        }
        try {
          m_writer->append(job.rows);
        } catch (const std::exception& e) {
          // Not through the event loop's log (it is not thread-safe): one write of one line.
          auto line = fmt::format("event=call_log_error error=\"{}\"\n", e.what());
          [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
        }
      }
      lock.lock();
    }
  }

  std::unique_ptr<store::CallLogWriter> m_writer; // used by the thread only
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<Job> m_jobs;
  bool m_stop = false;
  std::thread m_thread; // last: starts once the rest is built
};

// What every session shares: the router (replaced on SIGHUP), counters, the call log queue.
struct Shared {
  std::shared_ptr<Router> router;
  config::Config config;
  int active = 0;
  bool stopping = false;
  bool no_mset = false; // Asterisk answered "no such application": SET VARIABLE one by one
  std::vector<store::CallRow> pending;
  std::unique_ptr<CallLogThread> log; // the call log, a file of its own
};

// Why a session ended early.
struct Ended {
  enum Kind { hangup, timeout, peer, protocol } kind;
  std::string why;
};

// One call. Its socket is non-blocking; one timer per session enforces whichever deadline
// is current (header, reply, hangup grace, the whole session) by cancelling the socket's
// pending operation, so waiting for a reply is a single read and nothing throws on the
// normal path.
class Session : public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : m_socket(std::move(socket)), m_timer(m_socket.get_executor()), m_shared(std::move(shared)),
        m_router(m_shared->router), m_started(Clock::now()) {}

  awaitable<void> run();

private:
  // The current step must end by `at` (never after the session's own deadline); `what`
  // says what was late, for the log.
  void deadline(Clock::time_point at, const char* what);
  void arm(Clock::time_point at);
  void on_timer();
  Ended ended_by(const asio::error_code& ec) const;
  awaitable<void> read_header();
  awaitable<Reply> send(const std::string& line, std::chrono::milliseconds limit, const char* what);
  awaitable<void> set(const std::string& name, const std::string& value);
  awaitable<void> set(std::span<const Variable> vars);
  // Plays a fragment; returns the digit pressed ('\0' for none).
  awaitable<char> play(const Playable& p, const std::string& digits);
  // Whether the caller has gone: a HANGUP line or the end of the session within `grace`.
  awaitable<bool> gone(std::chrono::milliseconds grace);
  awaitable<void> flow();
  void finish();

  tcp::socket m_socket;
  asio::steady_timer m_timer;
  std::shared_ptr<Shared> m_shared;
  std::shared_ptr<Router> m_router;
  Clock::time_point m_started;
  Clock::time_point m_deadline;
  Clock::time_point m_timer_at; // when the pending wait of m_timer ends
  const char* m_late = "";      // what the current deadline is for
  bool m_timer_armed = false;
  bool m_expired = false; // the deadline passed and the socket's operation was cancelled
  bool m_closed = false;
  bool m_header_done = false;
  ReplyReader m_reader;
  store::CallRow m_rec;
  std::string m_client_key, m_employee_key; // for SET VARIABLE and the log line
  std::array<char, 256> m_buffer;           // replies are short; a long one takes more reads
};

void Session::deadline(Clock::time_point at, const char* what) {
  m_deadline = std::min(at, m_started + k_session_deadline);
  m_late = what;
  m_expired = false;
  // A later deadline keeps the pending wait: when it ends, on_timer waits on.
  if (!m_timer_armed || m_deadline < m_timer_at)
    arm(m_deadline);
}

void Session::arm(Clock::time_point at) {
  m_timer_at = at;
  m_timer_armed = true;
  m_timer.expires_at(at); // a pending wait ends with operation_aborted
  m_timer.async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (!ec)
      self->on_timer();
  });
}

void Session::on_timer() {
  m_timer_armed = false;
  if (m_closed)
    return;
  if (Clock::now() < m_deadline) {
    arm(m_deadline);
    return;
  }
  m_expired = true;
  asio::error_code ignored;
  m_socket.cancel(ignored); // the read (or write) in progress ends with operation_aborted
}

Ended Session::ended_by(const asio::error_code& ec) const {
  if (m_expired)
    return Ended{Ended::timeout, m_late};
  return Ended{Ended::peer, ec == asio::error::eof ? std::string("connection closed")
                                                   : "connection lost: " + ec.message()};
}

awaitable<void> Session::read_header() {
  deadline(Clock::now() + k_header_deadline, "header not complete within 2 s");
  // The header's buffer and parser live only until the header is read.
  std::array<char, 2048> buffer;
  HeaderParser header(k_header_keys);
  while (header.state() == HeaderParser::State::more) {
    auto [ec, n] = co_await m_socket.async_read_some(asio::buffer(buffer), as_tuple(use_awaitable));
    if (ec)
      throw ended_by(ec);
    std::string_view data(buffer.data(), n);
    auto used = header.feed(data);
    if (header.state() == HeaderParser::State::done)
      m_reader.feed(data.substr(used));
  }
  if (header.state() == HeaderParser::State::error)
    throw Ended{Ended::protocol, header.error()};
  m_header_done = true;
  m_rec.uniqueid = header.get("agi_uniqueid");
  // The dialplan passes the caller as the first argument; agi_callerid otherwise.
  m_rec.caller = header.get("agi_arg_1");
  if (m_rec.caller.empty())
    m_rec.caller = header.get("agi_callerid");
}

awaitable<Reply> Session::send(const std::string& line, std::chrono::milliseconds limit,
                               const char* what) {
  deadline(Clock::now() + limit, what);
  // A command is a few hundred bytes: it goes out at once unless the socket is full.
  asio::error_code ec;
  auto sent = m_socket.write_some(asio::buffer(line), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again)
    ec = {};
  if (ec)
    throw ended_by(ec);
  if (sent < line.size()) {
    auto [wec, n] = co_await asio::async_write(
        m_socket, asio::buffer(line.data() + sent, line.size() - sent), as_tuple(use_awaitable));
    if (wec)
      throw ended_by(wec);
  }
  for (;;) {
    if (auto reply = m_reader.take())
      co_return std::move(*reply);
    if (!m_reader.error().empty())
      throw Ended{Ended::protocol, m_reader.error()};
    auto [rec, n] =
        co_await m_socket.async_read_some(asio::buffer(m_buffer), as_tuple(use_awaitable));
    if (rec)
      throw ended_by(rec);
    m_reader.feed(std::string_view(m_buffer.data(), n));
  }
}

// The commands are built outside co_await expressions: GCC 12 cannot place an
// initializer_list's array in a coroutine frame.
std::string set_variable(std::string_view name, std::string_view value) {
  std::array<std::string_view, 2> args = {name, value};
  return command(k_set_variable, args);
}

std::string stream_file(std::string_view file, std::string_view digits) {
  std::array<std::string_view, 2> args = {file, digits};
  return command(k_stream_file, args);
}

std::string wait_for_digit(long ms) {
  auto text = std::to_string(ms);
  std::array<std::string_view, 1> args = {text};
  return command(k_wait_for_digit, args);
}

awaitable<void> Session::set(const std::string& name, const std::string& value) {
  auto reply =
      co_await send(set_variable(name, value), k_command_deadline, "no reply to 'SET VARIABLE'");
  if (!reply.ok())
    throw Ended{Ended::protocol, "SET VARIABLE: " + reply.text};
}

// The call's outcome in one round trip (EXEC MSet) when every value is plain, else one
// SET VARIABLE each; the target goes first either way.
awaitable<void> Session::set(std::span<const Variable> vars) {
  if (!m_shared->no_mset)
    if (auto line = set_variables(vars)) {
      auto reply = co_await send(*line, k_command_deadline, "no reply to 'EXEC MSet'");
      if (reply.ok() && reply.number() == 0)
        co_return;
      if (!reply.ok() || reply.number() != -2)
        throw Ended{Ended::protocol, "EXEC MSet: " + reply.text};
      m_shared->no_mset = true; // an Asterisk without MSet: never ask again
      g_log.line("event=warning reason=\"Asterisk has no MSet application; setting the "
                 "variables one by one\"");
    }
  for (auto& v : vars) {
    std::string name(v.name), value(v.value);
    co_await set(name, value);
  }
}

awaitable<char> Session::play(const Playable& p, const std::string& digits) {
  auto limit = std::chrono::milliseconds(long(p.seconds * 1000)) + k_command_deadline;
  auto reply = co_await send(stream_file(p.file, digits), limit, "no reply to 'STREAM FILE'");
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
  deadline(Clock::now() + grace, "");
  while (!m_reader.hung_up()) {
    auto [ec, n] =
        co_await m_socket.async_read_some(asio::buffer(m_buffer), as_tuple(use_awaitable));
    if (ec && m_expired)
      co_return false; // the grace ran out and the channel is still there
    if (ec)
      co_return true; // end of file or reset: Asterisk has closed the session
    m_reader.feed(std::string_view(m_buffer.data(), n));
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
  auto& plan = call;
  m_client_key = call.client_key;
  m_rec.client = call.client_id;
  m_rec.mode = std::string(ivr::mode_name(plan.mode));
  // What is played and offered: the rules `preview` renders too.
  auto first = first_round(call);
  const auto& digits = first.digits;
  for (auto* o : first.offered)
    m_rec.offered += (m_rec.offered.empty() ? "" : ",") + o->employee->key;
  auto target_of = [&](const scoring::Employee* e) { return e->extension; };
  auto result = [&](std::string r, std::string target, const scoring::Employee* e) {
    m_rec.result = std::move(r);
    m_rec.target = std::move(target);
    m_employee_key = e ? e->key : "";
    m_rec.employee = e ? std::optional<std::int64_t>(e->id) : std::nullopt;
  };
  bool menu = !plan.options.empty();
  if (!first.emergency.empty()) {
    result("emergency", cfg.routing.emergency_number, nullptr);
    m_rec.reason = first.emergency;
  } else if (plan.mode == ivr::Mode::direct) {
    for (auto* p : first.played)
      co_await play(*p, "");
    result("direct", target_of(plan.direct), plan.direct);
  } else if (!menu) {
    for (auto* p : first.played)
      co_await play(*p, "");
    result("default", fallback, nullptr);
  } else {
    int invalid = 0;
    result("default", fallback, nullptr);
    for (int round = 0; round < cfg.routing.repeats; ++round) {
      char digit = '\0';
      if (round > 0) // a digit pressed during "repeat" is a choice like any other
        if (auto p = m_router->prompt("repeat"); !p.file.empty())
          digit = co_await play(p, digits);
      for (auto* p : first.played) {
        if (digit != '\0')
          break;
        if ((digit = co_await play(*p, digits)) != '\0')
          break;
      }
      if (digit == '\0') {
        auto ms = cfg.routing.digit_timeout.seconds * 1000;
        auto reply = co_await send(wait_for_digit(long(ms)),
                                   std::chrono::milliseconds(ms) + k_command_deadline,
                                   "no reply to 'WAIT FOR DIGIT'");
        if (reply.code == 511 || m_reader.hung_up() || reply.number() < 0)
          throw Ended{Ended::hangup, "caller hung up"};
        digit = char(reply.number(0));
      }
      if (digit == '\0')
        continue; // silence: repeat, then the default number
      m_rec.choice += digit;
      auto chosen = std::find_if(first.offered.begin(), first.offered.end(),
                                 [&](auto* o) { return char('0' + o->digit) == digit; });
      if (chosen != first.offered.end()) {
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
  std::array<Variable, 4> outcome = {{{"SMARTROUTE_TARGET", m_rec.target},
                                      {"SMARTROUTE_RESULT", m_rec.result},
                                      {"SMARTROUTE_EMPLOYEE", m_employee_key},
                                      {"SMARTROUTE_CLIENT", m_client_key}}};
  co_await set(outcome);
}

awaitable<void> Session::run() {
  m_rec.started_at = util::now();
  bool emergency = false;
  try {
    co_await read_header();
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
  if (emergency && m_header_done) {
    m_rec.result = "emergency";
    m_rec.target = m_router->config().routing.emergency_number;
    try {
      std::array<Variable, 2> outcome = {
          {{"SMARTROUTE_TARGET", m_rec.target}, {"SMARTROUTE_RESULT", m_rec.result}}};
      co_await set(outcome);
    } catch (...) {
      // The channel is gone or mute: the target set first still routes the call.
    }
  }
  finish();
}

void Session::finish() {
  m_closed = true;
  asio::error_code ec;
  m_timer.cancel(ec);
  m_socket.close(ec); // the FIN: Asterisk sees the end of the session
  m_rec.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_started).count();
  if (!m_header_done) {
    g_log.line("event=rejected reason=\"{}\"", m_rec.reason);
    return;
  }
  auto dash = [](const std::string& v) {
    return v.empty() ? std::string_view("-") : std::string_view(v);
  };
  bool probe = m_rec.uniqueid.starts_with(k_probe_uniqueid_prefix);
  if (m_rec.reason.empty())
    g_log.line("event={} uniqueid={} caller={} client={} mode={} offered={} choice={} "
               "result={} target={} employee={} ms={}",
               probe ? "probe" : "call", m_rec.uniqueid, dash(m_rec.caller), dash(m_client_key),
               dash(m_rec.mode), dash(m_rec.offered), dash(m_rec.choice), m_rec.result,
               m_rec.target, dash(m_employee_key), m_rec.duration_ms);
  else
    g_log.line("event={} uniqueid={} caller={} client={} mode={} offered={} choice={} "
               "result={} target={} employee={} ms={} reason=\"{}\"",
               probe ? "probe" : "call", m_rec.uniqueid, dash(m_rec.caller), dash(m_client_key),
               dash(m_rec.mode), dash(m_rec.offered), dash(m_rec.choice), m_rec.result,
               m_rec.target, dash(m_employee_key), m_rec.duration_ms, m_rec.reason);
  if (!probe)
    m_shared->pending.push_back(std::move(m_rec));
}

awaitable<void> run_session(std::shared_ptr<Session> session, std::shared_ptr<Shared> shared) {
  co_await session->run();
  --shared->active;
}

// Writes finished calls to the call log in batches, off the per-call path.
awaitable<void> flush_log(std::shared_ptr<Shared> shared) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(200ms);
    co_await timer.async_wait(use_awaitable);
    if (shared->pending.empty()) {
      if (shared->stopping && shared->active == 0)
        co_return;
      continue;
    }
    shared->log->push(std::move(shared->pending));
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

// Over the session cap: the answer, then the end of the session. The socket is closed only
// once the peer has closed its side (or after 2 s): closing it with the header unread would
// reset the connection, and a reset can discard the answer before Asterisk reads it.
awaitable<void> turn_away(std::shared_ptr<tcp::socket> socket, std::string answer) {
  asio::error_code ec;
  asio::write(*socket, asio::buffer(answer), ec); // a few bytes into an empty socket buffer
  socket->shutdown(tcp::socket::shutdown_send, ec);
  asio::steady_timer timer(socket->get_executor());
  timer.expires_after(k_header_deadline);
  timer.async_wait([socket](const asio::error_code& e) {
    if (!e) {
      asio::error_code ignored;
      socket->cancel(ignored);
    }
  });
  std::array<char, 256> discard;
  for (;;) {
    auto [rec, n] =
        co_await socket->async_read_some(asio::buffer(discard), as_tuple(use_awaitable));
    if (rec)
      break;
  }
  timer.cancel();
  socket->close(ec);
}

// Starts a session for an accepted connection, or answers it at once.
void admit(tcp::socket socket, const tcp::endpoint& peer, const std::shared_ptr<Shared>& shared) {
  if (!allowed(peer, shared->config.agi.allow)) {
    g_log.line("event=refused peer={}", peer.address().to_string());
    return; // closing the socket is the answer
  }
  if (shared->active >= shared->config.agi.max_sessions) {
    // Overloaded: never leave an accepted socket idle; route to the default at once.
    auto& r = shared->config.routing;
    auto answer = set_variable("SMARTROUTE_TARGET",
                               r.default_number.empty() ? r.emergency_number : r.default_number);
    g_log.line("event=overloaded result=default");
    asio::co_spawn(socket.get_executor(),
                   turn_away(std::make_shared<tcp::socket>(std::move(socket)), std::move(answer)),
                   asio::detached);
    return;
  }
  asio::error_code ec;
  socket.non_blocking(true, ec);
  if (ec)
    return;
  ++shared->active;
  auto executor = socket.get_executor();
  asio::co_spawn(executor,
                 run_session(std::make_shared<Session>(std::move(socket), shared), shared),
                 asio::detached);
}

awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<Shared> shared) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer pause(executor);
  while (!shared->stopping) {
    // accept() gives the peer's address: no getpeername per call.
    tcp::socket socket(executor);
    tcp::endpoint peer;
    auto [ec] = co_await acceptor.async_accept(socket, peer, as_tuple(use_awaitable));
    if (ec) {
      if (shared->stopping)
        co_return;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
          ec == asio::error::no_memory) {
        // Out of file descriptors: the backlog keeps the callers until some calls end.
        g_log.line("event=accept_error error=\"{}\"", ec.message());
        pause.expires_after(100ms);
        co_await pause.async_wait(as_tuple(use_awaitable));
      }
      continue;
    }
    admit(std::move(socket), peer, shared);
    // A burst: take every connection already queued before going back to the loop.
    for (int i = 0; i < 256 && !shared->stopping; ++i) {
      tcp::socket next(executor);
      acceptor.accept(next, peer, ec); // non-blocking
      if (ec)
        break;
      admit(std::move(next), peer, shared);
    }
  }
}

// After SIGTERM: the running calls have until `deadline` to finish, then the loop stops.
awaitable<void> drain(asio::io_context& io, std::shared_ptr<Shared> shared,
                      Clock::time_point deadline) {
  asio::steady_timer timer(io);
  while (shared->active > 0 && Clock::now() < deadline) {
    timer.expires_after(50ms);
    co_await timer.async_wait(as_tuple(use_awaitable));
  }
  io.stop();
}

} // namespace

int serve(const config::Config& initial, const ServeOptions& options) {
  asio::io_context io(1);
  // One descriptor per call: take the hard limit (often 1024 soft, far more hard).
  if (rlimit limit{}; ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  auto shared = std::make_shared<Shared>();
  shared->config = initial;
  shared->router = std::make_shared<Router>(initial);
  shared->log = std::make_unique<CallLogThread>(std::make_unique<store::CallLogWriter>(
      store::open_call_log(initial, store::Access::read_write)));

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
  // SOMAXCONN: a burst of simultaneous calls waits in the kernel's queue, not refused; the
  // accept loop takes every queued connection at each wake-up.
  acceptor.listen(asio::socket_base::max_listen_connections);
  acceptor.non_blocking(true);
  g_log.line("event=listening address={} port={} store={} cache={} call_log={}", initial.agi.listen,
             acceptor.local_endpoint().port(), initial.database_path().string(),
             initial.cache_path().string(), initial.call_log_path().string());

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
          auto writer = std::make_unique<store::CallLogWriter>(
              store::open_call_log(fresh, store::Access::read_write));
          shared->log->push(std::move(shared->pending)); // the calls so far: the old file
          shared->pending.clear();
          shared->log->reopen(std::move(writer));
        }
        shared->router = std::move(router);
        shared->config = fresh;
        g_log.line("event=reloaded");
      } catch (const std::exception& ex) {
        g_log.line("event=reload_failed error=\"{}\" (keeping the old configuration)", ex.what());
      }
      signals.async_wait(on_signal);
      return;
    }
    g_log.line("event=stopping active={}", shared->active);
    shared->stopping = true;
    acceptor.close();
    auto deadline = Clock::now() + std::chrono::milliseconds(long(options.drain_seconds * 1000));
    asio::co_spawn(io, drain(io, shared, deadline), asio::detached);
  };
  signals.async_wait(on_signal);
  asio::co_spawn(io, accept_loop(acceptor, shared), asio::detached);
  asio::co_spawn(io, flush_log(shared), asio::detached);
  g_log.attach(&io);
  io.run();
  g_log.attach(nullptr);
  // Whatever is still queued reaches the call log before the last line.
  shared->log->push(std::move(shared->pending));
  shared->log.reset();
  g_log.line("event=stopped");
  return 0;
}

} // namespace sr::agi
