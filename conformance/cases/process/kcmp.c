// syscalls: kcmp, fork, clone, dup, open, pipe2
/* kcmp tells whether two threads share a resource: the address space, descriptor table and
 * filesystem context of threads in one process are the same (0), a forked child's are not
 * (1 or 2, by an unspecified order); a dup'ed descriptor is the same open file, a reopened
 * one is not. Missing threads and descriptors and unknown types give Linux's errors. */
#include "harness.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#ifndef KCMP_FILE
#define KCMP_FILE 0
#define KCMP_VM 1
#define KCMP_FILES 2
#define KCMP_FS 3
#endif

static long kcmp(pid_t a, pid_t b, int type, unsigned long x, unsigned long y) {
    return syscall(SYS_kcmp, a, b, type, x, y);
}

static int differ(long r) { return r == 1 || r == 2; }

static pid_t thread_tid;
static int go[2];

static void *thread_fn(void *arg) {
    (void)arg;
    thread_tid = gettid();
    write(go[1], "t", 1);
    pause();
    return NULL;
}

int main(void) {
    syscall(SYS_alarm, 10);
    EXPECT_OK(pipe(go));
    pid_t me = getpid();
    pthread_t t;
    pthread_create(&t, NULL, thread_fn, NULL);
    char c;
    read(go[0], &c, 1);
    EXPECT_EQ(kcmp(me, thread_tid, KCMP_VM, 0, 0), 0);
    EXPECT_EQ(kcmp(me, thread_tid, KCMP_FILES, 0, 0), 0);
    EXPECT_EQ(kcmp(me, thread_tid, KCMP_FS, 0, 0), 0);

    int fd = open("/dev/null", O_RDONLY);
    int same = dup(fd);
    int other = open("/dev/null", O_RDONLY);
    EXPECT_EQ(kcmp(me, me, KCMP_FILE, fd, same), 0);
    CHECK(differ(kcmp(me, me, KCMP_FILE, fd, other)));
    EXPECT_ERR(kcmp(me, me, KCMP_FILE, fd, 999), EBADF);

    pid_t pid = fork();
    if (pid == 0) {
        read(go[0], &c, 1);
        _exit(0);
    }
    CHECK(differ(kcmp(me, pid, KCMP_VM, 0, 0)));
    CHECK(differ(kcmp(me, pid, KCMP_FILES, 0, 0)));
    CHECK(differ(kcmp(me, pid, KCMP_FS, 0, 0)));
    /* The child inherited the same open file at the same number. */
    EXPECT_EQ(kcmp(me, pid, KCMP_FILE, fd, fd), 0);
    /* Ordering is consistent: swapping the arguments swaps 1 and 2. */
    long ab = kcmp(me, pid, KCMP_VM, 0, 0), ba = kcmp(pid, me, KCMP_VM, 0, 0);
    CHECK(ab + ba == 3);

    EXPECT_ERR(kcmp(me, me, 99, 0, 0), EINVAL);
    EXPECT_ERR(kcmp(me, 999999, KCMP_VM, 0, 0), ESRCH);
    write(go[1], "x", 1);
    waitpid(pid, NULL, 0);
    EXPECT_ERR(kcmp(me, pid, KCMP_VM, 0, 0), ESRCH);
    return t_done();
}
