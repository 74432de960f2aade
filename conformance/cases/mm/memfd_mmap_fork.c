// syscalls: memfd_create, ftruncate, mmap, fork, write, pwrite64, pread64, wait4, munmap
#include "harness.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

/* A memfd's MAP_SHARED mappings, its read/write and its other mappings all see the same
 * bytes at once, across fork too (no msync); a MAP_PRIVATE mapping is a copy; touching a
 * shared page past the end of the file raises SIGBUS. */
static sigjmp_buf jb;
static void on_bus(int sig) { siglongjmp(jb, sig); }

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = syscall(SYS_memfd_create, "shared", 0);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(ftruncate(fd, pg), 0);
    char *a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *priv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (!CHECK(a != MAP_FAILED && priv != MAP_FAILED)) return t_done();
    strcpy(a, "parent");
    pid_t pid = fork();
    if (pid == 0) {
        /* The child writes through the inherited mapping and through the descriptor. */
        strcpy(a + 100, "child-map");
        pwrite(fd, "child-write", 11, 200);
        /* A fresh mapping in the child sees the parent's bytes. */
        char *b = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
        _exit(b != MAP_FAILED && strcmp(b, "parent") == 0 ? 0 : 3);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
    SAY("map sees child map write: %s", a + 100);
    SAY("map sees child pwrite: %.11s", a + 200);
    char buf[16] = {0};
    EXPECT_EQ(pread(fd, buf, 9, 100), 9);
    SAY("pread sees map write: %s", buf);
    /* A second shared mapping of the same file is the same memory. */
    char *c = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(c != MAP_FAILED)) return t_done();
    c[0] = 'P';
    SAY("first mapping after store through second: %s", a);
    EXPECT_EQ(write(fd, "W", 1), 1);
    SAY("after write(): %s", c);
    /* The private copy took the first page when it was mapped and keeps its own stores. */
    priv[1] = '!';
    EXPECT_EQ(pread(fd, buf, 6, 0), 6);
    SAY("file after private store: %.6s", buf);
    /* Past the end of the file a shared mapping has no page. */
    char *big = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(big != MAP_FAILED)) return t_done();
    signal(SIGBUS, on_bus);
    volatile int got = 0;
    if (sigsetjmp(jb, 1) == 0) {
        big[pg] = 1;
    } else {
        got = 1;
    }
    SAY("store past EOF raised SIGBUS: %d", got);
    /* Growing the file makes that page real, and zero. */
    EXPECT_EQ(ftruncate(fd, 2 * pg), 0);
    SAY("page after growth reads %d", big[pg]);
    big[pg] = 'x';
    EXPECT_EQ(pread(fd, buf, 1, pg), 1);
    SAY("pread of grown page: %c", buf[0]);
    EXPECT_EQ(munmap(a, pg), 0);
    EXPECT_EQ(munmap(c, pg), 0);
    EXPECT_EQ(munmap(big, 2 * pg), 0);
    EXPECT_EQ(munmap(priv, pg), 0);
    close(fd);
    return t_done();
}
