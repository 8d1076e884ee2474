// Builds against a newer glibc must still load on glibc 2.28 (RHEL 8, Debian 10): pin the few
// symbols that glibc 2.34 moved into libc (pthread_*) to their old versions, and never call the
// wrappers newer than 2.28 (pidfd_open, close_range, the stat family since 2.33): raw syscalls instead.
#ifndef ISOLATED_COMPAT_H
#define ISOLATED_COMPAT_H

#include <features.h> // defines __GLIBC__

#if defined(__x86_64__) && defined(__GLIBC__)
__asm__(".symver pthread_create,pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_attr_init,pthread_attr_init@GLIBC_2.2.5");
__asm__(".symver pthread_attr_destroy,pthread_attr_destroy@GLIBC_2.2.5");
__asm__(".symver pthread_attr_setstacksize,pthread_attr_setstacksize@GLIBC_2.2.5");
__asm__(".symver pthread_attr_setdetachstate,pthread_attr_setdetachstate@GLIBC_2.2.5");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.2.5");
// dlsym moved from libdl into libc in 2.34; the old version is in libdl (linked) on older systems.
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
#endif

#endif
