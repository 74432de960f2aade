// syscalls: clone, chdir, umask, getcwd, wait4, mkdirat
/* CLONE_FS shares the working directory and umask: the child's chdir and umask change the
 * parent's. Without it they stay the child's own. pthreads share them too. */
#include "harness.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char stack[256 * 1024] __attribute__((aligned(16)));
static char start[4096];

static int child(void *arg) {
    chdir((const char *)arg);
    umask(077);
    return 0;
}

static void run_clone(int flags, const char *dir) {
    pid_t pid = clone(child, stack + sizeof stack, flags | SIGCHLD, (void *)dir);
    if (pid < 0) T_FAIL("clone: %s", t_errname(errno));
    else waitpid(pid, NULL, 0);
}

/* The cwd relative to where the case started ("." or "sub"...). */
static const char *where(void) {
    static char buf[4096];
    if (!getcwd(buf, sizeof buf)) return "?";
    size_t n = strlen(start);
    if (strncmp(buf, start, n) != 0) return "outside";
    return buf[n] ? buf + n + 1 : ".";
}

static void *thread_chdir(void *arg) {
    chdir("sub2");
    umask(027);
    return arg;
}

int main(void) {
    alarm(10);
    getcwd(start, sizeof start);
    umask(022);
    EXPECT_OK(mkdir("sub", 0755));
    EXPECT_OK(mkdir("sub/sub2", 0755));

    run_clone(0, "sub");
    SAY("without CLONE_FS: cwd %s, umask %03o", where(), umask(022));
    run_clone(CLONE_FS, "sub");
    SAY("with CLONE_FS: cwd %s, umask %03o", where(), umask(022));

    pthread_t t;
    pthread_create(&t, NULL, thread_chdir, NULL);
    pthread_join(t, NULL);
    SAY("thread: cwd %s, umask %03o", where(), umask(022));
    return t_done();
}
