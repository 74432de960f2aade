// syscalls: get_robust_list, set_robust_list, fork, setuid, setgid, prctl, waitid, wait4
/* get_robust_list on other processes follows ptrace's read check: a process with the same
 * identity that is dumpable can be read (its own head, or none once it has exited and is a
 * zombie); a process of another user, or a non-dumpable one, is EPERM. */
#include "harness.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

struct robust_list { struct robust_list *next; };
struct robust_list_head {
    struct robust_list list;
    long futex_offset;
    struct robust_list *list_op_pending;
};

static struct robust_list_head heads[3];

/* A child that registers heads[i], tells the parent over `ready`, and waits to be killed. */
static pid_t holder(int i, int dumpable) {
    int p[2];
    if (pipe(p)) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        heads[i].list.next = &heads[i].list;
        syscall(SYS_set_robust_list, &heads[i], sizeof heads[i]);
        prctl(PR_SET_DUMPABLE, dumpable);
        write(p[1], "x", 1);
        for (;;) pause();
    }
    char c;
    read(p[0], &c, 1);
    close(p[0]);
    close(p[1]);
    return pid;
}

static void reap(pid_t pid) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static int read_head(pid_t pid, void **head) {
    size_t len = 0;
    *head = (void *)1;
    long r = syscall(SYS_get_robust_list, pid, head, &len);
    return r == 0 && len == 24 ? 0 : -1;
}

int main(void) {
    alarm(10);
    void *head;
    /* Same identity (root and its root child): readable. */
    pid_t c = holder(0, 1);
    EXPECT_OK(read_head(c, &head));
    EXPECT_EQ(head == &heads[0], 1);
    reap(c);

    /* An exited child not reaped yet is still found; its list is gone. */
    pid_t z = fork();
    if (z == 0) {
        heads[1].list.next = &heads[1].list;
        syscall(SYS_set_robust_list, &heads[1], sizeof heads[1]);
        _exit(0);
    }
    siginfo_t si;
    EXPECT_OK(waitid(P_PID, z, &si, WEXITED | WNOWAIT));
    EXPECT_OK(read_head(z, &head));
    EXPECT_EQ(head == NULL, 1);
    waitpid(z, NULL, 0);
    EXPECT_ERR(read_head(z, &head), ESRCH);

    /* An unprivileged process. */
    pid_t u = fork();
    if (u == 0) {
        if (setgid(65534) || setuid(65534)) _exit(99);
        prctl(PR_SET_DUMPABLE, 1);
        SAY("as uid 65534:");
        /* Another user's process (root, the parent). */
        EXPECT_ERR(read_head(getppid(), &head), EPERM);
        /* Its own children: readable while dumpable. */
        pid_t d = holder(1, 1);
        EXPECT_OK(read_head(d, &head));
        EXPECT_EQ(head == &heads[1], 1);
        pid_t n = holder(2, 0);
        EXPECT_ERR(read_head(n, &head), EPERM);
        reap(d);
        reap(n);
        /* Its own threads' and its own: always. */
        EXPECT_OK(read_head(0, &head));
        EXPECT_OK(read_head(getpid(), &head));
        _exit(t_done());
    }
    int status = -1;
    waitpid(u, &status, 0);
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
    return t_done();
}
