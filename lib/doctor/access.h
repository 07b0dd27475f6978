#pragma once

// Whether some other user may read a file, judged from its permission bits — what doctor
// needs to know about the Asterisk user while running as root or as the smartroute user,
// for whom access(2) would answer about the wrong person.

#include <sys/types.h>
#include <vector>

namespace sr::doctor {

struct Identity {
  uid_t uid = 0;
  std::vector<gid_t> gids; // primary group first, then the supplementary ones
};

// What is wanted of a file: read, write and execute/search bits, as in a mode's "other" part.
inline constexpr int k_read = 4;
inline constexpr int k_search = 1;

// Whether `who` may do `want` on a file of `owner`:`group` with `mode`, by the POSIX rules:
// root may do all (execute only when some x bit is set); otherwise the owner's bits if `who`
// owns it, else the group's if one of `who`'s groups owns it, else the others'. ACLs are not
// read.
bool permits(const Identity& who, uid_t owner, gid_t group, mode_t mode, int want);

} // namespace sr::doctor
