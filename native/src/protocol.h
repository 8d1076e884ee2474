// Frames on the zygote's control socket (mirrored in src/core/native/control-protocol.ts).
// Every frame: u32 length of what follows (type + body), u8 type, body; integers little-endian.
#ifndef ISOLATED_PROTOCOL_H
#define ISOLATED_PROTOCOL_H

enum {
  // worker -> zygote
  FRAME_FORK = 1,     // u32 id, payload bytes (handed to the child as a Buffer)
  FRAME_SHUTDOWN = 2, // (empty) end every child's tree and exit
  FRAME_PREFORK = 3,  // u32 id: fork a spare now; it connects back, then waits for its payload on its
                      // channel (u32 length, payload) and goes on as a FRAME_FORK child would
  FRAME_WRITESET = 4, // u32 count, count x (u64 start address, u32 pages): what children of this zygote
                      // were seen to write; each child forked after it writes them in one madvise per range
                      // (MADV_POPULATE_WRITE), far cheaper than a page fault each (native/README.md)
  // zygote -> worker
  FRAME_READY = 0x81,       // u32 zygote pid, u32 flags (bit 0: pidfd), u32 DONTFORK ranges, u64 their bytes
  FRAME_FORKED = 0x82,      // u32 id, u32 pid, u64 fork start (CLOCK_MONOTONIC ns), u32 fork() call in us
  FRAME_EXIT = 0x83,        // u32 id, u32 pid, i32 code (-1 if signalled), i32 signal, u64 maxrss KiB, u64 user us, u64 sys us
  FRAME_FORK_FAILED = 0x84, // u32 id, i32 errno
  FRAME_STRAYS = 0x85,      // u32 count, u32 pids[count]: leftovers of exited children, re-parented to us and killed
  FRAME_BYE = 0x86,         // u32 reason (BYE_*), u32 pid that died (or 0); the zygote exits after it
};

enum { BYE_CONTROL_CLOSED = 1, BYE_WATCHED_DIED = 2, BYE_SHUTDOWN = 3 };

#define FRAME_MAX (64u << 20)

#endif
