// syscalls: exit, exit_group, clone, execve, wait4, pipe2, write, read, getpid
/* The main thread can leave first: after pthread_exit in main (or a raw exit syscall) the
 * other threads keep running with the same pid, and the process ends when the last thread
 * does. With raw exits on both sides, current Linux reports the status of the last thread to
 * exit; an exit_group status always wins. (Each scenario runs in a freshly exec'd child, so
 * the libc's thread bookkeeping is set up as in any program.) */
#include "harness.h"
#include <pthread.h>
#include <sys/wait.h>

static int wfd;
static pid_t main_pid;
static int how, last_code;

/* Reports through the pipe that the thread outlived main, then leaves as asked. */
static void *survivor(void *arg) {
    (void)arg;
    usleep(100000);
    char msg = getpid() == main_pid ? 'S' : 'X';
    write(wfd, &msg, 1);
    if (how == 0) return NULL;                  /* pthread exit of the last thread */
    if (how == 1) syscall(SYS_exit, last_code); /* raw exit of the last thread */
    syscall(SYS_exit_group, last_code);         /* the whole group */
    return NULL;
}

static char self[4096];

static int run(int h, int main_code, int code) {
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    pid_t pid = fork();
    if (pid == 0) {
        char a[4][16];
        snprintf(a[0], 16, "%d", p[1]);
        snprintf(a[1], 16, "%d", h);
        snprintf(a[2], 16, "%d", main_code);
        snprintf(a[3], 16, "%d", code);
        char *av[] = {"survivor", "stage2", a[0], a[1], a[2], a[3], NULL};
        execv(self, av);
        _exit(100);
    }
    close(p[1]);
    char msg = '?';
    ssize_t n = read(p[0], &msg, 1);
    close(p[0]);
    SAY("survivor reported: %c (%zd byte)", msg, n);
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

int main(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[1], "stage2") == 0) {
        wfd = atoi(argv[2]);
        how = atoi(argv[3]);
        int main_code = atoi(argv[4]);
        last_code = atoi(argv[5]);
        main_pid = getpid();
        pthread_t t;
        pthread_create(&t, NULL, survivor, NULL);
        if (main_code < 0) pthread_exit(NULL);
        syscall(SYS_exit, main_code);
    }
    alarm(10);
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!CHECK(len > 0)) return t_done();
    self[len] = 0;
    int st = run(0, -1, 0);
    SAY("pthread_exit in main, then the thread returns: exited %d, status %d",
        WIFEXITED(st), WEXITSTATUS(st));
    st = run(1, 3, 5);
    SAY("raw exit(3) in main, raw exit(5) in the last thread: exited %d, status %d",
        WIFEXITED(st), WEXITSTATUS(st));
    st = run(2, 3, 6);
    SAY("raw exit(3) in main, exit_group(6) in the thread: exited %d, status %d",
        WIFEXITED(st), WEXITSTATUS(st));
    return t_done();
}
