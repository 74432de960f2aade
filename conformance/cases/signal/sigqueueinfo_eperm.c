// syscalls: rt_sigqueueinfo, rt_tgsigqueueinfo, rt_sigtimedwait, clone, wait4
/* Nobody, not even root, may queue a signal with si_code >= 0 (kernel-made) or SI_TKILL to
 * another process: EPERM; a negative si_code such as SI_QUEUE is accepted and arrives with the
 * sender's value. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        siginfo_t got;
        if (sigwaitinfo(&set, &got) != SIGUSR1) _exit(99);
        _exit(got.si_code == SI_QUEUE ? got.si_value.sival_int : 98);
    }
    if (!CHECK(pid > 0)) return t_done();
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_value.sival_int = 3;
    static const int codes[] = {SI_USER, SI_KERNEL, 1, SI_TKILL};
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        si.si_code = codes[i];
        SAY("si_code %d:", codes[i]);
        EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), EPERM);
        EXPECT_ERR(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGUSR1, &si), EPERM);
    }
    si.si_code = SI_QUEUE;
    SAY("si_code %d:", SI_QUEUE);
    EXPECT_EQ(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), 0);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("child got value %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    /* The dead child: ESRCH. */
    EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), ESRCH);
    return t_done();
}
