#include "core/io/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/support/runtime_switches.h"

namespace invex {
namespace {

std::atomic<long> writes_attempted{0};

// INVEX_FAIL_WRITE_AFTER=N: the write that numbers N+1 and every later one behave as on a full
// disk, so tests reach the error paths of every writer without filling a real disk.
bool disk_full_injected() {
  const long n = writes_attempted++;
  const long allowed = switches::fail_write_after();
  return allowed >= 0 && n >= allowed;
}

std::runtime_error write_error(const std::string& path, int err) {
  return std::runtime_error("cannot write " + path + ": " + std::strerror(err));
}

std::string parent_directory(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Flushing the directory entry makes the rename itself survive a power cut. Best effort only:
// some file systems refuse fsync on a directory, and the data is already safe by then.
void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// A process killed while writing `path` leaves `path.tmp.<pid>.<n>` behind. Once a write of
// `path` has succeeded, such files of processes that no longer exist are removed, so a run
// directory does not collect them over many interrupted runs. Another live writer's file (its
// pid answers kill 0) is left alone.
void remove_stale_temporaries(const std::string& path) {
  const std::string dir = parent_directory(path);
  const size_t slash = path.find_last_of('/');
  const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    char* end = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (pid <= 0 || *end != '.' || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      ::unlink((dir + "/" + name).c_str());
  }
  ::closedir(d);
}

}  // namespace

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  if (path.empty()) throw std::runtime_error("cannot write an empty path");
  // pid + counter keeps concurrent writers (threads or processes) of the same file apart;
  // O_EXCL guarantees we never reuse someone else's temporary file.
  static std::atomic<unsigned long> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) throw write_error(path, errno);

  FILE* f = ::fdopen(fd, "wb");
  if (!f) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw write_error(path, err);
  }
  int err = 0;
  if (disk_full_injected()) {
    // As a real full disk does: part of the data lands in the temporary file, then ENOSPC.
    const size_t landed = std::fwrite(data, 1, size / 2, f);
    static_cast<void>(landed);
    err = ENOSPC;
  } else if (size > 0 && std::fwrite(data, 1, size, f) != size) {
    err = errno ? errno : EIO;
  }
  if (!err && std::fflush(f) != 0) err = errno ? errno : EIO;
  if (!err && ::fsync(fd) != 0) err = errno;
  if (std::fclose(f) != 0 && !err) err = errno ? errno : EIO;
  if (!err && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(tmp.c_str());
    throw write_error(path, err);
  }
  sync_directory(parent_directory(path));
  remove_stale_temporaries(path);
}

long file_writes_attempted() { return writes_attempted.load(); }

void write_file_atomic(const std::string& path, const std::string& bytes) {
  write_file_atomic(path, bytes.data(), bytes.size());
}

std::string read_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  // fopen succeeds on a directory; the failure only shows up as a read error (EISDIR).
  const bool failed = std::ferror(f);
  const int err = errno;
  std::fclose(f);
  if (failed) throw std::runtime_error("cannot read " + path + ": " + std::strerror(err));
  return out;
}

void ensure_directory(const std::string& path) {
  if (path.empty()) return;
  auto fail = [&](int err) {
    return std::runtime_error("cannot create directory " + path + ": " + std::strerror(err));
  };
  // Walk the prefixes so missing parents are created first, as `mkdir -p` does.
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (prefix.empty() || prefix == "/") continue;
    if (::mkdir(prefix.c_str(), 0777) == 0) continue;
    const int err = errno;
    struct stat st;
    if (::stat(prefix.c_str(), &st) != 0) throw fail(err);
    if (!S_ISDIR(st.st_mode)) throw fail(ENOTDIR);
  }
}

}  // namespace invex
