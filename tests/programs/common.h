// Helpers shared by the test programs (header only: build.rs compiles each *.c on its own).
#ifndef SBX_TEST_COMMON_H
#define SBX_TEST_COMMON_H
#include <errno.h>
#include <stdio.h>

static const char *errno_name(int e) {
  switch (e) {
    case 0: return "OK";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOTSUP: return "ENOTSUP";
    default: return "E?";
  }
}

// Prints "label = value" or "label = -1 ERRNAME" for a syscall-style result.
static void report(const char *label, long ret, int err) {
  if (ret < 0) printf("%s = %ld %s\n", label, ret, errno_name(err));
  else printf("%s = %ld\n", label, ret);
}

// Evaluates `expr` with errno cleared and reports it.
#define REPORT(label, expr)           \
  do {                                \
    errno = 0;                        \
    long r_ = (long)(expr);           \
    report((label), r_, errno);       \
  } while (0)

#endif
