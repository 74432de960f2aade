// syscalls: mmap
#include "harness.h"
#include <sys/mman.h>

/* Lengths beyond the address space are ENOMEM, not a wrapped-around small mapping. */
int main(void) {
    EXPECT_ERR(syscall(SYS_mmap, 0, 1UL << 60, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
               ENOMEM);
    EXPECT_ERR(syscall(SYS_mmap, 0, -4096UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
               ENOMEM);
    EXPECT_ERR(syscall(SYS_mmap, 0, -1UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    /* A fixed mapping reaching past the top of user space. */
    EXPECT_ERR(syscall(SYS_mmap, 0x7ffffffff000UL, 0x2000, PROT_READ,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
    return t_done();
}
