#include "demo/output.h"

#include "util/error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace sr::demo {

Output::Output(std::filesystem::path path)
    : m_path(std::move(path)), m_tmp(m_path.string() + ".tmp") {
  m_fd = ::open(m_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (m_fd < 0)
    fail("cannot create");
  m_buf.reserve(k_flush_at + 4096);
}

Output::~Output() {
  if (m_fd >= 0) {
    ::close(m_fd);
    ::unlink(m_tmp.c_str());
  }
}

void Output::commit() {
  flush();
  if (::fsync(m_fd) != 0)
    fail("cannot write");
  int fd = m_fd;
  m_fd = -1;
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(m_tmp.c_str());
    errno = e;
    fail("cannot write");
  }
  if (::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
    int e = errno;
    ::unlink(m_tmp.c_str());
    errno = e;
    fail("cannot rename into place");
  }
}

void Output::flush() {
  const char* p = m_buf.data();
  std::size_t left = m_buf.size();
  while (left > 0) {
    auto n = ::write(m_fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail("cannot write");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  m_buf.clear();
}

void Output::fail(std::string_view what) const {
  throw Error(fmt::format("demo: {}: {}: {}", m_path.string(), what, std::strerror(errno)));
}

void put_uint(std::string& out, std::uint64_t v, int width) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (end - p < width)
    *--p = '0';
  out.append(p, end);
}

void put_hex8(std::string& out, std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  char buf[8];
  for (int i = 7; i >= 0; --i, v >>= 4)
    buf[i] = digits[v & 15];
  out.append(buf, 8);
}

namespace {

void put_doubled_quotes(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
}

} // namespace

void put_csv(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos)
    out += s;
  else
    put_doubled_quotes(out, s);
}

void put_quoted(std::string& out, std::string_view s) {
  put_doubled_quotes(out, s);
  out += ',';
}

} // namespace sr::demo
