// syscalls: kill, tkill, tgkill, rt_sigqueueinfo, rt_sigaction, clone, wait4
/* The siginfo a handler sees names how and by whom the signal was sent: kill is SI_USER,
 * tkill/tgkill are SI_TKILL, sigqueue is SI_QUEUE, each with the sender's pid and uid; a
 * child's kill carries the child's pid. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static siginfo_t seen;
static volatile int n;

static void on_usr1(int s, siginfo_t *si, void *uc) {
    (void)s, (void)uc;
    seen = *si;
    n++;
}

static void show(const char *what, pid_t from) {
    SAY("%s: n=%d signo=%d code=%d errno=%d pid ok=%d uid ok=%d", what, n, seen.si_signo,
        seen.si_code, seen.si_errno, seen.si_pid == from, seen.si_uid == getuid());
    memset(&seen, 0, sizeof seen);
}

int main(void) {
    syscall(SYS_alarm, 5);
    SAY("SI_USER=%d SI_TKILL=%d SI_QUEUE=%d", SI_USER, SI_TKILL, SI_QUEUE);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t me = getpid();
    kill(me, SIGUSR1);
    show("kill", me);
    syscall(SYS_tkill, gettid(), SIGUSR1);
    show("tkill", me);
    syscall(SYS_tgkill, me, gettid(), SIGUSR1);
    show("tgkill", me);
    raise(SIGUSR1);
    show("raise", me);
    sigqueue(me, SIGUSR1, (union sigval){.sival_int = 1});
    show("sigqueue", me);

    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    pid_t pid = fork();
    if (pid == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    sigprocmask(SIG_SETMASK, &old, NULL);
    show("child kill", pid);
    return t_done();
}
