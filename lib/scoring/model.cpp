#include "scoring/model.h"

namespace sr::scoring {

std::string ineligibility(const Employee& e) {
  if (!e.active)
    return "dismissed";
  if (e.excluded)
    return "excluded";
  if (e.extension.empty())
    return "no extension";
  return {};
}

} // namespace sr::scoring
