#include "procs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif

int sys_pidfd_open(pid_t pid) { return (int)syscall(__NR_pidfd_open, pid, 0); }

int sys_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, NULL, 0); }

char *fmt_uint(char *dst, uint64_t value) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  while (n) *dst++ = tmp[--n];
  *dst = 0;
  return dst;
}

static char *append(char *dst, const char *s) {
  while (*s) *dst++ = *s++;
  *dst = 0;
  return dst;
}

// Reads a small file into buf (NUL-terminated). Returns the length or -1.
static ssize_t read_small(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t len = 0;
  while (len + 1 < cap) {
    ssize_t r = read(fd, buf + len, cap - 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
  }
  close(fd);
  buf[len] = 0;
  return (ssize_t)len;
}

uint64_t proc_start_time(pid_t pid) {
  char path[48], buf[1024];
  char *p = append(path, "/proc/");
  p = fmt_uint(p, (uint64_t)pid);
  append(p, "/stat");
  if (read_small(path, buf, sizeof buf) <= 0) return 0;
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  char *s = strrchr(buf, ')');
  if (!s) return 0;
  int field = 2;
  for (s++; *s && field < 22; s++)
    if (*s == ' ') field++;
  uint64_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (uint64_t)(*s++ - '0');
  return v;
}

int oom_score_adj_read(void) {
  char buf[32];
  if (read_small("/proc/self/oom_score_adj", buf, sizeof buf) <= 0) return 0;
  int neg = buf[0] == '-', v = 0;
  for (char *s = buf + neg; *s >= '0' && *s <= '9'; s++) v = v * 10 + (*s - '0');
  return neg ? -v : v;
}

int oom_score_adj_write(int value) {
  if (value > 1000) value = 1000;
  char buf[16], *p = buf;
  if (value < 0) {
    *p++ = '-';
    value = -value;
  }
  p = fmt_uint(p, (uint64_t)value);
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t w = write(fd, buf, (size_t)(p - buf));
  int err = w < 0 ? -errno : 0;
  close(fd);
  return err;
}

struct dirent64_raw {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Parses "12 34 56 " from /proc/<pid>/task/<tid>/children into out.
static int read_children_file(const char *path, pid_t *out, int cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[4096];
  int n = 0;
  uint64_t cur = 0;
  int in_number = 0;
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; i++) {
      char c = buf[i];
      if (c >= '0' && c <= '9') {
        cur = cur * 10 + (uint64_t)(c - '0');
        in_number = 1;
      } else if (in_number) {
        if (n < cap) out[n++] = (pid_t)cur;
        cur = 0;
        in_number = 0;
      }
    }
  }
  if (in_number && n < cap) out[n++] = (pid_t)cur;
  close(fd);
  return n;
}

int list_children(pid_t pid, pid_t *out, int cap) {
  char path[64];
  char *p = append(path, "/proc/");
  p = fmt_uint(p, (uint64_t)pid);
  char *task_end = append(p, "/task");
  int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -1;
  char dbuf[2048];
  int n = 0;
  for (;;) {
    long r = syscall(SYS_getdents64, dfd, dbuf, sizeof dbuf);
    if (r <= 0) break;
    for (long off = 0; off < r;) {
      struct dirent64_raw *d = (struct dirent64_raw *)(dbuf + off);
      off += d->d_reclen;
      if (d->d_name[0] < '0' || d->d_name[0] > '9') continue;
      char *q = append(task_end, "/");
      q = append(q, d->d_name);
      append(q, "/children");
      n += read_children_file(path, out + n, cap - n);
      *task_end = 0;
    }
  }
  close(dfd);
  return n;
}

static int contains(const pid_t *set, int n, pid_t pid) {
  for (int i = 0; i < n; i++)
    if (set[i] == pid) return 1;
  return 0;
}

int kill_tree(pid_t root, int include_root, pid_t *out, int cap) {
  pid_t seen[4096];
  const int seen_cap = (int)(sizeof seen / sizeof seen[0]);
  int total = 0;
  if (include_root) {
    kill(root, SIGSTOP);
    if (total < cap) out[total] = root;
    total++;
  }
  // Rounds of freeze-and-list, then one kill; again if the kill revealed more (a cap was reached,
  // or a process re-parented to root after its parent died).
  for (int pass = 0; pass < 8; pass++) {
    int n = 0;
    for (int round = 0; round < 64; round++) {
      int added = 0;
      for (int i = -1; i < n; i++) {
        pid_t parent = i < 0 ? root : seen[i];
        pid_t kids[512];
        int k = list_children(parent, kids, (int)(sizeof kids / sizeof kids[0]));
        for (int j = 0; j < k; j++) {
          if (kids[j] == root || contains(seen, n, kids[j]) || n >= seen_cap) continue;
          kill(kids[j], SIGSTOP);
          seen[n++] = kids[j];
          added++;
        }
      }
      if (!added) break;
    }
    int fresh = 0;
    for (int i = 0; i < n; i++) {
      if (contains(out, total < cap ? total : cap, seen[i])) continue;
      kill(seen[i], SIGKILL);
      if (total < cap) out[total] = seen[i];
      total++;
      fresh++;
    }
    if (!fresh) break;
  }
  if (include_root) kill(root, SIGKILL);
  return total;
}
