// "secrets" and "cache.access": files holding secrets are private, and the user Asterisk
// runs as can reach every file of the audio cache (STREAM FILE opens them by full path).
#include "doctor/access.h"
#include "doctor/checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <grp.h>
#include <optional>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sr::doctor {

namespace fs = std::filesystem;

bool permits(const Identity& who, uid_t owner, gid_t group, mode_t mode, int want) {
  if (who.uid == 0)
    return !(want & k_search) || (mode & (S_IXUSR | S_IXGRP | S_IXOTH));
  int bits = int(mode & 07);
  if (who.uid == owner)
    bits = int((mode >> 6) & 07);
  else if (std::find(who.gids.begin(), who.gids.end(), group) != who.gids.end())
    bits = int((mode >> 3) & 07);
  return (bits & want) == want;
}

namespace {

std::string user_name(uid_t uid) {
  struct passwd pw, *found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found)
    return pw.pw_name;
  return std::to_string(uid);
}

std::string group_name(gid_t gid) {
  struct group gr, *found = nullptr;
  char buf[4096];
  if (::getgrgid_r(gid, &gr, buf, sizeof buf, &found) == 0 && found)
    return gr.gr_name;
  return std::to_string(gid);
}

std::string describe(const struct stat& st) {
  return fmt::format("mode {:04o}, owner {}:{}", st.st_mode & 07777, user_name(st.st_uid),
                     group_name(st.st_gid));
}

Result check_secrets(const config::Config& config) {
  Result r{"secrets", Status::ok, "", ""};
  struct File {
    std::string what;
    std::string path;
    bool secret; // holds a secret itself (else: only names where the secrets are)
  };
  std::vector<File> files;
  if (!config.onec.password.file.empty())
    files.push_back({"onec.password_file", config.onec.password.file, true});
  if (!config.tts.api_key.file.empty())
    files.push_back({"tts.api_key_file", config.tts.api_key.file, true});
  if (!config.ami.secret.file.empty())
    files.push_back({"ami.secret_file", config.ami.secret.file, true});
  bool references = false;
  for (auto* ref : {&config.onec.password, &config.tts.api_key, &config.ami.secret})
    references = references || !ref->env.empty() || !ref->file.empty();
  if (!config.file.empty() && references)
    files.push_back({"the configuration", config.file.string(), false});
  if (files.empty())
    return {"secrets", Status::skip, "no secret is configured", ""};
  std::vector<std::string> problems, to_chmod, fine;
  for (auto& f : files) {
    struct stat st {};
    if (::stat(f.path.c_str(), &st) != 0) {
      r.status = Status::fail;
      problems.push_back(fmt::format("{} {} does not exist", f.what, f.path));
      continue;
    }
    if (st.st_mode & S_IROTH) {
      r.status = std::max(r.status, f.secret ? Status::fail : Status::warn);
      problems.push_back(fmt::format("{} {} is readable by every user ({}){}", f.what, f.path,
                                     describe(st),
                                     f.secret ? "" : " and names where the secrets are"));
      to_chmod.push_back(f.path);
      continue;
    }
    fine.push_back(f.path);
  }
  if (problems.empty()) {
    r.message = fmt::format("not readable by every user: {}", fmt::join(fine, ", "));
    return r;
  }
  r.message = fmt::format("{}", fmt::join(problems, "; "));
  if (!to_chmod.empty())
    r.fix = fmt::format("chmod 640 {}", fmt::join(to_chmod, " "));
  if (to_chmod.size() < problems.size())
    r.fix += fmt::format("{}create the missing file (mode 640) or correct its setting",
                         r.fix.empty() ? "" : "; ");
  return r;
}

std::optional<Identity> identity_of(const std::string& user) {
  struct passwd pw, *found = nullptr;
  char buf[16384];
  if (::getpwnam_r(user.c_str(), &pw, buf, sizeof buf, &found) != 0 || !found)
    return std::nullopt;
  Identity who{pw.pw_uid, {pw.pw_gid}};
  int n = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  if (::getgrouplist(user.c_str(), pw.pw_gid, groups.data(), &n) < 0) {
    groups.resize(std::size_t(n));
    ::getgrouplist(user.c_str(), pw.pw_gid, groups.data(), &n);
  }
  groups.resize(std::size_t(std::max(n, 0)));
  for (auto g : groups)
    if (g != pw.pw_gid)
      who.gids.push_back(g);
  return who;
}

Result check_cache_access(const config::Config& config, const std::string& user) {
  Result r{"cache.access", Status::ok, "", ""};
  auto who = identity_of(user);
  if (!who)
    return {
        "cache.access", Status::warn,
        fmt::format("no user '{}' here: could not check that Asterisk can read the cache", user),
        "run doctor on the PBX, or name the user Asterisk runs as with --pbx-user"};
  std::error_code ec;
  auto root = fs::absolute(config.cache_path(), ec).lexically_normal();
  if (!fs::is_directory(root, ec))
    return {"cache.access", Status::skip, "no cache directory yet (see cache)", ""};
  auto tree_fix = fmt::format("chgrp -R {} {} && chmod -R g+rX {}", group_name(who->gids[0]),
                              root.string(), root.string());
  auto refuse = [&](const fs::path& p, const struct stat& st, bool inside, std::string_view verb) {
    r.status = Status::fail;
    r.message = fmt::format("user {} cannot {} {} ({})", user, verb, p.string(), describe(st));
    r.fix = inside ? tree_fix : fmt::format("chmod o+x {}", p.string());
    return r;
  };
  // Every directory on the way needs search permission.
  fs::path walked;
  for (auto& part : root) {
    walked /= part;
    struct stat st {};
    if (::stat(walked.c_str(), &st) != 0)
      continue;
    if (!permits(*who, st.st_uid, st.st_gid, st.st_mode, k_search))
      return refuse(walked, st, walked == root, "enter");
  }
  // Each two-letter directory, and every file in it: one unreadable file is one fragment a
  // caller never hears.
  std::size_t files = 0, unreadable = 0;
  std::optional<std::pair<fs::path, struct stat>> first;
  for (auto& entry : fs::directory_iterator(root, ec)) {
    if (!entry.is_directory(ec) || entry.path().filename().string().starts_with("."))
      continue;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0)
      continue;
    if (!permits(*who, st.st_uid, st.st_gid, st.st_mode, k_search))
      return refuse(entry.path(), st, true, "enter");
    for (auto& file : fs::directory_iterator(entry.path(), ec)) {
      if (!file.is_regular_file(ec) || file.path().filename().string().starts_with("."))
        continue;
      if (::stat(file.path().c_str(), &st) != 0)
        continue;
      ++files;
      if (!permits(*who, st.st_uid, st.st_gid, st.st_mode, k_read) && !unreadable++)
        first.emplace(file.path(), st);
    }
  }
  if (first) {
    refuse(first->first, first->second, true, "read");
    if (unreadable > 1)
      r.message += fmt::format(", nor {} other files", unreadable - 1);
    return r;
  }
  r.message = fmt::format("user {} (uid {}) can read all {} files in {}", user, who->uid, files,
                          root.string());
  return r;
}

} // namespace

std::vector<Result> check_permissions(const config::Config& config, const std::string& pbx_user) {
  return {check_secrets(config), check_cache_access(config, pbx_user)};
}

} // namespace sr::doctor
