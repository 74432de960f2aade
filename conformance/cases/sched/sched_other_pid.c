// syscalls: getpriority, setpriority, sched_setscheduler, sched_getscheduler, sched_setparam, sched_getparam, sched_setaffinity, sched_getaffinity, sched_rr_get_interval
#include "harness.h"
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* Scheduling attributes of other processes: a parent reads and changes its children's nice
 * value, policy and affinity; PRIO_PGRP covers every process of a group (getpriority reports
 * the lowest nice value); a zombie is still found, a reaped child is not. An unprivileged
 * user may not touch root's processes (EPERM) nor lower a nice value (EACCES). */

static int ready[2], go[2];

/* A child that joins a new process group (with a grandchild in it) and waits. */
static pid_t spawn_group(void) {
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        if (fork() == 0) {
            char x;
            write(ready[1], "g", 1);
            read(go[0], &x, 1);
            _exit(0);
        }
        char x;
        write(ready[1], "c", 1);
        read(go[0], &x, 1);
        wait(NULL);
        _exit(0);
    }
    char x[2];
    read(ready[0], x, 2);
    return c;
}

static void unprivileged(pid_t root_child) {
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_NICE, &none);
    setrlimit(RLIMIT_RTPRIO, &none);
    /* A uid no other process uses, so PRIO_USER sees only this one. */
    if (syscall(SYS_setresuid, 4712, 4712, 4712) != 0) _exit(3);
    /* Reading is always allowed; changing root's processes is not. */
    CHECK(syscall(SYS_getpriority, PRIO_PROCESS, root_child) >= 1);
    EXPECT_ERR(syscall(SYS_setpriority, PRIO_PROCESS, root_child, 19), EPERM);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, root_child), SCHED_BATCH);
    struct sched_param p = {0};
    EXPECT_ERR(syscall(SYS_sched_setscheduler, root_child, SCHED_OTHER, &p), EPERM);
    EXPECT_ERR(syscall(SYS_sched_setparam, root_child, &p), EPERM);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    EXPECT_ERR(syscall(SYS_sched_setaffinity, root_child, sizeof one, &one), EPERM);
    /* Its own nice value only goes up without RLIMIT_NICE. */
    EXPECT_EQ(syscall(SYS_setpriority, PRIO_PROCESS, 0, 5), 0);
    EXPECT_ERR(syscall(SYS_setpriority, PRIO_PROCESS, 0, 3), EACCES);
    EXPECT_EQ(syscall(SYS_setpriority, PRIO_PROCESS, 0, 6), 0);
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 6);
    /* Real-time policies need RLIMIT_RTPRIO (0 here) or CAP_SYS_NICE. */
    p.sched_priority = 1;
    EXPECT_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &p), EPERM);
    EXPECT_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_RR, &p), EPERM);
    p.sched_priority = 0;
    EXPECT_EQ(syscall(SYS_sched_setscheduler, 0, SCHED_IDLE, &p), 0);
    /* Leaving SCHED_IDLE needs RLIMIT_NICE room for the current nice value. */
    EXPECT_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p), EPERM);
    /* PRIO_USER: this user's processes (just this one). */
    EXPECT_EQ(getpriority(PRIO_USER, 4712), 6);
    EXPECT_EQ(getpriority(PRIO_USER, 0), 6);
    EXPECT_EQ(syscall(SYS_setpriority, PRIO_USER, 4712, 8), 0);
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 8);
    EXPECT_ERR(syscall(SYS_getpriority, PRIO_USER, 4242), ESRCH);
    /* A group with root's processes in it: each one refused. */
    EXPECT_ERR(syscall(SYS_setpriority, PRIO_PGRP, root_child, 19), EPERM);
    exit(t_done());
}

int main(void) {
    pipe(ready);
    pipe(go);
    pid_t c = spawn_group();

    /* Nice value of another process, read and changed. */
    int base = getpriority(PRIO_PROCESS, 0);
    EXPECT_EQ(getpriority(PRIO_PROCESS, c) - base, 0);
    EXPECT_EQ(syscall(SYS_setpriority, PRIO_PROCESS, c, 3), 0);
    EXPECT_EQ(getpriority(PRIO_PROCESS, c), 3);
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0) - base, 0);

    /* PRIO_PGRP: the lowest nice value of the group; setting reaches every member. */
    EXPECT_EQ(getpriority(PRIO_PGRP, c), base < 3 ? base : 3);
    EXPECT_EQ(syscall(SYS_setpriority, PRIO_PGRP, c, 7), 0);
    EXPECT_EQ(getpriority(PRIO_PGRP, c), 7);
    EXPECT_EQ(getpriority(PRIO_PROCESS, c), 7);
    EXPECT_EQ(syscall(SYS_setpriority, PRIO_PROCESS, c, 9), 0);
    EXPECT_EQ(getpriority(PRIO_PGRP, c), 7);
    EXPECT_ERR(syscall(SYS_getpriority, PRIO_PGRP, 4000000), ESRCH);
    EXPECT_ERR(syscall(SYS_setpriority, PRIO_PGRP, 4000000, 1), ESRCH);

    /* Policy of another process. */
    struct sched_param p = {0};
    EXPECT_EQ(syscall(SYS_sched_getscheduler, c), SCHED_OTHER);
    EXPECT_EQ(syscall(SYS_sched_setscheduler, c, SCHED_BATCH, &p), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, c), SCHED_BATCH);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);
    p.sched_priority = 7;
    EXPECT_EQ(syscall(SYS_sched_getparam, c, &p), 0);
    EXPECT_EQ(p.sched_priority, 0);
    p.sched_priority = 7;
    EXPECT_ERR(syscall(SYS_sched_setparam, c, &p), EINVAL);
    p.sched_priority = 0;
    EXPECT_EQ(syscall(SYS_sched_setparam, c, &p), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, c), SCHED_BATCH);
    EXPECT_EQ(getpriority(PRIO_PROCESS, c), 9);
    struct timespec ts = {-1, -1};
    EXPECT_EQ(syscall(SYS_sched_rr_get_interval, c, &ts), 0);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec >= 0);

    /* Affinity of another process. */
    cpu_set_t one, got;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    EXPECT_EQ(syscall(SYS_sched_setaffinity, c, sizeof one, &one), 0);
    CPU_ZERO(&got);
    CHECK(syscall(SYS_sched_getaffinity, c, sizeof got, &got) > 0);
    EXPECT_EQ(CPU_COUNT(&got), 1);
    CHECK(CPU_ISSET(0, &got));
    CPU_ZERO(&got);
    syscall(SYS_sched_getaffinity, 0, sizeof got, &got);
    CHECK(CPU_COUNT(&got) >= 1);

    /* An unprivileged user against root's processes and its own. */
    pid_t u = fork();
    if (u == 0) unprivileged(c);
    int st;
    waitpid(u, &st, 0);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);

    write(go[1], "xx", 2);
    /* A zombie is still found; a reaped child is not. */
    siginfo_t si;
    waitid(P_PID, c, &si, WEXITED | WNOWAIT);
    EXPECT_EQ(getpriority(PRIO_PROCESS, c), 9);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, c), SCHED_BATCH);
    waitpid(c, NULL, 0);
    EXPECT_ERR(syscall(SYS_getpriority, PRIO_PROCESS, c), ESRCH);
    EXPECT_ERR(syscall(SYS_setpriority, PRIO_PROCESS, c, 1), ESRCH);
    EXPECT_ERR(syscall(SYS_sched_getscheduler, c), ESRCH);
    EXPECT_ERR(syscall(SYS_sched_getaffinity, c, sizeof got, &got), ESRCH);
    EXPECT_ERR(syscall(SYS_sched_setaffinity, c, sizeof one, &one), ESRCH);
    return t_done();
}
