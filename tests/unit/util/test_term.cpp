#include "util/term.h"

#include <catch2/catch.hpp>

using sr::util::Table;

TEST_CASE("term: display width counts UTF-8 characters, not bytes", "[util][term]") {
  CHECK(sr::util::display_width("") == 0);
  CHECK(sr::util::display_width("Ann") == 3);
  CHECK(sr::util::display_width("Фёдор") == 5);
}

TEST_CASE("term: emphasis only with colour", "[util][term]") {
  CHECK(sr::util::bold("x", false) == "x");
  CHECK(sr::util::bold("x", true) == "\033[1mx\033[0m");
  CHECK(sr::util::dim("x", true) == "\033[2mx\033[0m");
}

TEST_CASE("term: a table aligns columns by characters and trims the line ends", "[util][term]") {
  Table t({{"name"}, {"calls", Table::Align::right}});
  t.add({"Фёдор", "7"});
  t.add({"Ann", "12"}, true);
  CHECK(t.render(false) == "  name   calls\n"
                           "  Фёдор      7\n"
                           "  Ann       12\n");
  CHECK(t.render(true, 0) == "\033[1mname   calls\033[0m\n"
                             "Фёдор      7\n"
                             "\033[2mAnn       12\033[0m\n");
  Table left({{"a"}, {"b"}});
  left.add({"long", ""});
  CHECK(left.render(false, 0) == "a     b\nlong\n");
}
