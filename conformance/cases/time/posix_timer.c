// syscalls: timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete
#include "harness.h"
#include <signal.h>
#include <time.h>

/* POSIX timers with SIGEV_NONE: armed values read back counting down, overrun is 0, delete
 * makes the id invalid. Raw syscalls, as the libc wrappers translate timer ids. */
int main(void) {
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_NONE;
    int id = -1;
    EXPECT_EQ(syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id), 0);
    CHECK(id >= 0);
    struct itimerspec its = {{1, 0}, {20, 0}}, old, cur;
    EXPECT_EQ(syscall(SYS_timer_settime, id, 0, &its, &old), 0);
    CHECK(old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0);
    EXPECT_EQ(syscall(SYS_timer_gettime, id, &cur), 0);
    CHECK(cur.it_value.tv_sec >= 19 && cur.it_value.tv_sec <= 20);
    SAY("interval = %ld.%09ld", (long)cur.it_interval.tv_sec, (long)cur.it_interval.tv_nsec);
    EXPECT_EQ(syscall(SYS_timer_getoverrun, id), 0);
    /* An absolute expiry in the past fires at once; with SIGEV_NONE nothing is delivered and a
     * one-shot timer reads back disarmed. (1 ns after the clock's zero: in the past on any
     * machine, however recently it, or the sandbox, booted.) */
    struct itimerspec past = {{0, 0}, {0, 1}};
    EXPECT_EQ(syscall(SYS_timer_settime, id, TIMER_ABSTIME, &past, NULL), 0);
    EXPECT_EQ(syscall(SYS_timer_gettime, id, &cur), 0);
    SAY("after past deadline: %ld.%09ld", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_nsec);
    struct itimerspec bad = {{0, 0}, {0, 1000000000}};
    EXPECT_ERR(syscall(SYS_timer_settime, id, 0, &bad, NULL), EINVAL);
    EXPECT_EQ(syscall(SYS_timer_delete, id), 0);
    EXPECT_ERR(syscall(SYS_timer_gettime, id, &cur), EINVAL);
    EXPECT_ERR(syscall(SYS_timer_delete, id), EINVAL);
    EXPECT_ERR(syscall(SYS_timer_create, 100, &sev, &id), EINVAL);
    return t_done();
}
