// syscalls: setitimer, getitimer, alarm, rt_sigaction, rt_sigsuspend, rt_sigreturn
/* ITIMER_REAL sends SIGALRM (si_code SI_KERNEL) when it expires: a one-shot timer wakes
 * sigsuspend with EINTR and is disarmed afterwards; a periodic one fires repeatedly until cleared; alarm()
 * returns the seconds left on the previous timer and alarm(0) cancels it; a bad which or
 * usec is EINVAL. */
#include "harness.h"
#include <signal.h>
#include <sys/time.h>

static volatile int alarms, code;
static void on_alarm(int s, siginfo_t *si, void *uc) {
    (void)s, (void)uc;
    code = si->si_code;
    alarms++;
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_alarm;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &sa, NULL);
    /* SIGALRM stays blocked outside sigsuspend, so a slow machine cannot lose a wakeup. */
    sigset_t alrm, unblocked;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_BLOCK, &alrm, &unblocked);
    sigdelset(&unblocked, SIGALRM);
    struct itimerval once = {{0, 0}, {0, 100000}}, cur;
    EXPECT_OK(setitimer(ITIMER_REAL, &once, NULL));
    EXPECT_OK(getitimer(ITIMER_REAL, &cur));
    CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 &&
          cur.it_value.tv_usec <= 100000);
    EXPECT_ERR(sigsuspend(&unblocked), EINTR);
    SAY("one-shot: alarms=%d code=%d", alarms, code);
    EXPECT_OK(getitimer(ITIMER_REAL, &cur));
    CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

    struct itimerval periodic = {{0, 10000}, {0, 10000}};
    EXPECT_OK(setitimer(ITIMER_REAL, &periodic, NULL));
    while (alarms < 4) sigsuspend(&unblocked);
    struct itimerval off = {{0, 0}, {0, 0}}, old;
    EXPECT_OK(setitimer(ITIMER_REAL, &off, &old));
    siginfo_t si;
    sigtimedwait(&alrm, &si, &(struct timespec){0, 0}); /* one may have expired meanwhile */
    CHECK(old.it_interval.tv_usec == 10000);
    SAY("periodic: alarms=%d", alarms);

    EXPECT_EQ(alarm(100), 0);
    long left = alarm(50);
    CHECK(left >= 99 && left <= 100);
    left = alarm(0);
    CHECK(left >= 49 && left <= 50);
    EXPECT_EQ(alarm(0), 0);
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    EXPECT_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
    EXPECT_ERR(setitimer(7, &once, NULL), EINVAL);
    EXPECT_ERR(getitimer(7, &cur), EINVAL);
    SAY("total alarms=%d", alarms);
    return t_done();
}
