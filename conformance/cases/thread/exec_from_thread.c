// syscalls: execve, clone, gettid, getpid, readlink, wait4
/* execve from a thread that is not the main one: the other threads (the blocked main thread
 * included) are gone, and the new image runs single-threaded as the same process: its pid is
 * the old pid, its tid equals that pid (it took over the leader's id), and the parent's wait
 * sees the new image's exit status. */
#include "harness.h"
#include <pthread.h>
#include <sys/wait.h>

static char self[4096];
static char pidbuf[32];

static void *execer(void *arg) {
    (void)arg;
    char tidbuf[32];
    snprintf(tidbuf, sizeof tidbuf, "%ld", syscall(SYS_gettid));
    char *av[] = {"exec-from-thread", "stage2", pidbuf, tidbuf, NULL};
    char *ev[] = {NULL};
    execve(self, av, ev);
    _exit(100);
}

static void *noop(void *arg) { return arg; }

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "stage2") == 0) {
        pid_t old_pid = atoi(argv[2]);
        pid_t old_tid = atoi(argv[3]);
        int r = 0;
        r |= (getpid() == old_pid) << 0;
        r |= (syscall(SYS_gettid) == old_pid) << 1;
        r |= (old_tid != old_pid) << 2;
        /* Threads work in the new image. */
        pthread_t t;
        r |= (pthread_create(&t, NULL, noop, NULL) == 0 && pthread_join(t, NULL) == 0) << 3;
        _exit(r);
    }
    alarm(10);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!CHECK(n > 0)) return t_done();
    self[n] = 0;
    pid_t pid = fork();
    if (pid == 0) {
        snprintf(pidbuf, sizeof pidbuf, "%d", getpid());
        pthread_t t;
        pthread_create(&t, NULL, execer, NULL);
        for (;;) pause();
    }
    int status = -1;
    EXPECT_EQ(waitpid(pid, &status, 0) == pid, 1);
    CHECK(WIFEXITED(status));
    int r = WEXITSTATUS(status);
    SAY("new image: same pid %d, tid == pid %d, old tid was not the pid %d, threads work %d",
        r & 1, (r >> 1) & 1, (r >> 2) & 1, (r >> 3) & 1);
    EXPECT_EQ(r, 15);
    return t_done();
}
