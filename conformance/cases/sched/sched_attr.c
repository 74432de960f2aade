// syscalls: sched_setattr, sched_getattr, sched_getscheduler, getpriority
#include "harness.h"
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* sched_setattr/sched_getattr: struct sizes (E2BIG with the size written back), flags and
 * policy validation, nice values through the attr, KEEP_POLICY, SCHED_RESET_ON_FORK and what
 * a child inherits, and SCHED_DEADLINE (EINVAL for bad parameters, else EPERM without
 * CAP_SYS_NICE). Utilization clamps are not configured (EOPNOTSUPP). */

struct attr {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
    uint32_t util_min, util_max;
};

static long setattr(pid_t pid, void *a, unsigned flags) {
    return syscall(SYS_sched_setattr, pid, a, flags);
}
static long getattr(pid_t pid, void *a, unsigned size, unsigned flags) {
    return syscall(SYS_sched_getattr, pid, a, size, flags);
}

static void unprivileged(void) {
    if (syscall(SYS_setresuid, 1000, 1000, 1000) != 0) _exit(3);
    struct attr a = {.size = sizeof a, .policy = SCHED_DEADLINE, .runtime = 1000000,
                     .deadline = 2000000, .period = 10000000};
    EXPECT_ERR(setattr(0, &a, 0), EPERM);
    a.policy = SCHED_FIFO;
    a.priority = 1;
    EXPECT_ERR(setattr(0, &a, 0), EPERM);
    /* The reset-on-fork flag, once set, cannot be cleared without privilege. */
    struct attr r = {.size = sizeof r, .policy = SCHED_OTHER, .flags = 1, .nice = 6};
    EXPECT_EQ(setattr(0, &r, 0), 0);
    r.flags = 0;
    EXPECT_ERR(setattr(0, &r, 0), EPERM);
    /* Nor may the nice value go down. */
    r.flags = 1;
    r.nice = 5;
    EXPECT_ERR(setattr(0, &r, 0), EPERM);
    r.nice = 8;
    EXPECT_EQ(setattr(0, &r, 0), 0);
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 8);
    r.nice = 100;
    EXPECT_EQ(setattr(0, &r, 0), 0);
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 19);
    exit(t_done());
}

int main(void) {
    struct attr a;
    unsigned char buf[128];

    memset(&a, 0xff, sizeof a);
    EXPECT_EQ(getattr(0, &a, sizeof a, 0), 0);
    EXPECT_EQ(a.size, 56);
    EXPECT_EQ(a.policy, SCHED_OTHER);
    EXPECT_EQ(a.flags, 0);
    EXPECT_EQ(a.priority, 0);
    EXPECT_EQ(a.util_min, 0);
    memset(buf, 0xff, sizeof buf);
    EXPECT_EQ(getattr(0, buf, 48, 0), 0);
    EXPECT_EQ(*(uint32_t *)buf, 48);
    EXPECT_EQ(buf[48], 0xff);
    memset(buf, 0xff, sizeof buf);
    EXPECT_EQ(getattr(0, buf, 100, 0), 0);
    EXPECT_EQ(*(uint32_t *)buf, 56);
    EXPECT_ERR(getattr(0, &a, 47, 0), EINVAL);
    EXPECT_ERR(getattr(0, &a, 4097, 0), EINVAL);
    EXPECT_ERR(getattr(0, &a, sizeof a, 1), EINVAL);
    EXPECT_ERR(getattr(0, NULL, sizeof a, 0), EINVAL);
    EXPECT_ERR(getattr(-1, &a, sizeof a, 0), EINVAL);
    EXPECT_ERR(getattr(4000000, &a, sizeof a, 0), ESRCH);

    /* Sizes: too small or too large is E2BIG with the known size written back; a larger
     * struct is fine when the tail is zero; 0 means the first version. */
    memset(buf, 0, sizeof buf);
    *(uint32_t *)buf = 40;
    EXPECT_ERR(setattr(0, buf, 0), E2BIG);
    EXPECT_EQ(*(uint32_t *)buf, 56);
    *(uint32_t *)buf = 5000;
    EXPECT_ERR(setattr(0, buf, 0), E2BIG);
    EXPECT_EQ(*(uint32_t *)buf, 56);
    *(uint32_t *)buf = 100;
    buf[80] = 1;
    EXPECT_ERR(setattr(0, buf, 0), E2BIG);
    EXPECT_EQ(*(uint32_t *)buf, 56);
    buf[80] = 0;
    *(uint32_t *)buf = 100;
    EXPECT_EQ(setattr(0, buf, 0), 0);
    *(uint32_t *)buf = 0;
    EXPECT_EQ(setattr(0, buf, 0), 0);
    EXPECT_EQ(*(uint32_t *)buf, 0);
    EXPECT_ERR(setattr(0, NULL, 0), EINVAL);
    EXPECT_ERR(setattr(0, buf, 1), EINVAL);
    EXPECT_ERR(setattr(-1, buf, 0), EINVAL);
    EXPECT_ERR(setattr(4000000, buf, 0), ESRCH);

    /* Policy and flag validation. */
    struct attr s = {.size = sizeof s, .policy = 42};
    EXPECT_ERR(setattr(0, &s, 0), EINVAL);
    s.policy = -1;
    EXPECT_ERR(setattr(0, &s, 0), EINVAL);
    s.policy = SCHED_OTHER;
    s.flags = 0x80;
    EXPECT_ERR(setattr(0, &s, 0), EINVAL);
    s.flags = 0x10000000; /* SCHED_FLAG_SUGOV: kernel only */
    EXPECT_ERR(setattr(0, &s, 0), EINVAL);
    s.flags = 0;
    s.priority = 1;
    EXPECT_ERR(setattr(0, &s, 0), EINVAL);
    s.priority = 0;
    s.flags = 0x20; /* SCHED_FLAG_UTIL_CLAMP_MIN */
    s.size = 48;
    EXPECT_ERR(setattr(0, &s, 0), EINVAL);
    s.size = sizeof s;
    EXPECT_ERR(setattr(0, &s, 0), EOPNOTSUPP);
    s.flags = 0;
    s.policy = SCHED_DEADLINE;
    EXPECT_ERR(setattr(0, &s, 0), EINVAL);
    s.runtime = 2000000;
    s.deadline = 1000000;
    EXPECT_ERR(setattr(0, &s, 0), EINVAL);
    s.runtime = 100;
    s.deadline = 2000000;
    EXPECT_ERR(setattr(0, &s, 0), EINVAL);

    /* The nice value travels in the attr (clamped), for the fair policies. */
    struct attr n = {.size = sizeof n, .policy = SCHED_BATCH, .nice = 3};
    EXPECT_EQ(setattr(0, &n, 0), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_BATCH);
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 3);
    memset(&a, 0, sizeof a);
    getattr(0, &a, sizeof a, 0);
    EXPECT_EQ(a.policy, SCHED_BATCH);
    EXPECT_EQ(a.nice, 3);
    n.nice = 4;
    n.policy = SCHED_OTHER;
    n.flags = 0x08; /* SCHED_FLAG_KEEP_POLICY */
    EXPECT_EQ(setattr(0, &n, 0), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_BATCH);
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 4);
    n.nice = 5;
    n.flags = 0;
    EXPECT_EQ(setattr(0, &n, 0), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);

    /* SCHED_RESET_ON_FORK: reported by both getters; a child starts without it. */
    struct attr r = {.size = sizeof r, .policy = SCHED_BATCH, .flags = 1, .nice = 5};
    EXPECT_EQ(setattr(0, &r, 0), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_BATCH | SCHED_RESET_ON_FORK);
    memset(&a, 0, sizeof a);
    getattr(0, &a, sizeof a, 0);
    EXPECT_EQ(a.flags, 1);
    pid_t c = fork();
    if (c == 0) {
        /* A fair policy and a positive nice value survive the reset. */
        EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_BATCH);
        EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 5);
        exit(t_done());
    }
    int st;
    waitpid(c, &st, 0);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);

    /* Another process's attributes, through its pid. */
    c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    memset(&a, 0, sizeof a);
    EXPECT_EQ(getattr(c, &a, sizeof a, 0), 0);
    EXPECT_EQ(a.policy, SCHED_BATCH);
    EXPECT_EQ(a.flags, 0);
    EXPECT_EQ(a.nice, 5);
    struct attr o = {.size = sizeof o, .policy = SCHED_IDLE};
    EXPECT_EQ(setattr(c, &o, 0), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, c), SCHED_IDLE);
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);

    c = fork();
    if (c == 0) unprivileged();
    waitpid(c, &st, 0);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
    return t_done();
}
