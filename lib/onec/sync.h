#pragma once

// `smartroute sync`: employees, clients with their phones and interaction documents from 1C
// into the store, in one transaction, so that scoring and calls never depend on 1C being up.
//
// Catalogs are scanned whole with a narrow $select; a row whose DataVersion is what the last
// sync saw is skipped; rows that vanished or carry DeletionMark are removed (employees are made
// inactive, since history points at them). Documents are re-read over their validity window,
// upserted by Ref_Key, and local rows of that window that 1C no longer returns are removed.

#include "config/config.h"
#include "onec/metadata.h"
#include "onec/odata.h"
#include "store/db.h"
#include "util/time.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sr::onec {

// What happened to the rows of one entity set.
struct EntityReport {
  std::string what;   // "employees", "clients" or the document type ("call")
  std::string entity; // "Catalog_Пользователи"
  std::int64_t read = 0;
  std::int64_t added = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
  std::int64_t deleted = 0; // vanished from 1C, deletion-marked, or out of the window
  std::map<std::string, std::int64_t> skipped; // reason → rows not taken
  std::int64_t invalid_phones = 0;
  double seconds = 0;     // wall time of the scan
  double cpu_seconds = 0; // this process's CPU time for the entity, sweep included
};

struct SyncReport {
  std::vector<EntityReport> entities;
  TransferStats transfer;
  double seconds = 0;
  double cpu_seconds = 0; // this process's CPU time during the sync
  bool committed = false; // false with --dry-run: the store is unchanged
};

struct SyncOptions {
  bool dry_run = false;
  util::UnixTime now = 0; // 0 = the clock
  // entity, rows read so far, rows expected (-1 = unknown), whether the entity is done
  std::function<void(const std::string&, std::int64_t, std::int64_t, bool)> progress;
  bool count_first = false; // ask 1C for $count before each set (for the progress bar)
};

// Runs the sync against an already resolved mapping. Throws sr::Error (nothing changed) when
// 1C fails midway.
SyncReport sync(store::Database& db, const config::Config& config, OData& odata,
                const Mapping& mapping, const SyncOptions& options);

// The $filter of a document type's window: "Date ge datetime'2026-08-28T00:00:00'" plus the
// configured filter.
std::string window_filter(const DocumentMapping& d, util::UnixTime since, const std::string& zone);

} // namespace sr::onec
