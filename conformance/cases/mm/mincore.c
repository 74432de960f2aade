// syscalls: mmap, mincore, munmap
#include "harness.h"
#include <sys/mman.h>

/* mincore reports touched pages resident and checks its arguments. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    memset(p, 1, 3 * pg);
    unsigned char v[3] = {0xff, 0xff, 0xff};
    EXPECT_EQ(mincore(p, 3 * pg, v), 0);
    SAY("resident bits: %d %d %d", v[0] & 1, v[1] & 1, v[2] & 1);
    /* A partial last page counts as a page. */
    unsigned char w[2] = {0, 0xee};
    EXPECT_EQ(mincore(p, pg + 1, w), 0);
    SAY("both entries written: %d %d", w[0] & 1, w[1] & 1);
    EXPECT_ERR(mincore(p + 1, pg, v), EINVAL);
    EXPECT_ERR(syscall(SYS_mincore, p, pg, (void *)8), EFAULT);
    EXPECT_EQ(munmap(p, 3 * pg), 0);
    EXPECT_ERR(mincore(p, pg, v), ENOMEM);
    return t_done();
}
