#pragma once

// Plain views of the store's data that scoring, planning and explaining share.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sr::scoring {

// An employee with the configuration's overrides ([[employees]]) already applied.
struct Employee {
  std::int64_t id = 0;
  std::string key;
  std::string name;
  std::string extension;
  std::string spoken_name; // "" = declined automatically from `name`
  std::string group;
  bool active = true;
  bool excluded = false;
};

// Why an employee can never be offered, or "" when they can.
std::string ineligibility(const Employee& e);

struct Client {
  std::int64_t id = 0;
  std::string key;
  std::string name;
};

// An employee in a client's ranking.
struct Candidate {
  const Employee* employee = nullptr;
  double score = 0;
  std::int64_t last_at = 0;
  int interactions = 0;
};

// Everything planning needs to know about one caller.
struct CallerData {
  std::string number;                  // as normalised ("" when not a public number)
  std::vector<Client> clients;         // every client with this number
  std::optional<Client> client;        // the one the call is planned for (highest total)
  std::vector<Candidate> ranked;       // that client's employees, best first
  double total = 0;                    // sum of all scores
  const Employee* last_call = nullptr; // the employee of the client's most recent call
  std::int64_t last_call_at = 0;
};

} // namespace sr::scoring
