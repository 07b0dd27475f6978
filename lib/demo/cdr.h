#pragma once

#include <cstdint>
#include <filesystem>

namespace sr::demo {

class World;
struct Options;

// Writes `rows` calls as Asterisk's cdr_csv writes Master.csv, oldest first: calls from clients
// to extensions (~58%, some from numbers that are no client's), calls from extensions to
// clients (~32%), internal calls (~10%); ANSWERED, NO ANSWER, BUSY and a few FAILED. Every call
// ends before options.end. Throws sr::Error on I/O failure.
void write_cdr(const World& world, const Options& options, std::int64_t rows,
               const std::filesystem::path& path);

} // namespace sr::demo
