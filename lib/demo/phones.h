#pragma once

#include "demo/random.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Phone numbers for the demo: real, valid number ranges and the ways people and PBXs write them.
namespace sr::demo {

// What kind of number a block holds; it decides how the number may be written.
enum class Line { landline, mobile, toll_free, foreign };

// A range of numbers: a country code, the national digits they start with, how many follow.
struct Block {
  std::string_view cc; // country calling code, "7"
  std::string prefix;  // "4951"
  int nsn = 10;        // length of the national number
  Line line = Line::landline;
  std::string_view groups; // digit groups of a foreign national number: "2-4-4"
  std::uint64_t size = 0;  // 10^(nsn - prefix length)
};

// All numbers the demo hands out, about 160 million, as one space [0, size()) that a
// Permutation walks. Areas are real codes whose every number libphonenumber finds valid:
// Moscow, St Petersburg and regional landlines (Russian area codes start with 3, 4, 8),
// 9xx mobiles, 8-800 toll-free, and under 1% foreign (UK, Belarus, Germany, Uzbekistan,
// Kazakhstan, USA, Armenia).
class NumberSpace {
public:
  NumberSpace();
  std::uint64_t size() const { return m_total; }

  // The number at position x: its block, and its national digits in `nsn`.
  const Block& at(std::uint64_t x, std::string& nsn) const;

private:
  std::vector<Block> m_blocks;
  std::vector<std::uint64_t> m_offsets;
  std::uint64_t m_total = 0;
};

// How many ways the demo writes a number of `line` (styles 0 … n-1).
int style_count(Line line);

// A style chosen by hash bits, weighted by how often people write numbers that way.
int pick_style(Line line, std::uint64_t bits);

// A number as people type it into a client base: "8 (495) 123-45-67", "+7 912 345 67 89",
// "4951234567", "+44 20 7946 0958". `extension_bits` decides whether an extension follows
// (" доб. 123", " ext 45"): 8% of landline and toll-free numbers.
void put_typed(std::string& out, const Block& b, std::string_view nsn, int style,
               std::uint64_t extension_bits);

// A caller number as a trunk delivers it: "74951234567", "84951234567", "+74951234567".
void put_trunk_number(std::string& out, const Block& b, std::string_view nsn, Rng& rng);

// A number as an employee dials it: "84951234567", "+79123456789", "810442079460958".
void put_dialled_number(std::string& out, const Block& b, std::string_view nsn, Rng& rng);

} // namespace sr::demo
