#pragma once

// The Asterisk Manager Interface on the wire: after a one-line banner ("Asterisk Call
// Manager/11.0.0"), actions, responses and events are blocks of "Key: Value" lines, each
// ended by CR LF, the block by an empty line. Pure: no sockets, so it is fed any fragments.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sr::ami {

// One block: an action we send, or a response or an event Asterisk sends.
struct Message {
  std::vector<std::pair<std::string, std::string>> fields; // in order; keys as sent

  // The first value of a key (compared without case), "" when absent.
  std::string get(std::string_view key) const;
  bool has(std::string_view key) const;
  Message& add(std::string key, std::string value);

  bool is_event() const { return has("Event"); }
  // OriginateResponse events carry a "Response" too: a response is no event.
  bool is_response() const { return has("Response") && !has("Event"); }
};

// The action as bytes; throws sr::Error when a key or value holds CR or LF (which would let
// text from outside, such as a phone number, start a second action).
std::string format(const Message& action);

// Splits the byte stream Asterisk sends into its banner and messages.
class Reader {
public:
  // Takes bytes as they arrive, in fragments of any size.
  void feed(std::string_view data);
  // The banner line once complete ("Asterisk Call Manager/11.0.0"), else nullopt.
  const std::optional<std::string>& banner() const { return m_banner; }
  // The next complete message, if any.
  std::optional<Message> take();
  // Why the stream cannot be read (a line or a message too long); "" while fine.
  const std::string& error() const { return m_error; }

private:
  std::optional<std::string_view> next_line();

  std::string m_buffer;
  std::size_t m_pos = 0; // start of the unread bytes in m_buffer
  std::optional<std::string> m_banner;
  Message m_current;
  std::size_t m_current_size = 0;
  std::string m_error;
};

// The banner's protocol version ("11.0.0"), or nullopt when the line is no AMI banner.
std::optional<std::string> banner_version(std::string_view banner);

} // namespace sr::ami
