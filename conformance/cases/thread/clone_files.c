// syscalls: clone, close, dup2, fcntl, openat, fstat, wait4
/* CLONE_FILES shares the descriptor table: a close and a dup2 made by the child are seen by
 * the parent. Without it the child works on a copy and the parent's table is untouched.
 * pthreads share the table. */
#include "harness.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static int fa, fb;
static char stack[256 * 1024] __attribute__((aligned(16)));

static int child(void *arg) {
    (void)arg;
    close(fa);
    dup2(fb, 60);
    return 0;
}

static int same_file(int fd, int as) {
    struct stat x, y;
    return fstat(fd, &x) == 0 && fstat(as, &y) == 0 && x.st_ino == y.st_ino;
}

static void run_clone(int flags) {
    pid_t pid = clone(child, stack + sizeof stack, flags | SIGCHLD, NULL);
    if (pid < 0) T_FAIL("clone: %s", t_errname(errno));
    else waitpid(pid, NULL, 0);
}

static void *sharer(void *arg) {
    (void)arg;
    dup2(fb, 62);
    return NULL;
}

int main(void) {
    alarm(10);
    fa = EXPECT_OK(open("a", O_CREAT | O_RDWR, 0644));
    fb = EXPECT_OK(open("b", O_CREAT | O_RDWR, 0644));

    run_clone(0);
    SAY("without CLONE_FILES:");
    EXPECT_EQ(fcntl(fa, F_GETFD), 0);
    EXPECT_ERR(fcntl(60, F_GETFD), EBADF);

    run_clone(CLONE_FILES);
    SAY("with CLONE_FILES:");
    EXPECT_ERR(fcntl(fa, F_GETFD), EBADF);
    EXPECT_EQ(fcntl(60, F_GETFD), 0);
    CHECK(same_file(60, fb));

    pthread_t t;
    pthread_create(&t, NULL, sharer, NULL);
    pthread_join(t, NULL);
    SAY("thread:");
    CHECK(same_file(62, fb));
    return t_done();
}
