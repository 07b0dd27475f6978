#pragma once

#include "store/db.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace sr::store {

// The schema version this build writes; migrations bring older stores up to it.
int current_schema_version();

// Opens the store. Read-write creates it (and its directory) and applies pending
// migrations in one transaction; read-only requires the current schema.
std::unique_ptr<Database> open(const std::filesystem::path& path, Access access);

// The same for a database with its own migration list (entry i moves version i to i + 1,
// kept in PRAGMA user_version); errors name it with `what` ("store", "call log") and say
// that `writer` upgrades it.
std::unique_ptr<Database> open_migrated(const std::filesystem::path& path, Access access,
                                        std::span<const std::string_view> migrations,
                                        std::string_view what, std::string_view writer);

// The statement that creates the per-client index of interactions; bulk imports drop and
// rebuild it.
inline constexpr const char* k_interactions_client_index =
    "CREATE INDEX interactions_client ON interactions(client, at, employee, doc_type)";

// The statement that creates the unique index of documents by their key in their source; a
// first sync from 1C drops and rebuilds it.
inline constexpr const char* k_interactions_doc_index =
    "CREATE UNIQUE INDEX interactions_doc ON interactions(source, doc_type, doc_key)";

// The triggers that record which clients need scoring again. Bulk imports drop them and
// ask for a full `score` instead (meta "score_full_needed"), which costs less than a trigger
// per row.
inline constexpr const char* k_score_dirty_triggers = R"sql(
CREATE TRIGGER interactions_dirty_insert AFTER INSERT ON interactions BEGIN
  INSERT INTO score_dirty(client) VALUES (NEW.client) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER interactions_dirty_update AFTER UPDATE ON interactions BEGIN
  INSERT INTO score_dirty(client) VALUES (OLD.client), (NEW.client) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER interactions_dirty_delete AFTER DELETE ON interactions BEGIN
  INSERT INTO score_dirty(client) VALUES (OLD.client) ON CONFLICT DO NOTHING;
END;
)sql";
inline constexpr const char* k_drop_score_dirty_triggers =
    "DROP TRIGGER interactions_dirty_insert; DROP TRIGGER interactions_dirty_update; "
    "DROP TRIGGER interactions_dirty_delete;";

// Where an interaction came from; sync only ever replaces rows of its own source.
enum class Source : std::int64_t { file = 0, cdr = 1, onec = 2 };

// Row counts for summaries and tests.
struct Counts {
  std::int64_t employees = 0;
  std::int64_t clients = 0;
  std::int64_t phones = 0;
  std::int64_t interactions = 0;
};
Counts counts(Database& db);

// Small key/value facts about the store: "last_import", "last_sync", "last_score".
void set_meta(Database& db, std::string_view key, std::string_view value);
std::optional<std::string> get_meta(Database& db, std::string_view key);

} // namespace sr::store
