// syscalls: setitimer, getitimer
#include "harness.h"
#include <sys/time.h>

/* Interval timers read back what was set (counting down), report the old value on set, and
 * disarm; nothing here waits for SIGALRM. */
int main(void) {
    struct itimerval v = {{2, 500000}, {30, 0}}, old, cur;
    EXPECT_EQ(syscall(SYS_getitimer, ITIMER_REAL, &cur), 0);
    SAY("initially disarmed: %s", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0 ? "yes" : "no");
    EXPECT_EQ(syscall(SYS_setitimer, ITIMER_REAL, &v, &old), 0);
    CHECK(old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
    EXPECT_EQ(syscall(SYS_getitimer, ITIMER_REAL, &cur), 0);
    CHECK(cur.it_value.tv_sec >= 29 && cur.it_value.tv_sec <= 30);
    CHECK(cur.it_value.tv_usec >= 0 && cur.it_value.tv_usec < 1000000);
    SAY("interval = %ld.%06ld", (long)cur.it_interval.tv_sec, (long)cur.it_interval.tv_usec);
    struct itimerval off = {{0, 0}, {0, 0}};
    EXPECT_EQ(syscall(SYS_setitimer, ITIMER_REAL, &off, &old), 0);
    CHECK(old.it_value.tv_sec >= 29 && old.it_value.tv_sec <= 30);
    EXPECT_EQ(syscall(SYS_getitimer, ITIMER_REAL, &cur), 0);
    SAY("disarmed: %ld.%06ld", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
    /* The virtual and profiling timers are separate. */
    struct itimerval vv = {{0, 0}, {50, 0}};
    EXPECT_EQ(syscall(SYS_setitimer, ITIMER_VIRTUAL, &vv, NULL), 0);
    EXPECT_EQ(syscall(SYS_getitimer, ITIMER_PROF, &cur), 0);
    SAY("prof untouched: %ld", (long)cur.it_value.tv_sec);
    EXPECT_EQ(syscall(SYS_getitimer, ITIMER_VIRTUAL, &cur), 0);
    CHECK(cur.it_value.tv_sec >= 49 && cur.it_value.tv_sec <= 50);
    EXPECT_EQ(syscall(SYS_setitimer, ITIMER_VIRTUAL, &off, NULL), 0);
    EXPECT_ERR(syscall(SYS_getitimer, 3, &cur), EINVAL);
    EXPECT_ERR(syscall(SYS_setitimer, 3, &v, NULL), EINVAL);
    struct itimerval bad = {{0, 0}, {1, 1000000}};
    EXPECT_ERR(syscall(SYS_setitimer, ITIMER_REAL, &bad, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_getitimer, ITIMER_REAL, (void *)8), EFAULT);
    return t_done();
}
