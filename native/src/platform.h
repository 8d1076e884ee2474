// Forked children must not hand work to Node's V8 worker threads: those threads stay in the zygote.
#ifndef ISOLATED_PLATFORM_H
#define ISOLATED_PLATFORM_H

/**
 * In a forked child: makes Node's platform drop tasks meant for its worker threads instead of queueing
 * them. Returns how many vtable slots it redirected (2 on Node 20-26), 0 when none was found, -1 on error.
 */
int drop_worker_thread_tasks(void);

#endif
