#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

// Randomness for the demo data. Everything is our own integer arithmetic, no <random>
// distributions and no floating point, so a seed gives the same files with any compiler and libc.
namespace sr::demo {

// splitmix64's finaliser: a bijective mix of 64 bits.
constexpr std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A value that depends only on its arguments: facts several files must agree on (a client's
// phones, its favourite employees) are hashes of the seed, a tag naming the fact, and the key.
constexpr std::uint64_t hash(std::uint64_t seed, std::uint64_t tag, std::uint64_t a,
                             std::uint64_t b = 0) {
  return mix(mix(mix(seed ^ mix(tag)) ^ a) ^ b);
}

// Maps 64 random bits onto [0, n) by a multiply-shift.
constexpr std::uint64_t scale(std::uint64_t bits, std::uint64_t n) {
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(bits) * n) >> 64);
}

// xoshiro256**, seeded through splitmix64; one stream per file.
class Rng {
public:
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t x = mix(seed ^ mix(stream));
    for (auto& s : m_s)
      s = x = mix(x);
  }

  std::uint64_t next() {
    std::uint64_t result = std::rotl(m_s[1] * 5, 7) * 9;
    std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = std::rotl(m_s[3], 45);
    return result;
  }

  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) { return scale(next(), n); }

  // Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }

  // True with probability p / 100.
  bool percent(std::uint64_t p) { return below(100) < p; }

private:
  std::array<std::uint64_t, 4> m_s{};
};

// A keyed bijection of [0, n): cycle walking over a bijection of [0, 2^k) with 2^k < 2n.
// Phone numbers come from it, so different clients never get the same number by chance.
class Permutation {
public:
  Permutation(std::uint64_t n, std::uint64_t key) : m_n(n) {
    int bits = n <= 2 ? 1 : std::bit_width(n - 1);
    m_mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
    m_shift = std::max(1, bits / 2);
    for (std::uint64_t r = 0; r < m_mul.size(); ++r) {
      m_mul[r] = mix(key + 2 * r) | 1;
      m_add[r] = mix(key + 2 * r + 1);
    }
  }

  // The image of x < n. Each round (odd multiply, add, xor-shift, all mod 2^k) is a bijection.
  std::uint64_t operator()(std::uint64_t x) const {
    if (m_n <= 1)
      return 0;
    do {
      for (std::size_t r = 0; r < m_mul.size(); ++r) {
        x = (x * m_mul[r] + m_add[r]) & m_mask;
        x ^= x >> m_shift;
      }
    } while (x >= m_n);
    return x;
  }

private:
  std::uint64_t m_n;
  std::uint64_t m_mask;
  int m_shift;
  std::array<std::uint64_t, 4> m_mul{};
  std::array<std::uint64_t, 4> m_add{};
};

} // namespace sr::demo
