// syscalls: pidfd_open, pidfd_send_signal, rt_sigprocmask, rt_sigtimedwait, wait4, waitid, openat
/* pidfd_send_signal: like kill through a pidfd (SI_USER from the sender), or with a caller
 * siginfo, which only the process itself may fill with a non-negative si_code; the scope
 * flags pick the thread, the process or its process group. Signalling a zombie succeeds, a
 * reaped process is ESRCH, and bad flags, signals and descriptors give Linux's errors. */
#include "harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#ifndef PIDFD_SIGNAL_THREAD
#define PIDFD_SIGNAL_THREAD (1UL << 0)
#define PIDFD_SIGNAL_THREAD_GROUP (1UL << 1)
#define PIDFD_SIGNAL_PROCESS_GROUP (1UL << 2)
#endif
#define PIDFD_SELF_THREAD -10000
#define PIDFD_SELF_THREAD_GROUP -10001

/* The raw call: glibc's sigwaitinfo turns SI_TKILL into SI_USER. */
static int take(const sigset_t *set, siginfo_t *si) {
    return syscall(SYS_rt_sigtimedwait, set, si, NULL, 8);
}

static int pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static int send(int fd, int sig, siginfo_t *info, unsigned flags) {
    return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

int main(void) {
    syscall(SYS_alarm, 10);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);

    /* To ourselves: plain, then with our own siginfo. */
    int me = EXPECT_OK(pidfd_open(getpid(), 0));
    EXPECT_OK(send(me, SIGUSR1, NULL, 0));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    EXPECT_EQ(take(&set, &si), SIGUSR1);
    SAY("plain: code=%d pid ok=%d uid=%d", si.si_code, si.si_pid == getpid(), si.si_uid);
    siginfo_t mine;
    memset(&mine, 0, sizeof mine);
    mine.si_signo = SIGRTMIN;
    mine.si_code = SI_QUEUE;
    mine.si_value.sival_int = 42;
    EXPECT_OK(send(me, SIGRTMIN, &mine, 0));
    memset(&si, 0, sizeof si);
    EXPECT_EQ(take(&set, &si) == SIGRTMIN, 1);
    SAY("queued: code=%d value=%d", si.si_code, si.si_value.sival_int);
    mine.si_code = 5; /* a kernel-style code is allowed to oneself */
    EXPECT_OK(send(me, SIGRTMIN, &mine, 0));
    memset(&si, 0, sizeof si);
    take(&set, &si);
    SAY("self kernel code: code=%d", si.si_code);
    EXPECT_ERR(send(me, SIGUSR2, &mine, 0), EINVAL); /* si_signo must match */
    EXPECT_OK(send(PIDFD_SELF_THREAD, SIGUSR2, NULL, 0));
    memset(&si, 0, sizeof si);
    EXPECT_EQ(take(&set, &si), SIGUSR2);
    SAY("self thread: code=%d", si.si_code);
    EXPECT_OK(send(PIDFD_SELF_THREAD_GROUP, SIGUSR1, NULL, 0));
    memset(&si, 0, sizeof si);
    EXPECT_EQ(take(&set, &si), SIGUSR1);
    SAY("self group: code=%d", si.si_code);
    EXPECT_OK(send(me, SIGUSR2, NULL, PIDFD_SIGNAL_THREAD));
    memset(&si, 0, sizeof si);
    EXPECT_EQ(take(&set, &si), SIGUSR2);
    SAY("thread scope: code=%d", si.si_code);
    EXPECT_OK(send(me, 0, NULL, 0));
    /* A /proc/<pid> directory names its process too; other directories do not. */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", getpid());
    int dir = open(path, O_RDONLY | O_DIRECTORY);
    EXPECT_OK(send(dir, SIGUSR1, NULL, 0));
    memset(&si, 0, sizeof si);
    EXPECT_EQ(take(&set, &si), SIGUSR1);
    SAY("through /proc/<pid>: code=%d", si.si_code);
    snprintf(path, sizeof path, "/proc/%d/task/%d", getpid(), gettid());
    int task_dir = open(path, O_RDONLY | O_DIRECTORY);
    EXPECT_ERR(send(task_dir, SIGUSR1, NULL, 0), EBADF);
    int proc_root = open("/proc", O_RDONLY | O_DIRECTORY);
    EXPECT_ERR(send(proc_root, SIGUSR1, NULL, 0), EBADF);
    close(dir);
    close(task_dir);
    close(proc_root);

    /* Errors. */
    EXPECT_ERR(send(me, SIGUSR1, NULL, 8), EINVAL);
    EXPECT_ERR(send(me, SIGUSR1, NULL, PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP), EINVAL);
    EXPECT_ERR(send(me, 65, NULL, 0), EINVAL);
    EXPECT_ERR(send(-1, SIGUSR1, NULL, 0), EBADF);
    EXPECT_ERR(send(1, SIGUSR1, NULL, 0), EBADF);
    EXPECT_ERR(send(me, SIGUSR1, (siginfo_t *)8, 0), EFAULT);

    /* A child in its own process group: killed through the pidfd, by group, and a
     * kernel-style siginfo from us is refused. */
    for (int round = 0; round < 2; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            setpgid(0, 0);
            for (;;) pause();
        }
        setpgid(pid, pid);
        int fd = EXPECT_OK(pidfd_open(pid, 0));
        memset(&mine, 0, sizeof mine);
        mine.si_signo = SIGTERM;
        mine.si_code = SI_USER;
        EXPECT_ERR(send(fd, SIGTERM, &mine, 0), EPERM);
        mine.si_code = SI_QUEUE;
        unsigned flags = round ? PIDFD_SIGNAL_PROCESS_GROUP : 0;
        EXPECT_OK(send(fd, SIGTERM, round ? NULL : &mine, flags));
        int status = 0;
        EXPECT_EQ(waitpid(pid, &status, 0) == pid, 1);
        SAY("round %d: signaled=%d sig=%d", round, WIFSIGNALED(status), WTERMSIG(status));
        EXPECT_ERR(send(fd, SIGTERM, NULL, 0), ESRCH);
        close(fd);
    }
    /* A zombie can be signalled (nothing happens); a reaped one cannot. */
    pid_t z = fork();
    if (z == 0) _exit(3);
    int zfd = EXPECT_OK(pidfd_open(z, 0));
    siginfo_t w;
    EXPECT_OK(waitid(P_PID, z, &w, WEXITED | WNOWAIT));
    EXPECT_OK(send(zfd, SIGKILL, NULL, 0));
    int status = 0;
    waitpid(z, &status, 0);
    SAY("zombie kept its status: exited=%d code=%d", WIFEXITED(status), WEXITSTATUS(status));
    EXPECT_ERR(send(zfd, 0, NULL, 0), ESRCH);
    return t_done();
}
