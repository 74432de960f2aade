// syscalls: unshare, close, dup2, fcntl, chdir, umask, getcwd, clone
/* unshare(CLONE_FILES) and unshare(CLONE_FS) in a thread: afterwards the thread has its own
 * copy of the descriptor table (its close and dup2 are not seen by the main thread) and of
 * the cwd and umask (its chdir and umask are not either). unshare(0) is a no-op and an
 * unknown flag is EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>

static int fa, fb;
static long r_files, r_fs;
static char start[4096], after[4096];

static void *unsharer(void *arg) {
    (void)arg;
    r_files = syscall(SYS_unshare, CLONE_FILES);
    close(fa);
    dup2(fb, 61);
    r_fs = syscall(SYS_unshare, CLONE_FS);
    chdir("/");
    umask(0);
    return NULL;
}

int main(void) {
    alarm(10);
    getcwd(start, sizeof start);
    umask(022);
    fa = EXPECT_OK(open("a", O_CREAT | O_RDWR, 0644));
    fb = EXPECT_OK(open("b", O_CREAT | O_RDWR, 0644));
    EXPECT_OK(syscall(SYS_unshare, 0));
    EXPECT_ERR(syscall(SYS_unshare, 0x80000000UL | CLONE_FILES | 1), EINVAL);
    pthread_t t;
    pthread_create(&t, NULL, unsharer, NULL);
    pthread_join(t, NULL);
    EXPECT_EQ(r_files, 0);
    EXPECT_EQ(r_fs, 0);
    EXPECT_EQ(fcntl(fa, F_GETFD), 0);
    EXPECT_ERR(fcntl(61, F_GETFD), EBADF);
    getcwd(after, sizeof after);
    EXPECT_EQ(strcmp(start, after), 0);
    EXPECT_EQ(umask(022), 022);
    return t_done();
}
