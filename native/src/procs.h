// Process primitives in plain C: pidfds through syscall(2), /proc readers and the tree kill.
// Everything here except where noted is async-signal-safe (raw syscalls, no malloc, no stdio), so the
// parent-death handler of a forked child can use it.
#ifndef ISOLATED_PROCS_H
#define ISOLATED_PROCS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int sys_pidfd_open(pid_t pid);
int sys_pidfd_send_signal(int pidfd, int sig);

/** Start time of pid in clock ticks since boot (field 22 of /proc/<pid>/stat), 0 if unreadable. */
uint64_t proc_start_time(pid_t pid);

/** /proc/self/oom_score_adj, 0 if unreadable. */
int oom_score_adj_read(void);
/** Writes /proc/self/oom_score_adj (raising needs no privilege). Returns 0 or -errno. */
int oom_score_adj_write(int value);

/** Appends the children of pid (every thread's list) to out, up to cap. Returns the count, -1 on error. */
int list_children(pid_t pid, pid_t *out, int cap);

/**
 * Ends root's tree: SIGSTOPs every descendant (and root when include_root), lists the tree again until
 * no new pid appears (a stopped process cannot fork, and its exited children stay zombies, so no listed
 * pid can be recycled), then SIGKILLs them all. Repeats while new pids show up. Stores the signalled pids
 * in out (up to cap, root first when included) and returns how many were signalled.
 */
int kill_tree(pid_t root, int include_root, pid_t *out, int cap);

/** Decimal formatting without stdio. Returns the end of the written text (NUL-terminated). */
char *fmt_uint(char *dst, uint64_t value);

#endif
