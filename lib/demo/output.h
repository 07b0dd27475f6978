#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

// Writing the demo files: a buffered file that appears atomically, and the formatters rows need
// (hand-written because they run tens of millions of times).
namespace sr::demo {

// A file written through "<name>.tmp" in the same directory and renamed into place by commit(),
// so an interrupted run never leaves half a file under the final name. Rows are appended to
// buf() and flushed in large writes; without commit() the temporary file is removed.
class Output {
public:
  explicit Output(std::filesystem::path path); // throws sr::Error
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output();

  // The buffer rows are appended to.
  std::string& buf() { return m_buf; }

  // Call after each row: writes the buffer out once it is large.
  void row_done() {
    if (m_buf.size() >= k_flush_at)
      flush();
  }

  // Writes the rest, syncs, and renames the file into place; throws sr::Error.
  void commit();

private:
  static constexpr std::size_t k_flush_at = 1 << 20;
  void flush();
  [[noreturn]] void fail(std::string_view what) const;

  std::filesystem::path m_path;
  std::filesystem::path m_tmp;
  int m_fd = -1;
  std::string m_buf;
};

// Decimal digits, zero-padded to `width`.
void put_uint(std::string& out, std::uint64_t v, int width = 0);

// Eight lower-case hex digits, as in Asterisk channel names ("PJSIP/201-0000001a").
void put_hex8(std::string& out, std::uint64_t v);

// A CSV field, quoted only when it has to be (RFC 4180).
void put_csv(std::string& out, std::string_view s);

// A string field as Asterisk's cdr_csv writes it: always quoted, followed by a comma.
void put_quoted(std::string& out, std::string_view s);

} // namespace sr::demo
