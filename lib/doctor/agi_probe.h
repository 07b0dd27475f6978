#pragma once

// The parts of doctor's test call that need no socket: how Asterisk splits a command line,
// the header a test call opens with, and who owns a listening port.

#include <string>
#include <string_view>
#include <vector>

namespace sr::doctor {

// Splits a command line as Asterisk's parse_args does: blanks separate words, `"` toggles
// quoting, `\` takes the next character literally.
std::vector<std::string> split_command(std::string_view line);

// The header block of a FastAGI session from an unknown caller, as Asterisk 22 sends it
// (agi.md §1.2), ending with the empty line.
std::string probe_header(std::string_view host, int port, std::string_view uniqueid);

// The program listening on TCP `port`, from /proc: "node (pid 812)"; "" when /proc does not
// say (another user's process seen without root).
std::string port_owner(int port);

} // namespace sr::doctor
