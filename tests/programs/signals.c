/* Signals: a SIGSEGV handler recovering with siglongjmp (si_code, si_addr), alarm + pause,
 * SIGKILL of a child, SIGCHLD, a handler on an alternate stack, EINTR from a blocking read,
 * an interrupted nanosleep, and a POSIX timer collected with sigwaitinfo. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile sig_atomic_t alrm, chld, on_alt;

static void on_segv(int s, siginfo_t *si, void *uc) {
    (void)uc;
    printf("SIGSEGV %d code %d addr %#lx\n", s, si->si_code, (unsigned long)si->si_addr);
    siglongjmp(jb, 1);
}
static void on_alrm(int s) { (void)s; alrm++; }
static void on_chld(int s) { (void)s; chld++; }
static void on_usr1(int s) {
    (void)s;
    stack_t ss;
    sigaltstack(NULL, &ss);
    on_alt = (ss.ss_flags & SS_ONSTACK) ? 1 : 2;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (!sigsetjmp(jb, 1))
        *(volatile int *)0x10 = 1;
    printf("recovered once\n");
    if (!sigsetjmp(jb, 1))
        *(volatile char *)main = 0; /* text is read-only: SEGV_ACCERR */
    printf("recovered twice\n");

    signal(SIGALRM, on_alrm);
    alarm(1);
    pause();
    printf("alarm + pause: %d\n", alrm);

    signal(SIGCHLD, on_chld);
    pid_t p = fork();
    if (p == 0) {
        for (;;)
            pause();
    }
    kill(p, SIGKILL);
    int st;
    waitpid(p, &st, 0);
    printf("child: signaled %d sig %d, SIGCHLD seen %d\n", WIFSIGNALED(st), WTERMSIG(st), chld);

    static char stack[65536];
    stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack};
    sigaltstack(&ss, NULL);
    struct sigaction su = {0};
    su.sa_handler = on_usr1;
    su.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &su, NULL);
    raise(SIGUSR1);
    printf("handler on alternate stack: %d\n", on_alt);

    int fds[2];
    pipe(fds);
    struct sigaction sr = {0};
    sr.sa_handler = on_alrm; /* no SA_RESTART: a blocking read fails with EINTR */
    sigaction(SIGALRM, &sr, NULL);
    struct itimerval once = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &once, NULL);
    char b;
    ssize_t r = read(fds[0], &b, 1);
    printf("read: %zd %s\n", r, r < 0 ? strerror(errno) : "");

    struct timespec ts = {5, 0}, rem = {0, 0};
    setitimer(ITIMER_REAL, &once, NULL);
    int n = nanosleep(&ts, &rem);
    printf("nanosleep: %d %s, time left: %d\n", n, strerror(errno), rem.tv_sec > 0 || rem.tv_nsec > 0);

    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    timer_t tid;
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR2;
    ev.sigev_value.sival_int = 42;
    timer_create(CLOCK_MONOTONIC, &ev, &tid);
    struct itimerspec its = {{0, 0}, {0, 10000000}};
    timer_settime(tid, 0, &its, NULL);
    siginfo_t si;
    int sig = sigwaitinfo(&m, &si);
    printf("timer: sig %d code %d value %d\n", sig, si.si_code, si.si_value.sival_int);
    timer_delete(tid);
    return 0;
}
