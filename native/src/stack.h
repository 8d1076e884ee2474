// Where a forked child's JavaScript is, without an inspector: a thread of ours waits for the stack
// signal, asks Node to interrupt the main thread (node::RequestInterrupt, which also wakes an idle
// event loop), reads V8's current stack trace in the interrupt, and sends it to the worker over a
// connect-back connection of its own. Opening the inspector in every child cost 16-28 ms; this costs
// one small thread.
#ifndef ISOLATED_STACK_H
#define ISOLATED_STACK_H

#include <node_api.h>
#include <signal.h>
#include <stdint.h>

/** The signal that asks a forked child for its stack (a real-time signal nothing in Node uses). */
#define STACK_SIGNAL (SIGRTMAX - 5)

/**
 * In the zygote, on the main thread inside an N-API call: finds the V8 and Node entry points (exported
 * by the node binary) and this isolate's Node environment. Returns 1 when children can be armed.
 */
int stack_prepare(napi_env env);

/**
 * In a forked child, in C after fork: blocks STACK_SIGNAL on the calling (main) thread and starts the
 * thread that answers it, sending each answer as a connection of kind `kind` for request `id`.
 * Returns 0, or an errno (then the child has no stack thread: the worker falls back to the inspector).
 */
int stack_arm(const char *connect_path, int connect_len, uint32_t id, int kind);

/**
 * A function (or NULL to clear) called on the main thread after each answer's frames are read; its
 * string result is added to the answer as a "c" record (a forked child's coverage on a timeout).
 */
int stack_set_hook(napi_env env, napi_value fn);

/** Whether this child's stack thread runs. */
extern int stack_armed;

#endif
