#include "compat.h"
#include "child.h"
#include "platform.h"
#include "procs.h"
#include "stack.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int child_worker_task_slots = -2;

static void end_own_tree(void) {
  pid_t pids[256];
  kill_tree(getpid(), 0, pids, 256);
  kill(getpid(), SIGKILL);
}

static void on_death_signal(int sig) {
  (void)sig;
  end_own_tree();
}

void install_tree_death_handler(int sig) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_death_signal;
  sigfillset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

static int connect_to(const char *path, int len, int padded) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (len > (int)sizeof addr.sun_path) len = (int)sizeof addr.sun_path;
  memcpy(addr.sun_path, path, (size_t)len);
  size_t alen = offsetof(struct sockaddr_un, sun_path) + (padded ? sizeof addr.sun_path : (size_t)len);
  int r;
  do r = connect(fd, (struct sockaddr *)&addr, (socklen_t)alen);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

// One connection to the worker's connect-back socket, announced with a 16-byte header:
// "ITC1", request id, our pid, kind, 3 bytes padding (all little-endian).
static int connect_back(const char *path, int len, uint32_t id, int kind) {
  int fd = connect_to(path, len, 0);
  // An abstract name is matched with its length: libuv before 1.46 (Node 20) binds it padded with
  // NULs to the whole sun_path, newer libuv binds the exact name.
  if (fd < 0 && errno == ECONNREFUSED && len > 0 && path[0] == 0) fd = connect_to(path, len, 1);
  if (fd < 0) return -1;
  unsigned char header[16] = {'I', 'T', 'C', '1'};
  put_u32(header + 4, id);
  put_u32(header + 8, (uint32_t)getpid());
  header[12] = (unsigned char)kind;
  if (write_all(fd, header, sizeof header) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int child_connect_back(const char *path, int len, uint32_t id, int kind) { return connect_back(path, len, id, kind); }

// Puts `fd` on `target` (1 or 2) with the blocking mode the old descriptor had, so a stdout stream
// the zygote already created keeps libuv's assumptions.
static int install_stdio(int fd, int target) {
  int old_flags = fcntl(target, F_GETFL);
  if (dup2(fd, target) < 0) return -1;
  close(fd);
  if (old_flags >= 0 && (old_flags & O_NONBLOCK)) fcntl(target, F_SETFL, fcntl(target, F_GETFL) | O_NONBLOCK);
  return 0;
}

int child_after_fork(const child_opts_t *o, int *channel_fd) {
  *channel_fd = -1;
  for (int i = 0; i < o->nclose; i++) close(o->close_fds[i]);
  if (o->new_group && setpgid(0, 0) < 0) return CHILD_EXIT_SETUP;
  if (o->subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return CHILD_EXIT_SETUP;
  if (o->death_signal) {
    if (o->death_signal != SIGKILL) install_tree_death_handler(o->death_signal);
    if (prctl(PR_SET_PDEATHSIG, o->death_signal, 0, 0, 0) < 0) return CHILD_EXIT_SETUP;
    // The zygote may have died before the prctl: then nobody will send the signal.
    if (getppid() != o->zygote) return CHILD_EXIT_ORPHAN;
  }
  if (o->oom_score_adj != INT32_MIN) oom_score_adj_write(o->oom_score_adj);
  if (o->connect_path) {
    int out = connect_back(o->connect_path, o->connect_len, o->id, CONNECT_STDOUT);
    int err = out < 0 ? -1 : connect_back(o->connect_path, o->connect_len, o->id, CONNECT_STDERR);
    int ch = err < 0 ? -1 : connect_back(o->connect_path, o->connect_len, o->id, CONNECT_CHANNEL);
    if (out < 0 || err < 0 || ch < 0) return CHILD_EXIT_CONNECT;
    // The worker never writes on the output connections.
    shutdown(out, SHUT_RD);
    shutdown(err, SHUT_RD);
    if (install_stdio(out, 1) < 0 || install_stdio(err, 2) < 0) return CHILD_EXIT_CONNECT;
    *channel_fd = ch;
  }
  // ISOLATED_TEST_KEEP_WORKER_TASKS: leave them (only to show what goes wrong without this).
  child_worker_task_slots = getenv("ISOLATED_TEST_KEEP_WORKER_TASKS") ? 0 : drop_worker_thread_tasks();
  if (o->restore_mask) sigprocmask(SIG_SETMASK, o->restore_mask, NULL);
  // Where the child is stuck, on request (no inspector per child); without it the worker opens one.
  if (o->connect_path && o->stack_thread) stack_arm(o->connect_path, o->connect_len, o->id, CONNECT_STACK);
  if (o->loop && uv_loop_fork(o->loop) != 0) return CHILD_EXIT_LOOP;
  if (o->watch_thread && start_watch_thread(o->watch, o->nwatch, o->zygote) != 0) return CHILD_EXIT_SETUP;
  return 0;
}

typedef struct {
  watched_t watch[MAX_WATCH + 1];
  int nwatch;
} watch_arg_t;

static watch_arg_t watch_arg; // one watcher per process

static void *watch_main(void *unused) {
  (void)unused;
  struct pollfd fds[MAX_WATCH + 1];
  int n = 0, polling = 0;
  for (int i = 0; i < watch_arg.nwatch; i++) {
    int fd = sys_pidfd_open(watch_arg.watch[i].pid);
    if (fd < 0 && errno == ESRCH) end_own_tree();
    if (fd < 0) {
      polling = 1;
      continue;
    }
    // The pid may have been recycled since the zygote recorded it: then the process we watch is gone.
    if (proc_start_time(watch_arg.watch[i].pid) != watch_arg.watch[i].start_time) end_own_tree();
    fds[n].fd = fd;
    fds[n].events = POLLIN;
    n++;
  }
  for (;;) {
    int r = poll(fds, (nfds_t)n, polling ? 250 : -1);
    if (r > 0) end_own_tree();
    for (int i = 0; polling && i < watch_arg.nwatch; i++)
      if (proc_start_time(watch_arg.watch[i].pid) != watch_arg.watch[i].start_time) end_own_tree();
  }
  return NULL;
}

int start_watch_thread(const watched_t *watch, int nwatch, pid_t zygote) {
  watch_arg.nwatch = 0;
  for (int i = 0; i < nwatch && i < MAX_WATCH; i++) watch_arg.watch[watch_arg.nwatch++] = watch[i];
  watch_arg.watch[watch_arg.nwatch++] = (watched_t){zygote, proc_start_time(zygote)};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // The thread takes no signals: they stay with the threads Node expects.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  int err = pthread_create(&thread, &attr, watch_main, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  return err;
}
