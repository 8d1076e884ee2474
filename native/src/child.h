// What a forked child does in C before it returns to JavaScript.
#ifndef ISOLATED_CHILD_H
#define ISOLATED_CHILD_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#define MAX_WATCH 8
#define MAX_CLOSE 32

/** Exit codes of a child whose setup failed before any JavaScript ran (the zygote reports them). */
enum {
  CHILD_EXIT_SETUP = 250,   // prctl/setpgid failed
  CHILD_EXIT_CONNECT = 251, // the worker's connect-back socket refused us (worker gone)
  CHILD_EXIT_LOOP = 252,    // uv_loop_fork failed
  CHILD_EXIT_ORPHAN = 253,  // the zygote died before we set the parent-death signal
  CHILD_EXIT_UNUSED = 254,  // a spare whose worker closed its channel without a request
};

/** Channel kinds a child announces on each connect-back connection. */
enum { CONNECT_CHANNEL = 0, CONNECT_STDOUT = 1, CONNECT_STDERR = 2, CONNECT_STACK = 3 };

typedef struct {
  pid_t pid;
  uint64_t start_time; // /proc/<pid>/stat start time, guards against pid reuse when polling
} watched_t;

typedef struct {
  uint32_t id;
  pid_t zygote;
  int new_group;       // setpgid(0, 0)
  int subreaper;       // PR_SET_CHILD_SUBREAPER
  int death_signal;    // PR_SET_PDEATHSIG; SIGKILL, or a signal whose handler ends our tree first; 0 = none
  int oom_score_adj;   // absolute value to write, or INT32_MIN to leave it
  const char *connect_path; // connect-back address (leading NUL = abstract), NULL = keep stdio
  int connect_len;
  int close_fds[MAX_CLOSE]; // the zygote's own descriptors (control socket, signalfd, pidfds)
  int nclose;
  int stack_thread;    // answer STACK_SIGNAL with the JS stack (stack.h), over a connect-back connection
  int watch_thread;    // start a thread that ends our tree when a watched process or the zygote dies
  watched_t watch[MAX_WATCH];
  int nwatch;
  const sigset_t *restore_mask; // NULL = leave the mask
  uv_loop_t *loop;
} child_opts_t;

/**
 * Runs in the child right after fork(). Returns 0 (and the channel fd in *channel_fd, -1 without
 * connect-back) or one of CHILD_EXIT_* (the caller _exits with it).
 */
int child_after_fork(const child_opts_t *o, int *channel_fd);

/** In a forked child: what drop_worker_thread_tasks() returned (-2 before any fork). */
extern int child_worker_task_slots;

/** Installs the handler that ends this process's tree on `sig` (then dies by SIGKILL). */
void install_tree_death_handler(int sig);

/** Starts the watcher thread of child_opts_t.watch_thread. Returns 0 or an errno. */
int start_watch_thread(const watched_t *watch, int nwatch, pid_t zygote);

#endif
