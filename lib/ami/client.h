#pragma once

// A small blocking AMI client: one connection, one action at a time, a deadline on every
// wait. Asterisk sends events between (and before) responses, so a response is matched by its
// ActionID and events are kept for wait_event(). The transport is an interface so that tests
// script what Asterisk sends, in fragments of any size.

#include "ami/protocol.h"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sr::ami {

using Clock = std::chrono::steady_clock;

// A byte stream with deadlines.
class Transport {
public:
  virtual ~Transport() = default;
  // Sends all of `data` before `deadline`; throws sr::Error.
  virtual void write(std::string_view data, Clock::time_point deadline) = 0;
  // Some bytes; "" at the end of the stream; nullopt when the deadline passes first; throws
  // sr::Error on a failure.
  virtual std::optional<std::string> read(Clock::time_point deadline) = 0;
};

// A TCP connection to host:port (a name or an address), established before `deadline`.
std::unique_ptr<Transport> connect_tcp(const std::string& host, int port,
                                       Clock::time_point deadline);

class Client {
public:
  // Reads the banner; throws sr::Error when none comes within `timeout` or it is no AMI's.
  // `where` ("127.0.0.1:5038") names the peer in messages; `timeout` bounds every reply.
  Client(std::unique_ptr<Transport> transport, std::string where, Clock::duration timeout);

  // The protocol version of the banner ("11.0.0").
  const std::string& version() const { return m_version; }
  const std::string& where() const { return m_where; }

  // Sends an action under a fresh ActionID (returned in the message's "ActionID") and waits
  // for its response; throws sr::Error when none comes in time or the stream ends.
  Message action(Message action);

  // Logs in; throws sr::Error "AMI login failed: <Asterisk's message>" when refused. The
  // secret is never in a message or a log line.
  void login(const std::string& user, const std::string& secret);

  // The first event, kept or arriving before `deadline`, that `match` accepts.
  std::optional<Message> wait_event(const std::function<bool(const Message&)>& match,
                                    Clock::time_point deadline);

  // Says goodbye; failures are ignored (the connection closes anyway).
  void logoff() noexcept;

private:
  // Reads the next message; nullopt when the deadline passes; throws at the end of the stream.
  std::optional<Message> next(Clock::time_point deadline);

  std::unique_ptr<Transport> m_transport;
  std::string m_where;
  Clock::duration m_timeout;
  Reader m_reader;
  std::string m_version;
  std::deque<Message> m_events; // events received while waiting for a response
  unsigned m_sequence = 0;
};

// An asynchronous Originate of a channel into a dialplan application.
struct Originate {
  std::string channel;                      // "PJSIP/201", "Local/201@from-internal"
  std::string application;                  // "Playback"
  std::string data;                         // its arguments
  std::string caller_id;                    // "\"name\" <number>"
  std::chrono::milliseconds timeout{30000}; // how long the channel may ring
};

// Asterisk's OriginateResponse event.
struct OriginateResult {
  bool success = false;
  int reason = -1;     // the last control frame seen (see reason_text)
  std::string channel; // the channel Asterisk created
  std::string uniqueid;
};

// Queues the Originate (Async: true) and waits until `deadline` for its OriginateResponse;
// throws sr::Error when Asterisk refuses the action or no response comes in time.
OriginateResult originate(Client& client, const Originate& request, Clock::time_point deadline);

// What an OriginateResponse Reason means: 0 the channel could not be called (no such
// extension or device), 1 hung up before answering, 3 rang but was not answered in time,
// 4 answered, 5 busy, 8 congestion (unreachable).
std::string reason_text(int reason);

} // namespace sr::ami
