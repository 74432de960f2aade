// syscalls: fork, mmap, mprotect, wait4, pipe, read, write
/* fork gives each process its own private memory even for pages that were read-only at fork
 * time: after either side makes such a page writable and writes it (mprotect), the other
 * still sees the old bytes. Both directions, and a PROT_NONE page made writable later. */
#include "harness.h"
#include <sys/mman.h>
#include <sys/wait.h>

static char *ro_page(int prot) {
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    memset(p, 'A', 4096);
    if (mprotect(p, 4096, prot) != 0) return NULL;
    return p;
}

int main(void) {
    char *a = ro_page(PROT_READ), *b = ro_page(PROT_READ), *c = ro_page(PROT_NONE);
    if (!CHECK(a && b && c)) return t_done();
    int sync[2], back[2];
    if (pipe(sync) != 0 || pipe(back) != 0) return T_FAIL("pipe"), t_done();
    pid_t k = fork();
    if (k == 0) {
        /* Child writes `a` (and `c`), then reports what it sees of `b` after the parent
         * wrote it. */
        mprotect(a, 4096, PROT_READ | PROT_WRITE);
        a[0] = 'C';
        mprotect(c, 4096, PROT_READ | PROT_WRITE);
        c[1] = 'C';
        write(back[1], "w", 1);
        char x;
        read(sync[0], &x, 1);
        char seen[3] = {a[0], b[0], c[1]};
        write(back[1], seen, 3);
        _exit(0);
    }
    char x;
    EXPECT_EQ(read(back[0], &x, 1), 1);
    EXPECT_EQ(mprotect(b, 4096, PROT_READ | PROT_WRITE), 0);
    b[0] = 'P';
    EXPECT_EQ(mprotect(c, 4096, PROT_READ), 0);
    SAY("parent sees a=%c b=%c c=%c", a[0], b[0], c[1]);
    EXPECT_EQ(write(sync[1], "g", 1), 1);
    char seen[3] = {0};
    EXPECT_EQ(read(back[0], seen, 3), 3);
    SAY("child sees a=%c b=%c c=%c", seen[0], seen[1], seen[2]);
    int st;
    EXPECT_EQ(waitpid(k, &st, 0) == k, 1);
    return t_done();
}
