// syscalls: unshare, clone, execve, setuid, setgid, chdir, close, fcntl, wait4
/* unshare flag rules: CLONE_THREAD, CLONE_SIGHAND and CLONE_VM succeed only while nothing
 * shares them (EINVAL with a second thread, and CLONE_VM also with a CLONE_VM child);
 * CLONE_NEWUSER implies CLONE_THREAD; unknown bits are EINVAL; namespaces need privilege
 * (EPERM for an unprivileged user). A CLONE_FILES or CLONE_FS child process that unshares
 * gets its own copy; and execve gives a CLONE_FILES child its own table, so its
 * close-on-exec sweep does not close the parent's descriptors. */
#include "harness.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

static char stack[256 * 1024] __attribute__((aligned(16)));
static volatile long vm_result = 1;
static volatile int stop;
static int fd_a, fd_cloexec;
static char self[4096];

static void *idle(void *arg) {
    (void)arg;
    while (!stop) usleep(1000);
    return NULL;
}

static int vm_child(void *arg) {
    (void)arg;
    vm_result = syscall(SYS_unshare, CLONE_VM) == 0 ? 0 : -errno;
    return 0;
}

static int files_child(void *arg) {
    (void)arg;
    if (syscall(SYS_unshare, CLONE_FILES)) return 1;
    close(fd_a);
    return 0;
}

static int fs_child(void *arg) {
    (void)arg;
    if (syscall(SYS_unshare, CLONE_FS)) return 1;
    return chdir("/") ? 2 : 0;
}

static int exec_child(void *arg) {
    (void)arg;
    char *argv[] = {self, "exec-child", NULL};
    execve(self, argv, (char *[]){NULL});
    return 127;
}

static int run(int (*fn)(void *), int flags) {
    pid_t pid = clone(fn, stack + sizeof stack, flags | SIGCHLD, NULL);
    if (pid < 0) return -errno;
    int status = -1;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "exec-child")) return 0;
    alarm(10);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;

    SAY("single-threaded:");
    EXPECT_OK(syscall(SYS_unshare, CLONE_THREAD));
    EXPECT_OK(syscall(SYS_unshare, CLONE_SIGHAND));
    EXPECT_OK(syscall(SYS_unshare, CLONE_VM));
    EXPECT_OK(syscall(SYS_unshare, CLONE_SYSVSEM));
    EXPECT_OK(syscall(SYS_unshare, CLONE_FILES | CLONE_FS));
    EXPECT_ERR(syscall(SYS_unshare, 1UL << 32), EINVAL);
    EXPECT_ERR(syscall(SYS_unshare, CLONE_IO), EINVAL);
    EXPECT_ERR(syscall(SYS_unshare, CLONE_PARENT), EINVAL);
    EXPECT_ERR(syscall(SYS_unshare, CLONE_VFORK | CLONE_FS), EINVAL);

    SAY("with a second thread:");
    pthread_t t;
    pthread_create(&t, NULL, idle, NULL);
    EXPECT_ERR(syscall(SYS_unshare, CLONE_THREAD), EINVAL);
    EXPECT_ERR(syscall(SYS_unshare, CLONE_SIGHAND), EINVAL);
    EXPECT_ERR(syscall(SYS_unshare, CLONE_VM), EINVAL);
    EXPECT_ERR(syscall(SYS_unshare, CLONE_NEWUSER), EINVAL);
    EXPECT_OK(syscall(SYS_unshare, CLONE_SYSVSEM));
    stop = 1;
    pthread_join(t, NULL);

    SAY("a CLONE_VM child:");
    EXPECT_EQ(run(vm_child, CLONE_VM), 0);
    EXPECT_EQ(vm_result, -EINVAL);

    SAY("a CLONE_FILES child that unshares:");
    fd_a = EXPECT_OK(open("a", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(run(files_child, CLONE_FILES), 0);
    EXPECT_EQ(fcntl(fd_a, F_GETFD), 0);

    SAY("a CLONE_FS child that unshares:");
    char before[4096], after[4096];
    getcwd(before, sizeof before);
    EXPECT_EQ(run(fs_child, CLONE_FS), 0);
    getcwd(after, sizeof after);
    EXPECT_EQ(strcmp(before, after), 0);

    SAY("a CLONE_FILES child that execs:");
    fd_cloexec = EXPECT_OK(open("b", O_CREAT | O_RDWR | O_CLOEXEC, 0644));
    EXPECT_EQ(run(exec_child, CLONE_FILES), 0);
    EXPECT_EQ(fcntl(fd_cloexec, F_GETFD), FD_CLOEXEC);

    SAY("unprivileged namespaces:");
    pid_t u = fork();
    if (u == 0) {
        if (setgid(65534) || setuid(65534)) _exit(99);
        EXPECT_ERR(syscall(SYS_unshare, CLONE_NEWNS), EPERM);
        EXPECT_ERR(syscall(SYS_unshare, CLONE_NEWUTS), EPERM);
        EXPECT_ERR(syscall(SYS_unshare, CLONE_NEWIPC), EPERM);
        EXPECT_ERR(syscall(SYS_unshare, CLONE_NEWNET), EPERM);
        EXPECT_ERR(syscall(SYS_unshare, CLONE_NEWPID), EPERM);
        EXPECT_ERR(syscall(SYS_unshare, CLONE_NEWCGROUP), EPERM);
        EXPECT_ERR(syscall(SYS_unshare, CLONE_NEWTIME), EPERM);
        _exit(t_done());
    }
    int status = -1;
    waitpid(u, &status, 0);
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
    return t_done();
}
