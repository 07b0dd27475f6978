// The program listening on a TCP port, for doctor's "agi" line: the socket's inode from
// /proc/net/tcp{,6}, then the process holding it from /proc/*/fd.
#include "doctor/agi_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace sr::doctor {

namespace {

// Socket inodes listening on `port`, from /proc/net/tcp and tcp6.
std::vector<std::string> listening_inodes(int port) {
  std::vector<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line); // the heading
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      auto colon = local.rfind(':');
      if (state != "0A" || colon == std::string::npos)
        continue;
      if (std::strtol(local.c_str() + colon + 1, nullptr, 16) == port)
        inodes.push_back(inode);
    }
  }
  return inodes;
}

} // namespace

std::string port_owner(int port) {
  auto inodes = listening_inodes(port);
  if (inodes.empty())
    return {};
  std::vector<std::string> links;
  for (auto& i : inodes)
    links.push_back("socket:[" + i + "]");
  DIR* proc = ::opendir("/proc");
  if (!proc)
    return {};
  std::string owner;
  while (auto* e = ::readdir(proc)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0])))
      continue;
    auto fd_dir = fmt::format("/proc/{}/fd", e->d_name);
    DIR* fds = ::opendir(fd_dir.c_str());
    if (!fds)
      continue;
    while (auto* f = ::readdir(fds)) {
      char target[64];
      auto path = fd_dir + "/" + f->d_name;
      auto n = ::readlink(path.c_str(), target, sizeof target - 1);
      if (n <= 0)
        continue;
      if (std::find(links.begin(), links.end(), std::string(target, std::size_t(n))) == links.end())
        continue;
      std::ifstream comm(fmt::format("/proc/{}/comm", e->d_name));
      std::string name;
      std::getline(comm, name);
      owner = fmt::format("{} (pid {})", name.empty() ? "?" : name, e->d_name);
      break;
    }
    ::closedir(fds);
    if (!owner.empty())
      break;
  }
  ::closedir(proc);
  return owner;
}

} // namespace sr::doctor
