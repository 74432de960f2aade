// syscalls: sysinfo, clock_gettime
#include "harness.h"
#include <sys/sysinfo.h>
#include <time.h>

/* sysinfo: memory figures are consistent, uptime matches CLOCK_BOOTTIME, at least one
 * process. */
int main(void) {
    struct sysinfo si;
    memset(&si, 0xff, sizeof si);
    EXPECT_EQ(syscall(SYS_sysinfo, &si), 0);
    CHECK(si.mem_unit >= 1);
    CHECK(si.totalram > 0);
    CHECK(si.freeram <= si.totalram);
    CHECK(si.freeswap <= si.totalswap);
    CHECK(si.procs >= 1);
    struct timespec boot;
    syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &boot);
    long up = si.uptime;
    CHECK(up >= boot.tv_sec - 1 && up <= boot.tv_sec + 2);
    EXPECT_ERR(syscall(SYS_sysinfo, (void *)8), EFAULT);
    return t_done();
}
