#include "compat.h"
#include "stack.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

// connect_back() of child.c: one announced connection to the worker.
int child_connect_back(const char *path, int len, uint32_t id, int kind);

// A v8::Local<T> is one pointer (trivially copyable: passed and returned in a register), and a
// non-static member function takes the object, which for a handle is that same pointer, first.
typedef void *local_t;
typedef struct {
  int line, column; // 0-based
} location_t;

static struct {
  void *(*isolate_get_current)(void);
  local_t (*isolate_get_current_context)(void *isolate);
  void *(*get_current_environment)(local_t context);
  void (*request_interrupt)(void *environment, void (*fun)(void *), void *arg);
  void (*isolate_request_interrupt)(void *isolate, void (*fun)(void *isolate, void *arg), void *arg);
  local_t (*current_stack_trace)(void *isolate, int frame_limit, int options);
  int (*get_frame_count)(local_t trace);
  local_t (*get_frame)(local_t trace, void *isolate, uint32_t index);
  location_t (*get_location)(local_t frame);
  local_t (*get_script_name)(local_t frame);
  local_t (*get_function_name)(local_t frame);
  local_t (*get_source_mapping_url)(local_t frame);
} v8;

static napi_env stack_env;
static void *isolate, *environment;
// A JS function of the child's (set_stack_hook), called in the interrupt after the frames are read: its
// string result (the child's coverage, as JSON) goes into the answer as a "c" record.
static napi_ref stack_hook;
static int prepared;
int stack_armed;

int stack_prepare(napi_env env) {
  if (prepared) return prepared > 0;
  prepared = -1;
#define SYM(field, name) \
  if (!(*(void **)&v8.field = dlsym(RTLD_DEFAULT, name))) return 0;
  SYM(isolate_get_current, "_ZN2v87Isolate10GetCurrentEv")
  SYM(isolate_get_current_context, "_ZN2v87Isolate17GetCurrentContextEv")
  SYM(get_current_environment, "_ZN4node21GetCurrentEnvironmentEN2v85LocalINS0_7ContextEEE")
  SYM(request_interrupt, "_ZN4node16RequestInterruptEPNS_11EnvironmentEPFvPvES2_")
  SYM(isolate_request_interrupt, "_ZN2v87Isolate16RequestInterruptEPFvPS0_PvES2_")
  SYM(current_stack_trace, "_ZN2v810StackTrace17CurrentStackTraceEPNS_7IsolateEiNS0_17StackTraceOptionsE")
  SYM(get_frame_count, "_ZNK2v810StackTrace13GetFrameCountEv")
  SYM(get_frame, "_ZNK2v810StackTrace8GetFrameEPNS_7IsolateEj")
  SYM(get_location, "_ZNK2v810StackFrame11GetLocationEv")
  SYM(get_script_name, "_ZNK2v810StackFrame13GetScriptNameEv")
  SYM(get_function_name, "_ZNK2v810StackFrame15GetFunctionNameEv")
  SYM(get_source_mapping_url, "_ZNK2v810StackFrame25GetScriptSourceMappingURLEv")
#undef SYM
  isolate = v8.isolate_get_current();
  // An N-API call has a HandleScope open: the context handle lives until it returns.
  local_t context = isolate ? v8.isolate_get_current_context(isolate) : NULL;
  environment = context ? v8.get_current_environment(context) : NULL;
  if (!environment) return 0;
  stack_env = env;
  prepared = 1;
  return 1;
}

// ---- the answer, built in the interrupt (main thread), sent by the stack thread ----

typedef struct {
  char *data;
  size_t len, cap;
} text_t;

static void text_add(text_t *t, const char *s, size_t n) {
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + n + 1) cap *= 2;
    char *more = realloc(t->data, cap);
    if (!more) return;
    t->data = more;
    t->cap = cap;
  }
  memcpy(t->data + t->len, s, n);
  t->len += n;
  t->data[t->len] = 0;
}

static void text_str(text_t *t, const char *s) { text_add(t, s, strlen(s)); }

// A JS string, with tabs and line breaks made spaces (they separate fields and records).
static void text_js(text_t *t, local_t s) {
  size_t n = 0;
  if (!s || napi_get_value_string_utf8(stack_env, (napi_value)s, NULL, 0, &n) != napi_ok) return;
  char *buf = malloc(n + 1);
  if (!buf) return;
  napi_get_value_string_utf8(stack_env, (napi_value)s, buf, n + 1, &n);
  for (size_t i = 0; i < n; i++)
    if (buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r') buf[i] = ' ';
  text_add(t, buf, n);
  free(buf);
}

#define MAX_FRAMES 50

// The hook's string, as one "c" record (JSON has no raw tab or line break). An exception it throws is
// cleared: the answer goes without it.
static void add_hook_record(text_t *t) {
  napi_value fn, recv, result;
  if (!stack_hook || napi_get_reference_value(stack_env, stack_hook, &fn) != napi_ok || !fn) return;
  napi_get_undefined(stack_env, &recv);
  if (napi_call_function(stack_env, recv, fn, 0, NULL, &result) != napi_ok) {
    bool pending = false;
    napi_value error;
    if (napi_is_exception_pending(stack_env, &pending) == napi_ok && pending) napi_get_and_clear_last_exception(stack_env, &error);
    return;
  }
  napi_valuetype type;
  if (napi_typeof(stack_env, result, &type) != napi_ok || type != napi_string) return;
  text_str(t, "c\t");
  text_js(t, (local_t)result);
  text_str(t, "\n");
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t answered = PTHREAD_COND_INITIALIZER;
static uintptr_t asked, done; // request generations: a late answer to an old request is dropped
static text_t answer;
// The frames, while the hook's interrupt is on its way (for request `pending_generation`).
static text_t pending;
static uintptr_t pending_generation;
// The request whose hook is running (the frames are with it then).
static uintptr_t hook_started;

static void publish(uintptr_t generation, text_t t) {
  pthread_mutex_lock(&lock);
  if (generation == asked) {
    free(answer.data);
    answer = t;
    done = generation;
    pthread_cond_signal(&answered);
  } else {
    free(t.data);
  }
  pthread_mutex_unlock(&lock);
}

// A V8 interrupt (main thread, JS paused at a safe point): the frames read before, and the hook's record.
static void on_hook_interrupt(void *unused, void *arg) {
  (void)unused;
  pthread_mutex_lock(&lock);
  // Too late: the frames went alone. The hook must not run then (its take resets what a child that
  // goes on would send with its verdict).
  if (pending_generation != (uintptr_t)arg) {
    pthread_mutex_unlock(&lock);
    return;
  }
  text_t t = pending;
  pending = (text_t){0};
  pending_generation = 0;
  hook_started = (uintptr_t)arg;
  pthread_cond_signal(&answered);
  pthread_mutex_unlock(&lock);
  napi_handle_scope scope;
  if (napi_open_handle_scope(stack_env, &scope) == napi_ok) {
    add_hook_record(&t);
    napi_close_handle_scope(stack_env, scope);
  }
  publish((uintptr_t)arg, t);
}

// Runs on the main thread inside a V8 interrupt (JS paused at a safe point) or, when the loop was
// idle, from the loop (no JS on the stack: no frames). The frames are read without running JavaScript;
// then the hook, if set, runs (as the inspector runs a Runtime.evaluate it serves in an interrupt).
static void on_interrupt(void *arg) {
  uintptr_t generation = (uintptr_t)arg;
  text_t t = {0};
  napi_handle_scope scope;
  if (napi_open_handle_scope(stack_env, &scope) == napi_ok) {
    // kLineNumber | kColumnOffset | kScriptName | kFunctionName | kScriptNameOrSourceURL
    local_t trace = v8.current_stack_trace(isolate, MAX_FRAMES, 1 | 2 | 4 | 8 | 64);
    int n = trace ? v8.get_frame_count(trace) : 0;
    local_t scripts[MAX_FRAMES];
    int nscripts = 0;
    text_str(&t, "ITS1 answered\n");
    for (int i = 0; i < n && i < MAX_FRAMES; i++) {
      local_t frame = v8.get_frame(trace, isolate, (uint32_t)i);
      if (!frame) continue;
      location_t at = v8.get_location(frame);
      local_t script = v8.get_script_name(frame);
      char num[64];
      text_str(&t, "f\t");
      text_js(&t, v8.get_function_name(frame));
      text_str(&t, "\t");
      text_js(&t, script);
      snprintf(num, sizeof num, "\t%d\t%d\n", at.line, at.column);
      text_str(&t, num);
      // Each script's source map once (Vitest's and Jest's transforms inline them as data: URLs).
      int seen = 0;
      for (int j = 0; j < nscripts && !seen; j++) seen = scripts[j] == script;
      local_t map = v8.get_source_mapping_url(frame);
      if (!seen && map && script) {
        scripts[nscripts++] = script;
        text_str(&t, "m\t");
        text_js(&t, script);
        text_str(&t, "\t");
        text_js(&t, map);
        text_str(&t, "\n");
      }
    }
    napi_close_handle_scope(stack_env, scope);
    // JS was running: the hook runs in a V8 interrupt of its own, next (Node runs this callback where
    // JavaScript is not allowed; V8's own interrupts allow it, as the inspector's Runtime.evaluate).
    // Idle: the worker asks over the inspector instead, which runs the same hook.
    if (stack_hook && n > 0) {
      pthread_mutex_lock(&lock);
      if (generation != asked) {
        // A request given up on already: no hook (its take would be sent to no one).
        pthread_mutex_unlock(&lock);
        free(t.data);
        return;
      }
      free(pending.data);
      pending = t;
      pending_generation = generation;
      pthread_cond_signal(&answered);
      pthread_mutex_unlock(&lock);
      v8.isolate_request_interrupt(isolate, on_hook_interrupt, arg);
      return;
    }
  }
  publish(generation, t);
}

static struct {
  char path[128];
  int len;
  uint32_t id;
  int kind;
} where;

// How long the main thread may take to reach a safe point (the worker's whole budget for asking): a
// thread blocked in a system call or a native addon never does, and the worker then reads /proc.
#define ANSWER_WAIT_MS 1500
// How long the frames wait for the hook's own interrupt (it runs at the next safe point of busy JS).
#define HOOK_WAIT_MS 300

static void *stack_main(void *unused) {
  (void)unused;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, STACK_SIGNAL);
  for (;;) {
    if (sigwaitinfo(&set, NULL) != STACK_SIGNAL) continue;
    pthread_mutex_lock(&lock);
    uintptr_t generation = ++asked;
    pthread_mutex_unlock(&lock);
    v8.request_interrupt(environment, on_interrupt, (void *)generation);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ANSWER_WAIT_MS / 1000;
    until.tv_nsec += (long)(ANSWER_WAIT_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&lock);
    while (done != generation && pending_generation != generation && hook_started != generation && pthread_cond_timedwait(&answered, &lock, &until) != ETIMEDOUT) {
    }
    // The frames are read and the hook's interrupt is on its way: it comes at the next safe point of
    // running JS. JS that ended first (the loop gone idle) never reaches one: then the frames go alone.
    // Once the hook runs, it has until the answer's own deadline.
    if (done != generation && (pending_generation == generation || hook_started == generation)) {
      struct timespec hook_until;
      clock_gettime(CLOCK_REALTIME, &hook_until);
      hook_until.tv_nsec += (long)HOOK_WAIT_MS * 1000000L;
      if (hook_until.tv_nsec >= 1000000000L) {
        hook_until.tv_sec++;
        hook_until.tv_nsec -= 1000000000L;
      }
      while (done != generation) {
        int running = hook_started == generation;
        int r = pthread_cond_timedwait(&answered, &lock, running ? &until : &hook_until);
        if (r == ETIMEDOUT && done != generation && (hook_started == generation) == running) break;
      }
    }
    text_t t = {0};
    if (done == generation) {
      t = answer;
      answer = (text_t){0};
    } else if (pending_generation == generation) {
      t = pending;
      pending = (text_t){0};
      pending_generation = 0;
    }
    pthread_mutex_unlock(&lock);
    int fd = child_connect_back(where.path, where.len, where.id, where.kind);
    if (fd >= 0) {
      const char *body = t.data ? t.data : "ITS1 no-answer\n";
      size_t len = t.data ? t.len : strlen(body);
      while (len) {
        ssize_t w = write(fd, body, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        body += w;
        len -= (size_t)w;
      }
      close(fd);
    }
    free(t.data);
  }
  return NULL;
}

int stack_set_hook(napi_env env, napi_value fn) {
  if (stack_hook) {
    napi_delete_reference(env, stack_hook);
    stack_hook = NULL;
  }
  return fn ? napi_create_reference(env, fn, 1, &stack_hook) == napi_ok : 1;
}

int stack_arm(const char *connect_path, int connect_len, uint32_t id, int kind) {
  stack_armed = 0;
  if (prepared <= 0 || !connect_path || connect_len <= 0 || connect_len > (int)sizeof where.path) return ENOTSUP;
  memcpy(where.path, connect_path, (size_t)connect_len);
  where.len = connect_len;
  where.id = id;
  where.kind = kind;
  // Blocked here, the signal waits for the thread; threads started later (libuv's pool, Workers)
  // inherit the block, and libuv clears the mask for the processes it spawns.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, STACK_SIGNAL);
  sigprocmask(SIG_BLOCK, &set, NULL); // this thread's mask (Linux), like child.c
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  int err = pthread_create(&thread, &attr, stack_main, NULL);
  pthread_attr_destroy(&attr);
  if (err == 0) stack_armed = 1;
  return err;
}
