// syscalls: nanosleep, clock_nanosleep, poll, select, epoll_wait, wait4, setitimer, rt_sigaction
/* Even with SA_RESTART, a handled signal makes sleeps and multiplexing waits fail with EINTR
 * (nanosleep and clock_nanosleep report the time left; poll, select, epoll_wait are never
 * restarted), while wait4 is transparently restarted. */
#include "harness.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile int alarms;
static void on_alarm(int s) { (void)s, alarms++; }

int main(void) {
    syscall(SYS_alarm, 20);
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    /* Periodic, so one that fires before a call starts is followed by one that interrupts. */
    struct itimerval every = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &every, NULL);

    struct timespec two = {2, 0}, rem = {0, 0};
    EXPECT_ERR(nanosleep(&two, &rem), EINTR);
    CHECK(rem.tv_sec < 2 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
    rem.tv_sec = rem.tv_nsec = 0;
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &two, &rem);
    SAY("clock_nanosleep -> %s", r == EINTR ? "EINTR" : "other");
    CHECK(rem.tv_sec < 2 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
    int p[2];
    pipe(p);
    struct pollfd pfd = {.fd = p[0], .events = POLLIN};
    EXPECT_ERR(poll(&pfd, 1, 2000), EINTR);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    struct timeval tv = {2, 0};
    EXPECT_ERR(select(p[0] + 1, &rd, NULL, NULL, &tv), EINTR);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN};
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    EXPECT_ERR(epoll_wait(ep, &ev, 1, 2000), EINTR);

    pid_t pid = fork();
    if (pid == 0) {
        struct itimerval none = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &none, NULL);
        usleep(150000);
        _exit(6);
    }
    int before = alarms, st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("wait4 restarted: status=%d interrupted meanwhile=%d", WEXITSTATUS(st), alarms > before);
    setitimer(ITIMER_REAL, &off, NULL);
    return t_done();
}
