// N-API surface of the addon: argument checks and conversions only; the work is in procs.c,
// dontfork.c, child.c and serve.c.
#include "compat.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "dontfork.h"
#include "hugetext.h"
#include "napi_util.h"
#include "procs.h"
#include "serve.h"
#include "stack.h"

static napi_value get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_value undef;
  napi_get_undefined(env, &undef);
  for (size_t i = argc; i < want; i++) argv[i] = undef;
  return undef;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// setChildSubreaper(on: boolean): void
static napi_value set_child_subreaper(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  get_args(env, info, 1, argv);
  bool on;
  if (napi_get_value_bool(env, argv[0], &on) != napi_ok) return throw_type(env, "on must be a boolean");
  if (prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) < 0) return throw_errno(env, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
  return undefined(env);
}

// setParentDeathSignal(signal: number): void (0 clears it)
static napi_value set_parent_death_signal(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  get_args(env, info, 1, argv);
  int32_t sig;
  if (!arg_int(env, argv[0], &sig, "signal")) return NULL;
  if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0) return throw_errno(env, errno, "prctl(PR_SET_PDEATHSIG)");
  return undefined(env);
}

// setpgid(pid: number, pgid: number): void
static napi_value js_setpgid(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  get_args(env, info, 2, argv);
  int32_t pid, pgid;
  if (!arg_int(env, argv[0], &pid, "pid") || !arg_int(env, argv[1], &pgid, "pgid")) return NULL;
  if (setpgid(pid, pgid) < 0) return throw_errno(env, errno, "setpgid");
  return undefined(env);
}

// getpgid(pid: number): number
static napi_value js_getpgid(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  get_args(env, info, 1, argv);
  int32_t pid;
  if (!arg_int(env, argv[0], &pid, "pid")) return NULL;
  pid_t g = getpgid(pid);
  if (g < 0) return throw_errno(env, errno, "getpgid");
  return make_int(env, g);
}

// pidfdOpen(pid: number): number | 'gone' | 'unsupported'
static napi_value pidfd_open_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  get_args(env, info, 1, argv);
  int32_t pid;
  if (!arg_int(env, argv[0], &pid, "pid")) return NULL;
  int fd = sys_pidfd_open(pid);
  if (fd >= 0) return make_int(env, fd);
  if (errno == ESRCH) return make_str(env, "gone");
  if (errno == ENOSYS) return make_str(env, "unsupported");
  return throw_errno(env, errno, "pidfd_open");
}

// pidfdSendSignal(pidfd: number, signal: number): 'sent' | 'gone' | 'unsupported'
static napi_value pidfd_send_signal_js(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  get_args(env, info, 2, argv);
  int32_t fd, sig;
  if (!arg_int(env, argv[0], &fd, "pidfd") || !arg_int(env, argv[1], &sig, "signal")) return NULL;
  if (sys_pidfd_send_signal(fd, sig) == 0) return make_str(env, "sent");
  if (errno == ESRCH) return make_str(env, "gone");
  if (errno == ENOSYS) return make_str(env, "unsupported");
  return throw_errno(env, errno, "pidfd_send_signal");
}

static napi_value exit_status(napi_env env, pid_t pid, int status, const struct rusage *ru) {
  napi_value o, nul;
  napi_create_object(env, &o);
  napi_get_null(env, &nul);
  set_prop(env, o, "pid", make_int(env, pid));
  set_prop(env, o, "code", WIFEXITED(status) ? make_int(env, WEXITSTATUS(status)) : nul);
  set_prop(env, o, "signal", WIFSIGNALED(status) ? make_int(env, WTERMSIG(status)) : nul);
  set_prop(env, o, "maxRssKb", make_int(env, ru->ru_maxrss));
  set_prop(env, o, "userMicros", make_int(env, (int64_t)ru->ru_utime.tv_sec * 1000000 + ru->ru_utime.tv_usec));
  set_prop(env, o, "systemMicros", make_int(env, (int64_t)ru->ru_stime.tv_sec * 1000000 + ru->ru_stime.tv_usec));
  return o;
}

// waitNoHang(pid: number): ExitStatus | undefined. Only a pid the caller owns (never -1 or a group).
static napi_value wait_no_hang(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  get_args(env, info, 1, argv);
  int32_t pid;
  if (!arg_int(env, argv[0], &pid, "pid")) return NULL;
  if (pid <= 0) return throw_type(env, "pid must be a positive process id: waiting on -1 or a group would steal other owners' statuses");
  int status;
  struct rusage ru;
  pid_t r;
  do r = wait4(pid, &status, WNOHANG, &ru);
  while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, errno, "wait4");
  if (r == 0) return undefined(env);
  return exit_status(env, r, status, &ru);
}

// killTree(pid: number, includeRoot: boolean): number[] (the pids signalled)
static napi_value kill_tree_js(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  get_args(env, info, 2, argv);
  int32_t pid;
  bool include_root = false;
  if (!arg_int(env, argv[0], &pid, "pid")) return NULL;
  if (pid <= 1) return throw_type(env, "pid must be a process id above 1");
  napi_get_value_bool(env, argv[1], &include_root);
  pid_t *out = malloc(4096 * sizeof *out);
  if (!out) return throw_errno(env, ENOMEM, "killTree");
  int n = kill_tree(pid, include_root, out, 4096);
  if (n > 4096) n = 4096;
  napi_value arr;
  napi_create_array_with_length(env, (size_t)n, &arr);
  for (int i = 0; i < n; i++) napi_set_element(env, arr, (uint32_t)i, make_int(env, out[i]));
  free(out);
  return arr;
}

// exitNow(code: number): never. Skips Node's teardown, which joins V8 platform threads a forked child lacks.
static napi_value exit_now(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  get_args(env, info, 1, argv);
  int32_t code = 0;
  napi_get_value_int32(env, argv[0], &code);
  _exit(code & 0xff);
}

// shutdownWrite(fd): shutdown(fd, SHUT_WR); false when fd is not a connected socket. A forked child
// ends its output sockets with its answer, so the worker has all of it without waiting for its death.
static napi_value shutdown_write(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  get_args(env, info, 1, argv);
  int32_t fd;
  if (!arg_int(env, argv[0], &fd, "fd")) return NULL;
  napi_value r;
  napi_get_boolean(env, shutdown(fd, SHUT_WR) == 0, &r);
  return r;
}

// setStackHook(fn | null): what a forked child adds to its stack answers (stack.h).
static napi_value set_stack_hook(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  get_args(env, info, 1, argv);
  napi_valuetype t;
  if (napi_typeof(env, argv[0], &t) != napi_ok || (t != napi_function && t != napi_null && t != napi_undefined)) return throw_type(env, "the hook must be a function or null");
  if (!stack_set_hook(env, t == napi_function ? argv[0] : NULL)) return throw_type(env, "the hook could not be kept");
  return NULL;
}

// dontforkRanges(): { count, bytes } of the mappings marked MADV_DONTFORK now.
static napi_value dontfork_info(napi_env env, napi_callback_info info) {
  (void)info;
  ranges_t r = {0};
  int err = dontfork_ranges_read(&r);
  if (err) return throw_errno(env, -err, "read /proc/self/smaps");
  napi_value o;
  napi_create_object(env, &o);
  set_prop(env, o, "count", make_int(env, r.count));
  set_prop(env, o, "bytes", make_int(env, (int64_t)r.bytes));
  dontfork_ranges_free(&r);
  return o;
}

// workerTaskSlots(): how many of NodePlatform's worker-task methods this forked child redirected to a
// no-op (2 on Node 20-26; 0 = not found: a Node whose internals we do not know; -2 = not a forked child).
static napi_value worker_task_slots(napi_env env, napi_callback_info info) {
  (void)info;
  return make_int(env, child_worker_task_slots);
}

static int read_child_flags(napi_env env, napi_value opts, child_opts_t *c) {
  int32_t v;
  int b, r;
  c->new_group = c->subreaper = 1;
  if ((r = prop_bool(env, opts, "newGroup", &b)) < 0) return -1;
  if (r) c->new_group = b;
  if ((r = prop_bool(env, opts, "subreaper", &b)) < 0) return -1;
  if (r) c->subreaper = b;
  if ((r = prop_int(env, opts, "deathSignal", &v)) < 0) return -1;
  if (r) c->death_signal = v;
  c->oom_score_adj = INT32_MIN;
  if ((r = prop_int(env, opts, "oomScoreAdjDelta", &v)) < 0) return -1;
  if (r) c->oom_score_adj = oom_score_adj_read() + v;
  return 0;
}

// fork(options?): number. The pid in the parent, 0 in the child (which has a working event loop).
// For the self-test and experiments; a zygote uses serve().
static napi_value fork_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  get_args(env, info, 1, argv);
  child_opts_t c;
  memset(&c, 0, sizeof c);
  if (read_child_flags(env, argv[0], &c) < 0) return NULL;
  CHECK_NAPI(env, napi_get_uv_event_loop(env, (struct uv_loop_s **)&c.loop));
  c.zygote = getpid();
  ranges_t dc = {0};
  int err = dontfork_ranges_read(&dc);
  if (err) return throw_errno(env, -err, "read /proc/self/smaps");
  dontfork_ranges_apply(&dc, MADV_DOFORK);
  pid_t pid = fork();
  int fork_errno = errno;
  dontfork_ranges_apply(&dc, MADV_DONTFORK);
  dontfork_ranges_free(&dc);
  if (pid < 0) return throw_errno(env, fork_errno, "fork");
  if (pid == 0) {
    int channel;
    int fail = child_after_fork(&c, &channel);
    if (fail) _exit(fail);
  }
  return make_int(env, pid);
}

static int read_serve_opts(napi_env env, napi_value opts, serve_opts_t *o, char *path_buf, size_t path_cap) {
  int32_t v;
  int b, r;
  o->death_signal = SIGKILL;
  if ((r = prop_int(env, opts, "oomScoreAdjDelta", &v)) < 0) return -1;
  o->oom_delta = r ? v : 100;
  if ((r = prop_int(env, opts, "deathSignal", &v)) < 0) return -1;
  if (r) o->death_signal = v;
  if ((r = prop_bool(env, opts, "childWatchThread", &b)) < 0) return -1;
  if (r) o->child_watch_thread = b;
  napi_value v_path, v_list;
  napi_valuetype t;
  if (napi_get_named_property(env, opts, "connectPath", &v_path) == napi_ok && napi_typeof(env, v_path, &t) == napi_ok &&
      t == napi_string) {
    size_t len;
    napi_get_value_string_utf8(env, v_path, path_buf, path_cap, &len);
    if (len >= 108) {
      throw_type(env, "connectPath must be shorter than 108 bytes");
      return -1;
    }
    o->connect_path = path_buf;
    o->connect_len = (int)len;
  }
  const char *lists[2] = {"watchPids", "closeFds"};
  for (int l = 0; l < 2; l++) {
    bool is_array = false;
    if (napi_get_named_property(env, opts, lists[l], &v_list) != napi_ok) continue;
    napi_is_array(env, v_list, &is_array);
    if (!is_array) continue;
    uint32_t len;
    napi_get_array_length(env, v_list, &len);
    int cap = l == 0 ? MAX_WATCH : (int)(sizeof o->close_fds / sizeof o->close_fds[0]);
    if ((int)len > cap) {
      throw_type(env, l == 0 ? "watchPids: at most 8 pids" : "closeFds: at most 24 fds");
      return -1;
    }
    for (uint32_t i = 0; i < len; i++) {
      napi_value e;
      napi_get_element(env, v_list, i, &e);
      if (!arg_int(env, e, &v, lists[l])) return -1;
      if (l == 0) o->watch[o->nwatch++] = v;
      else o->close_fds[o->nclose++] = v;
    }
  }
  return 0;
}

static void free_payload(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

// serve(controlFd: number, options): ForkRequest. Blocks; returns only in a forked child.
static napi_value serve_js(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  get_args(env, info, 2, argv);
  int32_t fd;
  if (!arg_int(env, argv[0], &fd, "controlFd")) return NULL;
  serve_opts_t o;
  memset(&o, 0, sizeof o);
  o.control_fd = fd;
  char path[128];
  napi_valuetype t;
  if (napi_typeof(env, argv[1], &t) != napi_ok || t != napi_object) return throw_type(env, "options must be an object");
  if (read_serve_opts(env, argv[1], &o, path, sizeof path) < 0) return NULL;
  CHECK_NAPI(env, napi_get_uv_event_loop(env, (struct uv_loop_s **)&o.loop));
  o.stack_thread = stack_prepare(env);
  serve_result_t res;
  int err = serve_run(&o, &res);
  if (err) return throw_errno(env, -err, "serve");
  napi_value r, payload, start;
  napi_create_object(env, &r);
  set_prop(env, r, "id", make_int(env, res.id));
  set_prop(env, r, "pid", make_int(env, res.pid));
  set_prop(env, r, "zygotePid", make_int(env, res.zygote));
  set_prop(env, r, "channelFd", make_int(env, res.channel_fd));
  if (res.payload_len) {
    napi_create_external_buffer(env, res.payload_len, res.payload, free_payload, NULL, &payload);
  } else {
    free(res.payload);
    void *unused;
    napi_create_buffer(env, 0, &unused, &payload);
  }
  set_prop(env, r, "payload", payload);
  napi_create_bigint_uint64(env, res.fork_start_ns, &start);
  set_prop(env, r, "forkStartNs", start);
  napi_value armed, seed;
  napi_get_boolean(env, stack_armed != 0, &armed);
  set_prop(env, r, "stackArmed", armed);
  void *unused_data;
  napi_create_buffer_copy(env, sizeof res.seed, res.seed, &unused_data, &seed);
  set_prop(env, r, "seed", seed);
  return r;
}

// moveTextToHugePages(): { moved: number, error: number } (hugetext.h)
static napi_value hugetext_result_js(napi_env env, hugetext_result_t res) {
  napi_value r;
  napi_create_object(env, &r);
  set_prop(env, r, "moved", make_int(env, (int)(res.moved >> 20)));
  set_prop(env, r, "error", make_int(env, res.error));
  return r;
}

static napi_value move_text_js(napi_env env, napi_callback_info info) {
  (void)info;
  return hugetext_result_js(env, move_text_to_huge_pages());
}

// startTextMove(): 0 or an errno; finishTextMove(): { moved, error } (hugetext.h)
static napi_value start_text_move_js(napi_env env, napi_callback_info info) {
  (void)info;
  return make_int(env, hugetext_start());
}

static napi_value finish_text_move_js(napi_env env, napi_callback_info info) {
  (void)info;
  return hugetext_result_js(env, hugetext_finish());
}

static napi_value init(napi_env env, napi_value exports) {
  struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"setChildSubreaper", set_child_subreaper},
      {"setParentDeathSignal", set_parent_death_signal},
      {"setpgid", js_setpgid},
      {"getpgid", js_getpgid},
      {"pidfdOpen", pidfd_open_js},
      {"pidfdSendSignal", pidfd_send_signal_js},
      {"waitNoHang", wait_no_hang},
      {"killTree", kill_tree_js},
      {"exitNow", exit_now},
      {"shutdownWrite", shutdown_write},
      {"dontforkRanges", dontfork_info},
      {"fork", fork_js},
      {"serve", serve_js},
      {"workerTaskSlots", worker_task_slots},
      {"setStackHook", set_stack_hook},
      {"moveTextToHugePages", move_text_js},
      {"startTextMove", start_text_move_js},
      {"finishTextMove", finish_text_move_js},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    set_prop(env, exports, fns[i].name, f);
  }
  // The parent-death signal whose handler ends a child's tree before it dies (a real-time signal
  // nothing in Node uses; JavaScript cannot install a handler for it).
  set_prop(env, exports, "treeDeathSignal", make_int(env, SIGRTMAX - 4));
  // Asks a forked child for its JS stack (stack.h).
  set_prop(env, exports, "stackSignal", make_int(env, STACK_SIGNAL));
  set_prop(env, exports, "abiVersion", make_int(env, 1));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
