// syscalls: arch_prctl
#include "harness.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* ARCH_GET_FS matches the thread pointer the libc keeps at %fs:0; the GS base round-trips;
 * unknown codes are EINVAL and bad result pointers EFAULT. */
int main(void) {
    unsigned long fs = 0, self;
    EXPECT_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), 0);
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    CHECK(fs != 0 && fs == self);
    static char area[64];
    unsigned long gs = 1;
    EXPECT_EQ(syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)area), 0);
    EXPECT_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs), 0);
    CHECK(gs == (unsigned long)area);
    area[8] = 42;
    unsigned char via_gs;
    __asm__ volatile("movb %%gs:8, %0" : "=q"(via_gs));
    EXPECT_EQ(via_gs, 42);
    EXPECT_EQ(syscall(SYS_arch_prctl, ARCH_SET_GS, 0), 0);
    /* Setting FS to its current value keeps the program working. */
    EXPECT_EQ(syscall(SYS_arch_prctl, ARCH_SET_FS, fs), 0);
    EXPECT_ERR(syscall(SYS_arch_prctl, 0x1999, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_arch_prctl, ARCH_GET_FS, (void *)8), EFAULT);
    /* A non-canonical base is refused. */
    EXPECT_ERR(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x8000000000000000UL), EPERM);
    return t_done();
}
