// syscalls: ioprio_set, ioprio_get
#include "harness.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* I/O priorities: classes and their validation, the raw value of one thread (0 until set),
 * the best effective value of a process group (derived from the nice value where no class
 * was chosen), inheritance by fork (only a chosen class), other processes (a zombie is found
 * but has no I/O context; ESRCH once reaped), and the rules for an unprivileged user (the
 * real-time class and other users' processes are EPERM). */

#define WHO_PROCESS 1
#define WHO_PGRP 2
#define WHO_USER 3
#define PRIO(class, data) (((class) << 13) | (data))
#define RT 1
#define BE 2
#define IDLE 3

static long set(int which, int who, int prio) { return syscall(SYS_ioprio_set, which, who, prio); }
static long get(int which, int who) { return syscall(SYS_ioprio_get, which, who); }

static int ready[2], go[2];

int main(void) {
    EXPECT_EQ(get(WHO_PROCESS, 0), 0);
    EXPECT_EQ(set(WHO_PROCESS, 0, PRIO(BE, 3)), 0);
    EXPECT_EQ(get(WHO_PROCESS, 0), PRIO(BE, 3));
    EXPECT_EQ(get(WHO_PROCESS, getpid()), PRIO(BE, 3));
    EXPECT_EQ(set(WHO_PROCESS, 0, PRIO(IDLE, 5)), 0);
    EXPECT_EQ(get(WHO_PROCESS, 0), PRIO(IDLE, 5));
    /* Bits above the 16 Linux keeps are dropped; hint bits are kept. */
    EXPECT_EQ(set(WHO_PROCESS, 0, (1 << 16) | PRIO(BE, 2)), 0);
    EXPECT_EQ(get(WHO_PROCESS, 0), PRIO(BE, 2));
    EXPECT_EQ(set(WHO_PROCESS, 0, PRIO(BE, 0x100 | 1)), 0);
    EXPECT_EQ(get(WHO_PROCESS, 0), PRIO(BE, 0x101));
    /* Invalid classes and arguments. */
    EXPECT_ERR(set(WHO_PROCESS, 0, PRIO(0, 1)), EINVAL);
    EXPECT_ERR(set(WHO_PROCESS, 0, PRIO(4, 0)), EINVAL);
    EXPECT_ERR(set(WHO_PROCESS, 0, PRIO(7, 0)), EINVAL);
    EXPECT_ERR(set(WHO_PROCESS, 0, -1), EINVAL);
    EXPECT_ERR(set(4, 0, 0), EINVAL);
    EXPECT_ERR(get(4, 0), EINVAL);
    EXPECT_ERR(get(0, 0), EINVAL);
    EXPECT_ERR(get(WHO_PROCESS, -1), ESRCH);
    EXPECT_ERR(get(WHO_PROCESS, 4000000), ESRCH);
    EXPECT_ERR(set(WHO_PROCESS, 4000000, PRIO(BE, 1)), ESRCH);
    EXPECT_ERR(get(WHO_PGRP, 4000000), ESRCH);
    /* Validation comes before the lookup. */
    EXPECT_ERR(set(WHO_PROCESS, 4000000, PRIO(4, 0)), EINVAL);

    /* A chosen class is inherited. */
    EXPECT_EQ(set(WHO_PROCESS, 0, PRIO(BE, 5)), 0);
    pid_t c = fork();
    if (c == 0) exit(get(WHO_PROCESS, 0) == PRIO(BE, 5) ? 0 : 1);
    int st;
    waitpid(c, &st, 0);
    EXPECT_EQ(WEXITSTATUS(st), 0);
    /* "None" (even with hint bits) is not. */
    EXPECT_EQ(set(WHO_PROCESS, 0, PRIO(0, 0x100)), 0);
    EXPECT_EQ(get(WHO_PROCESS, 0), PRIO(0, 0x100));
    c = fork();
    if (c == 0) exit(get(WHO_PROCESS, 0) == 0 ? 0 : 1);
    waitpid(c, &st, 0);
    EXPECT_EQ(WEXITSTATUS(st), 0);
    EXPECT_EQ(set(WHO_PROCESS, 0, 0), 0);

    /* A process group: a child at nice 10 in a group of its own, with a grandchild. */
    pipe(ready);
    pipe(go);
    c = fork();
    if (c == 0) {
        setpgid(0, 0);
        setpriority(PRIO_PROCESS, 0, 10);
        pid_t g = fork();
        if (g == 0) {
            char x;
            write(ready[1], "g", 1);
            read(go[0], &x, 1);
            _exit(0);
        }
        char x;
        write(ready[1], "c", 1);
        read(go[0], &x, 1);
        waitpid(g, NULL, 0);
        _exit(0);
    }
    char x[2];
    read(ready[0], x, 2);
    EXPECT_EQ(get(WHO_PROCESS, c), 0);
    /* No class chosen: best effort at level (nice + 20) / 5. */
    EXPECT_EQ(get(WHO_PGRP, c), PRIO(BE, 6));
    EXPECT_EQ(set(WHO_PROCESS, c, PRIO(IDLE, 2)), 0);
    EXPECT_EQ(get(WHO_PROCESS, c), PRIO(IDLE, 2));
    EXPECT_EQ(get(WHO_PGRP, c), PRIO(BE, 6));
    EXPECT_EQ(set(WHO_PGRP, c, PRIO(BE, 7)), 0);
    EXPECT_EQ(get(WHO_PGRP, c), PRIO(BE, 7));
    EXPECT_EQ(get(WHO_PROCESS, c), PRIO(BE, 7));
    EXPECT_EQ(set(WHO_PROCESS, c, PRIO(BE, 1)), 0);
    EXPECT_EQ(get(WHO_PGRP, c), PRIO(BE, 1));
    /* A class chosen as "none" again follows the nice value. */
    EXPECT_EQ(set(WHO_PGRP, c, 0), 0);
    EXPECT_EQ(get(WHO_PGRP, c), PRIO(BE, 6));
    EXPECT_EQ(get(WHO_PROCESS, c), 0);
    EXPECT_EQ(set(WHO_PROCESS, c, PRIO(IDLE, 0)), 0);

    /* An unprivileged user. */
    pid_t u = fork();
    if (u == 0) {
        /* A uid no other process uses, so the user-wide calls see only this one. */
        if (syscall(SYS_setresuid, 4711, 4711, 4711) != 0) _exit(3);
        EXPECT_ERR(set(WHO_PROCESS, 0, PRIO(RT, 0)), EPERM);
        EXPECT_ERR(set(WHO_PROCESS, c, PRIO(BE, 0)), EPERM);
        EXPECT_ERR(set(WHO_PGRP, c, PRIO(BE, 0)), EPERM);
        EXPECT_EQ(get(WHO_PROCESS, c), PRIO(IDLE, 0));
        EXPECT_EQ(set(WHO_PROCESS, 0, PRIO(BE, 0)), 0);
        /* Linux's quirk: ioprio_set takes user 0 literally (root's processes), ioprio_get
         * as the caller's own. */
        EXPECT_ERR(set(WHO_USER, 0, PRIO(IDLE, 3)), EPERM);
        EXPECT_EQ(set(WHO_USER, 4711, PRIO(IDLE, 3)), 0);
        EXPECT_EQ(get(WHO_USER, 4711), PRIO(IDLE, 3));
        EXPECT_EQ(get(WHO_USER, 0), PRIO(IDLE, 3));
        EXPECT_EQ(get(WHO_PROCESS, 0), PRIO(IDLE, 3));
        EXPECT_ERR(get(WHO_USER, 4242), ESRCH);
        EXPECT_ERR(set(WHO_USER, 4242, PRIO(BE, 0)), ESRCH);
        exit(t_done());
    }
    waitpid(u, &st, 0);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);

    /* A zombie is still found, but its I/O context went with it. */
    write(go[1], "xx", 2);
    siginfo_t si;
    waitid(P_PID, c, &si, WEXITED | WNOWAIT);
    EXPECT_EQ(get(WHO_PROCESS, c), 0);
    EXPECT_EQ(set(WHO_PROCESS, c, PRIO(BE, 1)), 0);
    EXPECT_EQ(get(WHO_PROCESS, c), 0);
    waitpid(c, NULL, 0);
    EXPECT_ERR(get(WHO_PROCESS, c), ESRCH);
    EXPECT_ERR(set(WHO_PROCESS, c, 0), ESRCH);
    return t_done();
}
