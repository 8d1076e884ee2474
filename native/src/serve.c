#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dontfork.h"
#include "filemaps.h"
#include "procs.h"
#include "protocol.h"

uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct {
  unsigned char *data;
  size_t len, cap;
} buf_t;

static int buf_reserve(buf_t *b, size_t more) {
  if (b->len + more <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more) cap *= 2;
  unsigned char *d = realloc(b->data, cap);
  if (!d) return -1;
  b->data = d;
  b->cap = cap;
  return 0;
}

static void buf_consume(buf_t *b, size_t n) {
  memmove(b->data, b->data + n, b->len - n);
  b->len -= n;
}

typedef struct {
  uint32_t id;
  pid_t pid;
  int pidfd; // readable when the child exits; -1 on kernels without pidfd_open (then we poll)
} kid_t;

typedef struct {
  const serve_opts_t *o;
  buf_t in, out;
  kid_t *kids;
  int nkids, capkids;
  int pidfds[MAX_WATCH];
  watched_t watched[MAX_WATCH];
  int polling;      // no pidfds (kernel < 5.3): poll start times and wait4 on a timer
  int strays_dying; // strays killed but not reaped yet: reap again soon
  ranges_t dc;
  // FRAME_WRITESET: the pages children are expected to write, pre-copied in each new child.
  uint64_t *ws_start;
  uint32_t *ws_pages;
  uint32_t nws;
  sigset_t old_mask;
  int oom_base;
} zygote_t;

static void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

// Queues one frame; body is written by the caller into the returned space.
static unsigned char *frame(zygote_t *z, int type, size_t body) {
  if (buf_reserve(&z->out, 5 + body) < 0) return NULL;
  unsigned char *p = z->out.data + z->out.len;
  put_u32(p, (uint32_t)(1 + body));
  p[4] = (unsigned char)type;
  z->out.len += 5 + body;
  return p + 5;
}

static void flush(zygote_t *z) {
  while (z->out.len) {
    ssize_t w = send(z->o->control_fd, z->out.data, z->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    buf_consume(&z->out, (size_t)w);
  }
}

// Best effort before exiting: wait up to 200 ms for the worker to take the last frames.
static void flush_blocking(zygote_t *z) {
  uint64_t deadline = monotonic_ns() + 200000000u;
  while (z->out.len && monotonic_ns() < deadline) {
    flush(z);
    struct pollfd p = {z->o->control_fd, POLLOUT, 0};
    if (z->out.len && poll(&p, 1, 20) < 0 && errno != EINTR) return;
    if (p.revents & (POLLERR | POLLHUP)) return;
  }
}

static kid_t *find_kid(zygote_t *z, pid_t pid) {
  for (int i = 0; i < z->nkids; i++)
    if (z->kids[i].pid == pid) return &z->kids[i];
  return NULL;
}

// Reaps every exited child (we are a subreaper and run no JavaScript, so waiting on -1 steals no one's
// status) and reports our children's exits. Returns how many known children exited.
static int reap(zygote_t *z) {
  int known = 0;
  for (;;) {
    int status;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, WNOHANG, &ru);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) break;
    kid_t *k = find_kid(z, pid);
    if (!k) continue; // a stray we killed
    unsigned char *p = frame(z, FRAME_EXIT, 40);
    if (p) {
      put_u32(p, k->id);
      put_u32(p + 4, (uint32_t)pid);
      put_u32(p + 8, WIFEXITED(status) ? (uint32_t)WEXITSTATUS(status) : (uint32_t)-1);
      put_u32(p + 12, WIFSIGNALED(status) ? (uint32_t)WTERMSIG(status) : 0);
      put_u64(p + 16, (uint64_t)ru.ru_maxrss);
      put_u64(p + 24, (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec);
      put_u64(p + 32, (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec);
    }
    if (k->pidfd >= 0) close(k->pidfd);
    *k = z->kids[--z->nkids];
    known++;
  }
  return known;
}

// Processes re-parented to us are leftovers of children that exited (daemons, double forks): end
// their trees and report them.
static void kill_strays(zygote_t *z) {
  pid_t kids[1024], killed[1024];
  int n = list_children(getpid(), kids, 1024), nkilled = 0;
  z->strays_dying = 0;
  for (int i = 0; i < n; i++) {
    if (find_kid(z, kids[i])) continue;
    z->strays_dying = 1;
    int got = kill_tree(kids[i], 1, killed + nkilled, 1024 - nkilled);
    nkilled += got < 1024 - nkilled ? got : 1024 - nkilled;
  }
  if (!nkilled) return;
  unsigned char *p = frame(z, FRAME_STRAYS, 4 + 4 * (size_t)nkilled);
  if (!p) return;
  put_u32(p, (uint32_t)nkilled);
  for (int i = 0; i < nkilled; i++) put_u32(p + 4 + 4 * i, (uint32_t)killed[i]);
}

// The worker or the runner's main process is gone, or the worker asked: end every tree, then exit.
static void shutdown_all(zygote_t *z, uint32_t reason, pid_t who) {
  pid_t killed[1024];
  for (int i = 0; i < z->nkids; i++) kill_tree(z->kids[i].pid, 1, killed, 1024);
  kill_strays(z);
  uint64_t deadline = monotonic_ns() + 1000000000u;
  while (z->nkids && monotonic_ns() < deadline) {
    reap(z);
    kill_strays(z);
    if (z->nkids) poll(NULL, 0, 5);
  }
  unsigned char *p = frame(z, FRAME_BYE, 8);
  if (p) {
    put_u32(p, reason);
    put_u32(p + 4, (uint32_t)who);
  }
  flush_blocking(z);
  _exit(0);
}

// A spare's payload, read from its channel: u32 length (little-endian), then the bytes. Blocking: a
// spare has nothing else to do; the worker closing the channel (it is done with the file) ends it.
static unsigned char *read_spare_payload(int fd, size_t *len) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0 && (fl & O_NONBLOCK)) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  unsigned char head[4];
  size_t got = 0;
  while (got < sizeof head) {
    ssize_t r = read(fd, head + got, sizeof head - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return NULL;
    got += (size_t)r;
  }
  uint32_t n = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 24;
  if (n > FRAME_MAX) return NULL;
  unsigned char *data = malloc(n ? n : 1);
  if (!data) return NULL;
  for (got = 0; got < n;) {
    ssize_t r = read(fd, data + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      free(data);
      return NULL;
    }
    got += (size_t)r;
  }
  if (fl >= 0) fcntl(fd, F_SETFL, fl);
  *len = n;
  return data;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

// In a new child: copies (or zero-fills) the pages its siblings wrote, one madvise per range. A page
// fault costs 50-160 us on the development VM, MADV_POPULATE_WRITE 13-19 us a page (native/README.md).
// Errors are ignored: a range the child does not map, or a kernel before 5.14 (EINVAL).
static void prefault(const zygote_t *z) {
  long page = sysconf(_SC_PAGESIZE);
  volatile unsigned char sink = 0;
  for (uint32_t i = 0; i < z->nws; i++) {
    unsigned char *start = (unsigned char *)(uintptr_t)z->ws_start[i];
    size_t len = (size_t)z->ws_pages[i] * (size_t)page;
    if (madvise(start, len, MADV_POPULATE_WRITE) != 0) continue;
    // The kernel's copy leaves the first user access of each page to pay on its own: on the development
    // VM about 5 us a page even with its entry present (native/README.md, "First touch"). Read each once
    // now, while the spare waits. Populated for writing, the range is mapped and readable.
    for (size_t off = 0; off < len; off += (size_t)page) sink ^= start[off];
  }
  (void)sink;
}

static void set_write_set(zygote_t *z, const unsigned char *body, size_t blen) {
  if (blen < 4) return;
  uint32_t n = get_u32(body);
  if ((size_t)n * 12 > blen - 4) return;
  uint64_t *start = malloc((size_t)(n ? n : 1) * sizeof *start);
  uint32_t *pages = malloc((size_t)(n ? n : 1) * sizeof *pages);
  if (!start || !pages) {
    free(start);
    free(pages);
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    const unsigned char *r = body + 4 + 12 * (size_t)i;
    start[i] = (uint64_t)get_u32(r) | (uint64_t)get_u32(r + 4) << 32;
    pages[i] = get_u32(r + 8);
  }
  free(z->ws_start);
  free(z->ws_pages);
  z->ws_start = start;
  z->ws_pages = pages;
  z->nws = n;
}

static int fork_child(zygote_t *z, uint32_t id, const unsigned char *payload, size_t len, int spare, serve_result_t *res) {
  if (z->nkids == z->capkids) {
    int cap = z->capkids ? z->capkids * 2 : 16;
    kid_t *k = realloc(z->kids, (size_t)cap * sizeof *k);
    if (!k) return -ENOMEM;
    z->kids = k;
    z->capkids = cap;
  }
  // The child's copy of the payload; in the zygote it is freed at once.
  unsigned char *copy = malloc(len ? len : 1);
  if (!copy) return -ENOMEM;
  if (len) memcpy(copy, payload, len);
  pid_t zygote = getpid();
  uint64_t t0 = monotonic_ns();
  dontfork_ranges_apply(&z->dc, MADV_DOFORK);
  pid_t pid = fork();
  dontfork_ranges_apply(&z->dc, MADV_DONTFORK);
  if (pid == 0) {
    const serve_opts_t *o = z->o;
    child_opts_t c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.zygote = zygote;
    c.new_group = 1;
    c.subreaper = 1;
    c.death_signal = o->death_signal;
    c.oom_score_adj = z->oom_base + o->oom_delta;
    c.connect_path = o->connect_path;
    c.connect_len = o->connect_len;
    c.close_fds[c.nclose++] = o->control_fd;
    for (int i = 0; i < o->nwatch; i++)
      if (z->pidfds[i] >= 0) c.close_fds[c.nclose++] = z->pidfds[i];
    // Our siblings' pidfds: closed one by one (they are not in close_fds' fixed room).
    for (int i = 0; i < z->nkids; i++)
      if (z->kids[i].pidfd >= 0) close(z->kids[i].pidfd);
    for (int i = 0; i < o->nclose && c.nclose < MAX_CLOSE; i++) c.close_fds[c.nclose++] = o->close_fds[i];
    c.watch_thread = o->child_watch_thread;
    c.stack_thread = o->stack_thread;
    for (int i = 0; i < o->nwatch; i++) c.watch[c.nwatch++] = z->watched[i];
    c.restore_mask = &z->old_mask;
    c.loop = o->loop;
    int channel = -1;
    int fail = child_after_fork(&c, &channel);
    if (fail) _exit(fail);
    free(z->in.data);
    free(z->out.data);
    free(z->kids);
    dontfork_ranges_free(&z->dc);
    // A spare does it before it waits for its test: off that test's path.
    prefault(z);
    free(z->ws_start);
    free(z->ws_pages);
    if (spare) {
      // Forked ahead of its test: the fork and the connect-back are done while the previous test runs.
      free(copy);
      copy = read_spare_payload(channel, &len);
      if (!copy) _exit(CHILD_EXIT_UNUSED);
      t0 = monotonic_ns();
    }
    // A short read leaves the rest zero; the JS side then draws its own seed.
    if (getrandom(res->seed, sizeof res->seed, GRND_NONBLOCK) != (ssize_t)sizeof res->seed) memset(res->seed, 0, sizeof res->seed);
    res->id = id;
    res->pid = getpid();
    res->zygote = zygote;
    res->channel_fd = channel;
    res->payload = copy;
    res->payload_len = len;
    res->fork_start_ns = t0;
    return 1;
  }
  uint64_t t1 = monotonic_ns();
  free(copy);
  if (pid < 0) {
    int err = errno;
    unsigned char *p = frame(z, FRAME_FORK_FAILED, 8);
    if (p) {
      put_u32(p, id);
      put_u32(p + 4, (uint32_t)err);
    }
    return 0;
  }
  z->kids[z->nkids++] = (kid_t){id, pid, sys_pidfd_open(pid)};
  unsigned char *p = frame(z, FRAME_FORKED, 20);
  if (p) {
    put_u32(p, id);
    put_u32(p + 4, (uint32_t)pid);
    put_u64(p + 8, t0);
    put_u32(p + 16, (uint32_t)((t1 - t0) / 1000));
  }
  return 0;
}

// Handles complete frames in the input buffer. Returns 1 in a forked child.
static int handle_frames(zygote_t *z, serve_result_t *res) {
  size_t off = 0;
  int in_child = 0;
  while (!in_child && z->in.len - off >= 5) {
    uint32_t len = get_u32(z->in.data + off);
    if (len < 1 || len > FRAME_MAX) shutdown_all(z, BYE_CONTROL_CLOSED, 0); // a broken peer
    if (z->in.len - off < 4 + (size_t)len) break;
    const unsigned char *body = z->in.data + off + 5;
    int type = z->in.data[off + 4];
    size_t blen = len - 1;
    off += 4 + len;
    if (type == FRAME_FORK && blen >= 4) {
      in_child = fork_child(z, get_u32(body), body + 4, blen - 4, 0, res) == 1;
    } else if (type == FRAME_PREFORK && blen >= 4) {
      in_child = fork_child(z, get_u32(body), NULL, 0, 1, res) == 1;
    } else if (type == FRAME_WRITESET) {
      set_write_set(z, body, blen);
    } else if (type == FRAME_SHUTDOWN) {
      shutdown_all(z, BYE_SHUTDOWN, 0);
    }
  }
  if (!in_child) buf_consume(&z->in, off);
  return in_child;
}

static int setup(zygote_t *z, const serve_opts_t *o) {
  memset(z, 0, sizeof *z);
  z->o = o;
  int fl = fcntl(o->control_fd, F_GETFL);
  if (fl < 0 || fcntl(o->control_fd, F_SETFL, fl | O_NONBLOCK) < 0) return -errno;
  // SIGCHLD cannot tell us about exits: Node's other threads do not block it, so any of them may take
  // it. Children's pidfds do (or a timer on old kernels). Children get the mask we were called with.
  if (sigprocmask(SIG_SETMASK, NULL, &z->old_mask) < 0) return -errno;
  // Orphans of our children come to us, not to init: we kill and reap them.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return -errno;
  // From here our own loop notices the worker's death (control EOF, pidfd) and cleans up first.
  prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
  for (int i = 0; i < o->nwatch; i++) {
    z->watched[i] = (watched_t){o->watch[i], proc_start_time(o->watch[i])};
    if (!z->watched[i].start_time) return -ESRCH;
    // With a watcher thread in each child, the children watch; we only notice the control socket.
    z->pidfds[i] = o->child_watch_thread ? -1 : sys_pidfd_open(o->watch[i]);
    if (z->pidfds[i] < 0 && errno == ESRCH) return -ESRCH;
    if (z->pidfds[i] < 0 && !o->child_watch_thread) z->polling = 1;
  }
  z->oom_base = oom_score_adj_read();
  // ISOLATED_TEST_SHARE_CODE=off: children fault code pages in again (to measure what it saves).
  const char *share = getenv("ISOLATED_TEST_SHARE_CODE");
  if (!share || strcmp(share, "off") != 0) share_file_mappings();
  // malloc's free pages inside its heap go back to the kernel: a child's allocations there then take
  // fresh zero pages instead of copying the zygote's (child CPU -1.2 to -1.9 ms a test, native/README.md).
  malloc_trim(0);
  int err = dontfork_ranges_read(&z->dc);
  if (err) return err;
  return 0;
}

int serve_run(const serve_opts_t *o, serve_result_t *res) {
  static zygote_t z;
  int err = setup(&z, o);
  if (err) return err;
  unsigned char *p = frame(&z, FRAME_READY, 20);
  if (p) {
    put_u32(p, (uint32_t)getpid());
    put_u32(p + 4, z.polling ? 0 : 1);
    put_u32(p + 8, (uint32_t)z.dc.count);
    put_u64(p + 12, z.dc.bytes);
  }
  struct pollfd *fds = NULL;
  int capfds = 0;
  for (;;) {
    flush(&z);
    int want = 1 + o->nwatch + z.nkids;
    if (want > capfds) {
      struct pollfd *more = realloc(fds, (size_t)want * sizeof *fds);
      if (!more) shutdown_all(&z, BYE_CONTROL_CLOSED, 0);
      fds = more;
      capfds = want;
    }
    fds[0] = (struct pollfd){o->control_fd, (short)(POLLIN | (z.out.len ? POLLOUT : 0)), 0};
    int n = 1, timer = z.polling;
    for (int i = 0; i < o->nwatch; i++)
      if (z.pidfds[i] >= 0) fds[n++] = (struct pollfd){z.pidfds[i], POLLIN, 0};
    int first_kid = n;
    for (int i = 0; i < z.nkids; i++) {
      if (z.kids[i].pidfd >= 0) fds[n++] = (struct pollfd){z.kids[i].pidfd, POLLIN, 0};
      else timer = 1;
    }
    int r = poll(fds, (nfds_t)n, timer ? 20 : z.strays_dying ? 50 : -1);
    if (r < 0 && errno != EINTR) shutdown_all(&z, BYE_CONTROL_CLOSED, 0);
    if (r < 0) continue;
    int exited = timer || z.strays_dying;
    for (int i = first_kid; i < n; i++)
      if (fds[i].revents) exited = 1;
    if (exited && reap(&z)) kill_strays(&z);
    for (int i = 0, j = 1; i < o->nwatch && !o->child_watch_thread; i++) {
      if (z.pidfds[i] < 0) {
        if (proc_start_time(o->watch[i]) != z.watched[i].start_time) shutdown_all(&z, BYE_WATCHED_DIED, o->watch[i]);
        continue;
      }
      if (fds[j++].revents & POLLIN) shutdown_all(&z, BYE_WATCHED_DIED, o->watch[i]);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      for (;;) {
        if (buf_reserve(&z.in, 65536) < 0) shutdown_all(&z, BYE_CONTROL_CLOSED, 0);
        ssize_t got = recv(o->control_fd, z.in.data + z.in.len, z.in.cap - z.in.len, MSG_DONTWAIT);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (got <= 0) shutdown_all(&z, BYE_CONTROL_CLOSED, 0); // the worker is gone
        z.in.len += (size_t)got;
        if (handle_frames(&z, res)) {
          free(fds); // the child's copy
          return 0;
        }
      }
    }
  }
}
