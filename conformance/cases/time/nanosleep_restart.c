// syscalls: nanosleep, clock_nanosleep, restart_syscall, kill, fork, wait4, rt_sigaction, clock_gettime
/* A relative sleep interrupted by a signal that runs no handler (a stop, then a continue)
 * resumes through restart_syscall towards its *original* deadline rather than sleeping its
 * full length again; with a handler it fails with EINTR and reports the time left.
 * restart_syscall called out of the blue is EINTR. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static long ms_since(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void on_usr1(int sig) { (void)sig; }

static int sleeper(int use_clock_nanosleep) {
    struct timespec t0, req = {0, 600 * 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long r = use_clock_nanosleep
                 ? syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL)
                 : syscall(SYS_nanosleep, &req, NULL);
    long ms = ms_since(&t0);
    /* Sleeping the full 600 ms again after the stop would take at least 900 ms. */
    return r == 0 && ms >= 590 && ms < 850 ? 0 : 1;
}

static void stop_and_continue(int use_clock_nanosleep) {
    pid_t c = fork();
    if (c == 0) _exit(sleeper(use_clock_nanosleep));
    struct timespec d = {0, 300 * 1000000L};
    nanosleep(&d, NULL);
    kill(c, SIGSTOP);
    int st = 0;
    EXPECT_EQ(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st), 1);
    d.tv_nsec = 100 * 1000000L;
    nanosleep(&d, NULL);
    kill(c, SIGCONT);
    EXPECT_EQ(waitpid(c, &st, 0) == c, 1);
    SAY("%s resumed towards its original deadline: %s",
        use_clock_nanosleep ? "clock_nanosleep" : "nanosleep",
        WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "yes" : "no");
}

int main(void) {
    syscall(SYS_alarm, 10);
    EXPECT_ERR(syscall(SYS_restart_syscall), EINTR);
    stop_and_continue(0);
    stop_and_continue(1);

    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART; /* sleeps are never restarted after a handler, even so */
    sigaction(SIGUSR1, &sa, NULL);
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        struct timespec d = {0, 200 * 1000000L};
        nanosleep(&d, NULL);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    struct timespec req = {5, 0}, rem = {0, 0};
    EXPECT_ERR(syscall(SYS_nanosleep, &req, &rem), EINTR);
    SAY("time left reported: %s", rem.tv_sec >= 3 && rem.tv_sec < 5 ? "yes" : "no");
    waitpid(c, NULL, 0);
    return t_done();
}
