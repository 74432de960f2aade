// syscalls: setitimer, getitimer, timer_create, timer_settime, timer_delete, clock_gettime, getrusage, times, wait4, nanosleep
/* CPU time is CPU time: ITIMER_VIRTUAL/ITIMER_PROF and timers on CLOCK_PROCESS_CPUTIME_ID
 * expire after the process has *run* that long, not after that much wall-clock time; the CPU
 * clocks, getrusage, times and wait4's rusage agree with each other, and sleeping does not
 * count. Only comparisons are printed. */
#include "harness.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t fired;
static void on_sig(int sig) { fired = sig; }

static long cpu_ms(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Spins until `fired` or `limit_ms` of CPU time have passed; returns the CPU time used. */
static long spin_until_fired(long limit_ms) {
    long start = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
    while (!fired && cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - start < limit_ms) {
    }
    return cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - start;
}

static void itimer(int which, int sig, const char *name) {
    fired = 0;
    signal(sig, on_sig);
    struct itimerval it = {{0, 0}, {0, 50000}};
    EXPECT_EQ(setitimer(which, &it, NULL), 0);
    long used = spin_until_fired(3000);
    SAY("%s fired: %s, after at least 50 ms of CPU: %s", name, fired == sig ? "yes" : "no",
        used >= 45 ? "yes" : "no");
}

int main(void) {
    syscall(SYS_alarm, 20);
    itimer(ITIMER_VIRTUAL, SIGVTALRM, "ITIMER_VIRTUAL");
    itimer(ITIMER_PROF, SIGPROF, "ITIMER_PROF");

    /* Sleeping uses no CPU: a virtual timer does not run down, and the CPU clock stays. */
    fired = 0;
    struct itimerval it = {{0, 0}, {0, 50000}}, cur;
    EXPECT_EQ(setitimer(ITIMER_VIRTUAL, &it, NULL), 0);
    long before = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
    struct timespec nap = {0, 200 * 1000000L};
    nanosleep(&nap, NULL);
    long slept_cpu = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - before;
    EXPECT_EQ(getitimer(ITIMER_VIRTUAL, &cur), 0);
    SAY("virtual timer still armed after a 200 ms sleep: %s",
        !fired && cur.it_value.tv_usec > 30000 ? "yes" : "no");
    SAY("CPU clock moved less than 50 ms while sleeping 200 ms: %s", slept_cpu < 50 ? "yes" : "no");
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_VIRTUAL, &off, NULL);

    /* A POSIX timer on the process CPU clock. */
    fired = 0;
    signal(SIGUSR1, on_sig);
    struct sigevent sev = {0};
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR1;
    timer_t tid;
    EXPECT_EQ(syscall(SYS_timer_create, CLOCK_PROCESS_CPUTIME_ID, &sev, &tid), 0);
    struct itimerspec its = {{0, 0}, {0, 30 * 1000000L}};
    EXPECT_EQ(syscall(SYS_timer_settime, tid, 0, &its, NULL), 0);
    long used = spin_until_fired(3000);
    SAY("CPU-clock timer fired: %s, after at least 30 ms of CPU: %s", fired == SIGUSR1 ? "yes" : "no",
        used >= 25 ? "yes" : "no");
    EXPECT_EQ(syscall(SYS_timer_delete, tid), 0);

    /* The accounts agree. */
    long clock_now = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
    struct rusage ru;
    EXPECT_EQ(getrusage(RUSAGE_SELF, &ru), 0);
    long ru_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
    SAY("getrusage(RUSAGE_SELF) covers the CPU clock: %s", ru_ms + 2 >= clock_now ? "yes" : "no");
    SAY("thread CPU clock <= process CPU clock: %s",
        cpu_ms(CLOCK_THREAD_CPUTIME_ID) <= cpu_ms(CLOCK_PROCESS_CPUTIME_ID) ? "yes" : "no");
    struct tms tm;
    times(&tm);
    long ticks = sysconf(_SC_CLK_TCK);
    SAY("times() covers the CPU clock: %s",
        (tm.tms_utime + tm.tms_stime + 2) * 1000 / ticks >= clock_now ? "yes" : "no");

    /* A child's CPU time reaches its parent through wait4 and RUSAGE_CHILDREN. */
    pid_t c = fork();
    if (c == 0) {
        long s = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
        while (cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - s < 60) {
        }
        _exit(0);
    }
    clockid_t cc;
    EXPECT_EQ(clock_getcpuclockid(c, &cc), 0);
    struct timespec ct;
    EXPECT_EQ(clock_gettime(cc, &ct), 0);
    struct rusage cru;
    int st;
    EXPECT_EQ(wait4(c, &st, 0, &cru) == c, 1);
    long child_ms = (cru.ru_utime.tv_sec + cru.ru_stime.tv_sec) * 1000 +
                    (cru.ru_utime.tv_usec + cru.ru_stime.tv_usec) / 1000;
    SAY("wait4 rusage shows the child's 60 ms: %s", child_ms >= 55 ? "yes" : "no");
    EXPECT_EQ(getrusage(RUSAGE_CHILDREN, &ru), 0);
    long children_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
    SAY("RUSAGE_CHILDREN includes it: %s", children_ms >= 55 ? "yes" : "no");
    return t_done();
}
