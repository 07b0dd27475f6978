#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace sr::store {

// Whether a command may change the store; readers open read-only and never block writers.
enum class Access { read_only, read_write };

class Statement;

// One SQLite connection in WAL mode. Errors throw sr::Error naming the database file.
class Database {
public:
  Database(const std::filesystem::path& path, Access access);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  // One integer from a query such as "SELECT count(*) FROM x" (0 when no row).
  std::int64_t scalar(std::string_view sql);

  const std::filesystem::path& path() const { return m_path; }
  Access access() const { return m_access; }
  sqlite3* handle() { return m_db; }
  [[noreturn]] void fail(std::string_view what) const;

private:
  sqlite3* m_db = nullptr;
  std::filesystem::path m_path;
  Access m_access;
};

// A prepared statement; bind with 1-based indexes, step until it returns false.
class Statement {
public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value); // SQLite keeps its own copy
  // Binds without copying: `value` must stay valid until the statement is reset (bulk paths).
  Statement& bind_view(int index, std::string_view value);
  Statement& bind_null(int index);
  // True while a row is available; false when done. Throws on error.
  bool step();
  void reset();

  std::int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string_view column_text(int index) const;
  bool column_is_null(int index) const;

private:
  Database* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

// What an "INSERT … ON CONFLICT DO UPDATE … WHERE <changed>" did to its row.
enum class Upserted { inserted, updated, unchanged };
// Runs such a statement (bound, one row) and tells which; triggers do not confuse it.
Upserted step_upsert(Database& db, Statement& statement);

// BEGIN IMMEDIATE on construction; rolls back unless commit() was called.
class Transaction {
public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

private:
  Database& m_db;
  bool m_open = true;
};

} // namespace sr::store
