#pragma once

#include "config/config.h"
#include "store/db.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sr::ingest {

// What to do with a row that cannot be imported.
enum class OnInvalid { abort, skip };

// The files of one `smartroute import` run; they are applied in dependency order
// (employees, clients, interactions, CDR) inside one transaction.
struct ImportRequest {
  std::vector<std::filesystem::path> employees;
  std::vector<std::filesystem::path> clients;
  std::vector<std::filesystem::path> interactions;
  std::vector<std::filesystem::path> cdr;
  OnInvalid on_invalid = OnInvalid::abort;
};

// One row that could not be imported, as "file:line: message".
struct RowError {
  std::string file;
  std::size_t line = 0;
  std::string message;
  std::string text() const;
};

// What happened to the rows of one kind.
struct Tally {
  std::int64_t read = 0;
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
  std::int64_t skipped = 0; // invalid rows left out with --skip-invalid
};

struct ImportReport {
  Tally employees;
  Tally clients;
  Tally interactions;
  Tally cdr;                    // CDR rows turned into "call" interactions
  std::int64_t cdr_ignored = 0; // unanswered, internal or unknown-number calls
  std::vector<RowError> errors; // every invalid row, in file order
  bool committed = false;       // false: the store is exactly as it was
  double seconds = 0;
};

// Imports the files. With OnInvalid::abort any invalid row rolls everything back (the report
// lists all of them and `committed` is false); with OnInvalid::skip the valid rows are kept.
// Unreadable files and bad headers throw sr::Error and change nothing.
ImportReport import_files(store::Database& db, const config::Config& config,
                          const ImportRequest& request);

} // namespace sr::ingest
