#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace sr::util {

// The whole content of a file; throws sr::Error naming the file when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// A whole file mapped read-only into memory: large imports read gigabytes without holding
// a copy (the page cache serves them). Throws sr::Error naming the file.
class MappedFile {
public:
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view view() const { return {static_cast<const char*>(m_data), m_size}; }

private:
  void* m_data = nullptr;
  std::size_t m_size = 0;
};

// Writes a file so that a reader sees either the old content or the new, never a mix:
// a temporary file in the same directory, fsync, then rename.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Creates a directory and its parents; throws sr::Error with the reason when it cannot.
void ensure_directory(const std::filesystem::path& path);

} // namespace sr::util
