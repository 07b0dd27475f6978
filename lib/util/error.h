#pragma once

#include <stdexcept>
#include <string>

namespace sr {

// A fatal, expected failure; main prints it once as "smartroute: error: <message>", exit 1.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A mistake on the command line; main prints it like Error but exits 2.
class UsageError : public Error {
public:
  using Error::Error;
};

} // namespace sr
