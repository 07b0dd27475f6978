#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

// A deterministic generator of realistic demo data in the formats of docs/formats.md: what the
// demo shows and what every benchmark imports.
namespace sr::demo {

// What to generate; the same options always give byte-identical files.
struct Options {
  std::filesystem::path out;         // directory, created if missing
  int employees = 40;                // 1 … 50,000
  std::int64_t clients = 2000;       // 1 … 20,000,000
  std::int64_t interactions = 20000; // rows in interactions.csv
  std::int64_t cdr_calls = -1;       // rows in cdr/Master.csv; -1 = interactions / 10
  std::uint64_t seed = 1;            // a different seed gives different people and numbers
  std::int64_t end = 0;              // Unix time (UTC) no generated event is later than
};

// What was written, for the caller to report.
struct Summary {
  std::int64_t employees = 0;
  std::int64_t clients = 0;
  std::int64_t phones = 0; // phone entries over all clients, shared numbers counted per client
  std::int64_t interactions = 0;
  std::int64_t cdr_rows = 0;
  std::vector<std::filesystem::path> files; // employees, clients, interactions, cdr/Master.csv
};

// Writes employees.csv, clients.csv, interactions.csv and cdr/Master.csv into options.out, each
// through "<name>.tmp" and a rename so an interrupted run never leaves half a file under the
// final name. Events fall in the 400 days before options.end, Moscow time (UTC+3).
//
// The data has the traps real bases have: dismissed (~5%) and excluded service employees
// (~2%), employees without an extension (~3%), spoken_name overrides in the instrumental case
// («Любовью Шевченко»); phones in every format people type, ~10% of clients with 2–3 phones,
// ~1% of numbers shared by two clients, a few foreign numbers; ~5% of clients (the newest)
// without interactions; CDR rows as Asterisk's cdr_csv writes them, unanswered and internal
// calls and calls from unknown numbers included. Throws sr::Error on bad options or I/O failure.
Summary generate(const Options& options);

} // namespace sr::demo
