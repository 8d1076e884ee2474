// The zygote's loop: waits on its control socket, SIGCHLD and the watched processes without running
// JavaScript, forks on each request, reaps and reports. Returns only in a forked child.
#ifndef ISOLATED_SERVE_H
#define ISOLATED_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "child.h"

typedef struct {
  int control_fd;
  const char *connect_path; // connect-back address for children (leading NUL = abstract); NULL = none
  int connect_len;
  pid_t watch[MAX_WATCH];   // the test worker, the runner's main process: their death ends everything
  int nwatch;
  int oom_delta;            // children get the zygote's oom_score_adj plus this
  int death_signal;         // children's PR_SET_PDEATHSIG (SIGKILL or a tree-ending handler's signal)
  int stack_thread;         // children answer STACK_SIGNAL with their JS stack (stack_prepare() succeeded)
  int child_watch_thread;   // children also watch `watch` themselves, with a thread
  int close_fds[MAX_CLOSE - 8]; // more zygote-only fds to close in children
  int nclose;
  uv_loop_t *loop;
} serve_opts_t;

typedef struct {
  uint32_t id;
  pid_t pid, zygote;
  int channel_fd;
  unsigned char *payload; // malloc'd, owned by the caller
  size_t payload_len;
  uint64_t fork_start_ns;
  unsigned char seed[16]; // from getrandom(2) in the child: its Math.random seed, without OpenSSL's fork reseed
} serve_result_t;

/** Returns 0 in a forked child (res filled). Returns -errno only when it cannot start serving; the zygote otherwise exits. */
int serve_run(const serve_opts_t *o, serve_result_t *res);

uint64_t monotonic_ns(void);

#endif
