/* The conformance harness: every case includes this and nothing else of ours.
 *
 * A case is a small static C program that checks one behaviour. It prints only deterministic
 * facts (never pids, addresses, times or host paths), so the native run is the oracle: the
 * runner compares stdout and exit status of the native run with each engine's run.
 *
 * Conventions:
 *   - the first lines hold `// syscalls: name, name, ...` naming what the case exercises;
 *   - the case starts in an empty, writable scratch directory (its cwd) and creates files only
 *     there, by relative path;
 *   - each check prints one line; a failed check prints "FAIL" and makes the exit status 1,
 *     so a case that fails natively is reported as broken;
 *   - stdout is unbuffered (set up here), so output is not duplicated across fork.
 */
#ifndef SBX_CONFORMANCE_HARNESS_H
#define SBX_CONFORMANCE_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static int t_failures;

__attribute__((constructor)) static void t_init(void) { setvbuf(stdout, NULL, _IONBF, 0); }

/* The symbolic name of an errno value ("ENOENT"), or "E<number>". */
static const char *t_errname(int e) {
    static char buf[16];
    switch (e) {
#define T_E(x) case x: return #x;
        T_E(EPERM) T_E(ENOENT) T_E(ESRCH) T_E(EINTR) T_E(EIO) T_E(ENXIO) T_E(E2BIG)
        T_E(ENOEXEC) T_E(EBADF) T_E(ECHILD) T_E(EAGAIN) T_E(ENOMEM) T_E(EACCES) T_E(EFAULT)
        T_E(ENOTBLK) T_E(EBUSY) T_E(EEXIST) T_E(EXDEV) T_E(ENODEV) T_E(ENOTDIR) T_E(EISDIR)
        T_E(EINVAL) T_E(ENFILE) T_E(EMFILE) T_E(ENOTTY) T_E(ETXTBSY) T_E(EFBIG) T_E(ENOSPC)
        T_E(ESPIPE) T_E(EROFS) T_E(EMLINK) T_E(EPIPE) T_E(EDOM) T_E(ERANGE) T_E(EDEADLK)
        T_E(ENAMETOOLONG) T_E(ENOLCK) T_E(ENOSYS) T_E(ENOTEMPTY) T_E(ELOOP) T_E(ENOMSG)
        T_E(EIDRM) T_E(ENODATA) T_E(ETIME) T_E(EOVERFLOW) T_E(EBADFD) T_E(ENOTSOCK)
        T_E(EDESTADDRREQ) T_E(EMSGSIZE) T_E(EPROTOTYPE) T_E(ENOPROTOOPT) T_E(EPROTONOSUPPORT)
        T_E(ESOCKTNOSUPPORT) T_E(EOPNOTSUPP) T_E(EAFNOSUPPORT) T_E(EADDRINUSE)
        T_E(EADDRNOTAVAIL) T_E(ENETUNREACH) T_E(ECONNABORTED) T_E(ECONNRESET) T_E(ENOBUFS)
        T_E(EISCONN) T_E(ENOTCONN) T_E(ETIMEDOUT) T_E(ECONNREFUSED) T_E(EALREADY)
        T_E(EINPROGRESS) T_E(ESTALE) T_E(EDQUOT) T_E(ECANCELED) T_E(EOWNERDEAD)
        T_E(ENOTRECOVERABLE) T_E(ERESTART) T_E(EILSEQ)
#undef T_E
    }
    snprintf(buf, sizeof buf, "E%d", e);
    return buf;
}

/* Prints one fact line (printf format, newline added). */
#define SAY(...) (printf(__VA_ARGS__), putchar('\n'))

/* Records a failed check. */
#define T_FAIL(...) (printf("FAIL %s:%d: ", __FILE__, __LINE__), SAY(__VA_ARGS__), t_failures++)

/* `expr` must succeed (not -1 / negative): prints "expr: ok"; evaluates to its value. */
#define EXPECT_OK(expr) ({                                                              \
    errno = 0;                                                                          \
    long t_r = (long)(expr);                                                            \
    if (t_r < 0) T_FAIL("%s: -> %ld %s", #expr, t_r, t_errname(errno));                 \
    else SAY("%s: ok", #expr);                                                          \
    t_r; })

/* `expr` must equal `want`: prints "expr = value". */
#define EXPECT_EQ(expr, want) ({                                                        \
    errno = 0;                                                                          \
    long t_r = (long)(expr);                                                            \
    long t_w = (long)(want);                                                            \
    if (t_r != t_w) T_FAIL("%s = %ld (%s), want %ld", #expr, t_r,                       \
                           t_r == -1 ? t_errname(errno) : "-", t_w);                    \
    else SAY("%s = %ld", #expr, t_r);                                                   \
    t_r; })

/* `expr` must fail with -1 and errno `err`: prints "expr -> ERR". */
#define EXPECT_ERR(expr, err) ({                                                        \
    errno = 0;                                                                          \
    long t_r = (long)(expr);                                                            \
    int t_e = errno;                                                                    \
    if (t_r != -1 || t_e != (err))                                                      \
        T_FAIL("%s -> %ld %s, want -1 %s", #expr, t_r, t_r == -1 ? t_errname(t_e) : "-", \
               t_errname(err));                                                         \
    else SAY("%s -> %s", #expr, t_errname(t_e));                                        \
    t_r; })

/* `cond` must hold: prints "cond: yes". */
#define CHECK(cond) ({                                                                  \
    int t_c = !!(cond);                                                                 \
    if (!t_c) T_FAIL("%s: no", #cond);                                                  \
    else SAY("%s: yes", #cond);                                                         \
    t_c; })

/* The case's exit status: 0 when every check passed. */
static inline int t_done(void) {
    fflush(stdout);
    return t_failures ? 1 : 0;
}

#endif
