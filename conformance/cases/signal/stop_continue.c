// syscalls: kill, clone, wait4, setpgid, rt_sigaction
/* Job control through waitpid: SIGTSTP and SIGSTOP stop a child (WIFSTOPPED with the signal,
 * reported once under WUNTRACED), SIGCONT resumes it (WIFCONTINUED once under WCONTINUED) and
 * runs its SIGCONT handler; a stopped child still dies of SIGKILL. The child has its own
 * process group so SIGTSTP is not discarded as sent to an orphaned group. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static int ready[2], note[2];
static void on_cont(int s) {
    (void)s;
    (void)!write(note[1], "c", 1);
}

static void show(const char *what, pid_t pid, int flags) {
    int st = 0;
    pid_t r = waitpid(pid, &st, flags);
    if (r == 0) {
        SAY("%s: nothing", what);
        return;
    }
    if (r != pid) {
        T_FAIL("%s: waitpid: %s", what, t_errname(errno));
        return;
    }
    if (WIFSTOPPED(st)) SAY("%s: stopped by %d", what, WSTOPSIG(st));
    else if (WIFCONTINUED(st)) SAY("%s: continued", what);
    else if (WIFSIGNALED(st)) SAY("%s: killed by %d", what, WTERMSIG(st));
    else if (WIFEXITED(st)) SAY("%s: exited %d", what, WEXITSTATUS(st));
}

int main(void) {
    syscall(SYS_alarm, 10);
    SAY("SIGTSTP=%d SIGSTOP=%d", SIGTSTP, SIGSTOP);
    if (pipe(ready) || pipe(note)) return T_FAIL("pipe"), t_done();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        struct sigaction sa = {0};
        sa.sa_handler = on_cont;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGCONT, &sa, NULL);
        signal(SIGTSTP, SIG_DFL);
        (void)!write(ready[1], "r", 1);
        for (;;) pause();
    }
    char c;
    EXPECT_EQ(read(ready[0], &c, 1), 1);
    setpgid(pid, pid); /* either side may win the race; both set the same group */
    EXPECT_OK(kill(pid, SIGTSTP));
    show("after SIGTSTP", pid, WUNTRACED);
    show("again (WNOHANG)", pid, WUNTRACED | WNOHANG);
    EXPECT_OK(kill(pid, SIGCONT));
    show("after SIGCONT", pid, WCONTINUED);
    EXPECT_EQ(read(note[0], &c, 1), 1);
    SAY("SIGCONT handler ran: %c", c);
    show("again (WNOHANG)", pid, WCONTINUED | WNOHANG);
    EXPECT_OK(kill(pid, SIGSTOP));
    show("after SIGSTOP", pid, WUNTRACED);
    /* A plain waitpid(0 flags) does not report the stop; WNOHANG shows nothing. */
    show("no WUNTRACED", pid, WNOHANG);
    EXPECT_OK(kill(pid, SIGKILL));
    show("after SIGKILL", pid, 0);
    return t_done();
}
