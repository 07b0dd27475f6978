#pragma once

#include "demo/generator.h"
#include "demo/phones.h"
#include "demo/random.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Who is in the demo data and how they relate: employees, clients' phones, and which employees
// each client deals with.
namespace sr::demo {

// Keeps the hashes and random streams of different facts independent.
namespace tag {
enum : std::uint64_t {
  phone_order = 1,
  client_order,
  phone_count,
  shared,
  style,
  extension,
  favourite,
  successor,
  roles,
  dismissal,
  employees_stream,
  clients_stream,
  interactions_stream,
  cdr_stream,
};
} // namespace tag

// The group an employee belongs to (service accounts belong to none).
enum class Group { none, sales, support, accounting };

// "sales", "support", "accounting", or "" for none.
std::string_view group_name(Group g);

// One row of employees.csv, plus what the other files need to know about the person.
struct Employee {
  std::string name;     // "Петров Иван Сергеевич", or a service account's name
  std::string callerid; // "Иван Петров", as the PBX shows it
  std::string spoken;   // spoken_name override, instrumental case: "Иваном Петровым"
  int extension = 0;    // 0 = none
  bool active = true;
  bool excluded = false;
  Group group = Group::none;
  std::int64_t dismissed_at = 0; // UTC, when !active
};

// A made-up Russian person in the forms the files need; a woman about half the time.
struct Person {
  std::string full;     // "Петров Иван Сергеевич"
  std::string short_;   // "Иван Петров"
  std::string spoken;   // "Иваном Петровым"
  std::string initials; // "Петров И. С."
};

// A new person from the name tables.
Person make_person(Rng& rng);

// A company as 1C users write it: ООО «Ромашка», АО "Техноснаб", ЗАО Вектор-М, now and then
// with a branch after a comma.
void put_company(std::string& out, Rng& rng);

// The interaction document types the demo writes.
enum class Doc { call, order, invoice };

// The people of one generation. Facts more than one file needs (a client's phones, its
// favourite employees) are pure functions of the options and the client's index, so each file
// is written in one pass without keeping clients in memory.
class World {
public:
  explicit World(const Options& o); // throws sr::Error

  // Every employee, index i being id e000(i+1).
  const std::vector<Employee>& employees() const { return m_employees; }

  // Active, not excluded, with an extension: the employees a PBX can ring.
  const std::vector<int>& callable() const { return m_callable; }

  // Clients 0 … active_clients()-1 have history; the newest 5% have none yet.
  std::int64_t active_clients() const { return m_active_clients; }

  // The r-th client of a pass that names every client with history once.
  std::int64_t client_in_order(std::int64_t r) const {
    return static_cast<std::int64_t>(m_client_order(static_cast<std::uint64_t>(r)));
  }

  // A client with history, drawn with a long tail: many clients with a few interactions,
  // some with dozens, the biggest with about 100 times the mean.
  std::int64_t pick_client(Rng& rng) const;

  // 1 for 90% of clients, 2 or 3 for the rest.
  int phone_count(std::int64_t client) const;

  // Phone `slot` of `client`: its block and national digits. About 1% of clients share their
  // first number with an earlier client.
  const Block& client_number(std::int64_t client, int slot, std::string& nsn) const;

  // A number that belongs to no client: callers and callees the importer must skip.
  const Block& stranger_number(Rng& rng, std::string& nsn) const;

  // Phone `slot` of `client` as written in the client base; a shared number is written
  // differently from how its first owner writes it.
  void put_typed_phone(std::string& out, std::int64_t client, int slot) const;

  // The employee of one interaction with `client` at UTC time `at`: mostly one of the client's
  // one to three favourites, the first most; now and then anyone, or for orders a service
  // account. A client whose employee was dismissed before `at` has been handed to a successor.
  int pick_employee(std::int64_t client, Doc doc, std::int64_t at, Rng& rng) const;

  // Like pick_employee for a phone call, which needs an extension.
  int pick_callee(std::int64_t client, std::int64_t at, Rng& rng) const;

private:
  std::int64_t partner(std::int64_t client) const;
  int style_of(std::int64_t client, int slot, Line line) const;
  int favourite(std::uint64_t client, std::uint64_t k) const;

  const Options& m_o;
  std::vector<Employee> m_employees;
  NumberSpace m_space;
  Permutation m_phones;
  std::int64_t m_active_clients;
  Permutation m_client_order;
  std::vector<int> m_callable;
  std::vector<int> m_agents;        // not excluded
  std::vector<int> m_active_agents; // not excluded, not dismissed
  std::vector<int> m_services;      // excluded service accounts
};

} // namespace sr::demo
