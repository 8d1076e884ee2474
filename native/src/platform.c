// Why: the zygote's V8 worker threads were waiting on their task queue's condition variable when it
// forked. A child inherits that condition variable with those waiters counted but gone, so glibc's
// pthread_cond_signal eventually waits for them forever (seen on Node 26, whose scavenger posts a job
// task at every young-generation GC even with --single-threaded); and at a natural end Node's
// DrainTasks waits for queued tasks no thread will run (Node 20 and 26 after major GCs). V8 joins its
// jobs on the calling thread, so a task nobody runs loses no work: in the child we drop them before
// they reach the queue, by pointing NodePlatform's worker-task methods (exported by the node binary)
// at a no-op in the child's private copy of its vtable. The caller still destroys the task it passed.
#include "compat.h"
#include "platform.h"

#include <dlfcn.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const WORKER_TASK_METHODS[] = {
    // Node 22+: PostTaskOnWorkerThreadImpl / PostDelayedTaskOnWorkerThreadImpl (TaskPriority, unique_ptr<Task>, ..., SourceLocation const&)
    "_ZN4node12NodePlatform26PostTaskOnWorkerThreadImplEN2v812TaskPriorityESt10unique_ptrINS1_4TaskESt14default_deleteIS4_EERKNS1_14SourceLocationE",
    "_ZN4node12NodePlatform33PostDelayedTaskOnWorkerThreadImplEN2v812TaskPriorityESt10unique_ptrINS1_4TaskESt14default_deleteIS4_EEdRKNS1_14SourceLocationE",
    // Node 20: CallOnWorkerThread / CallDelayedOnWorkerThread (unique_ptr<Task>[, double])
    "_ZN4node12NodePlatform18CallOnWorkerThreadESt10unique_ptrIN2v84TaskESt14default_deleteIS3_EE",
    "_ZN4node12NodePlatform25CallDelayedOnWorkerThreadESt10unique_ptrIN2v84TaskESt14default_deleteIS3_EEd",
};

// All four return void and take the task by invisible reference; ignoring every argument is valid
// for each of them under the SysV x86-64 calling convention.
static void drop_task(void) {}

int drop_worker_thread_tasks(void) {
  void **vtable = dlsym(RTLD_DEFAULT, "_ZTVN4node12NodePlatformE");
  if (!vtable) return 0;
  void *targets[4];
  int ntargets = 0;
  for (unsigned i = 0; i < sizeof WORKER_TASK_METHODS / sizeof WORKER_TASK_METHODS[0]; i++) {
    void *fn = dlsym(RTLD_DEFAULT, WORKER_TASK_METHODS[i]);
    if (fn) targets[ntargets++] = fn;
  }
  if (!ntargets) return 0;
  // Slot 0 is the offset to top, slot 1 the type info; NodePlatform has fewer than 64 virtual methods.
  const int first = 2, last = 2 + 64;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t lo = (uintptr_t)&vtable[first] & ~(page - 1);
  uintptr_t hi = ((uintptr_t)&vtable[last] + page - 1) & ~(page - 1);
  if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE) < 0) return -1;
  int replaced = 0;
  for (int slot = first; slot < last; slot++)
    for (int t = 0; t < ntargets; t++)
      if (vtable[slot] == targets[t]) {
        vtable[slot] = (void *)drop_task;
        replaced++;
      }
  mprotect((void *)lo, hi - lo, PROT_READ);
  return replaced;
}
