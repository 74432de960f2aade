// syscalls: openat, ftruncate, mmap, fork, pwrite64, pipe2, wait4, rt_sigaction
/* A shrink of a file takes the cut pages from the MAP_SHARED mappings of every process: a
 * child's mapping inherited through fork and one the child made itself both raise SIGBUS once
 * the parent shrinks the file, even for pages already touched; after the parent grows the
 * file again and writes to it, the child's mappings show the new bytes, not the old ones. */
#include "harness.h"
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

static sigjmp_buf back;
static siginfo_t seen;

static void on_bus(int s, siginfo_t *si, void *uc) {
    (void)s, (void)uc;
    seen = *si;
    siglongjmp(back, 1);
}

static void probe(const char *what, volatile char *p) {
    memset(&seen, 0, sizeof seen);
    if (sigsetjmp(back, 1) == 0) {
        char c = *p;
        SAY("%s: read %d", what, c);
    } else {
        SAY("%s: signo=%d code=%d addr ok=%d", what, seen.si_signo, seen.si_code,
            seen.si_addr == (void *)p);
    }
}

static void step(int fd) {
    char c;
    if (read(fd, &c, 1) != 1) _exit(9);
}

static void go(int fd) {
    if (write(fd, "g", 1) != 1) _exit(9);
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_OK(ftruncate(fd, 2 * pg));
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(m != MAP_FAILED)) return t_done();
    memset(m, 'a', 2 * pg);
    int to_child[2], to_parent[2];
    if (!CHECK(pipe(to_child) == 0 && pipe(to_parent) == 0)) return t_done();
    pid_t pid = fork();
    if (pid == 0) {
        char *own = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (own == MAP_FAILED) _exit(8);
        probe("child: inherited mapping, page 1", m + pg + 1);
        probe("child: own mapping, page 1", own + pg + 2);
        go(to_parent[1]);
        step(to_child[0]); /* the parent shrank the file */
        probe("child: inherited mapping after shrink", m + pg + 1);
        probe("child: own mapping after shrink", own + pg + 2);
        probe("child: page 0 stays", own + 5);
        go(to_parent[1]);
        step(to_child[0]); /* the parent grew it and wrote to it */
        probe("child: inherited mapping after regrowth", m + pg + 1);
        probe("child: own mapping after regrowth", own + pg + 2);
        probe("child: the parent's new byte", own + pg + 3);
        _exit(t_done());
    }
    step(to_parent[0]);
    EXPECT_OK(ftruncate(fd, 100));
    probe("parent: page 1 after shrink", m + pg);
    go(to_child[1]);
    step(to_parent[0]);
    EXPECT_OK(ftruncate(fd, 2 * pg));
    EXPECT_EQ(pwrite(fd, "n", 1, pg + 3), 1);
    go(to_child[1]);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
    probe("parent: page 1 after regrowth", m + pg + 3);
    return t_done();
}
