// syscalls: memfd_create, fcntl, fstat, fchmod
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

/* Linux 6.3's exec controls: MFD_NOEXEC_SEAL makes a 0666 file sealed with F_SEAL_EXEC (but
 * open to more seals), whose execute bits chmod may not change; MFD_EXEC is the default
 * 0777; F_SEAL_EXEC on an executable memfd implies the write seals. */
static int mode_of(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

int main(void) {
    EXPECT_ERR(syscall(SYS_memfd_create, "x", MFD_EXEC | MFD_NOEXEC_SEAL), EINVAL);
    int nx = syscall(SYS_memfd_create, "nx", MFD_NOEXEC_SEAL);
    if (!CHECK(nx >= 0)) return t_done();
    SAY("noexec mode %o", mode_of(nx));
    EXPECT_EQ(fcntl(nx, F_GET_SEALS), F_SEAL_EXEC);
    EXPECT_ERR(fchmod(nx, 0777), EPERM);
    EXPECT_ERR(fchmod(nx, 0766), EPERM);
    EXPECT_EQ(fchmod(nx, 0600), 0);
    SAY("after chmod %o", mode_of(nx));
    EXPECT_EQ(fcntl(nx, F_ADD_SEALS, F_SEAL_GROW), 0);
    EXPECT_EQ(fcntl(nx, F_GET_SEALS), F_SEAL_EXEC | F_SEAL_GROW);

    int ex = syscall(SYS_memfd_create, "ex", MFD_EXEC | MFD_ALLOW_SEALING);
    if (!CHECK(ex >= 0)) return t_done();
    SAY("exec mode %o", mode_of(ex));
    EXPECT_EQ(fcntl(ex, F_GET_SEALS), 0);
    EXPECT_EQ(fchmod(ex, 0755), 0);
    SAY("after chmod %o", mode_of(ex));
    /* Sealing exec on an executable file implies shrink, grow, write and future-write. */
    EXPECT_EQ(fcntl(ex, F_ADD_SEALS, F_SEAL_EXEC), 0);
    EXPECT_EQ(fcntl(ex, F_GET_SEALS),
              F_SEAL_EXEC | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE);
    EXPECT_ERR(write(ex, "x", 1), EPERM);
    EXPECT_ERR(fchmod(ex, 0644), EPERM);
    EXPECT_EQ(fchmod(ex, 0711), 0);
    SAY("after chmod %o", mode_of(ex));

    /* Without either flag: executable, sealed shut unless sealing is allowed. */
    int plain = syscall(SYS_memfd_create, "plain", 0);
    SAY("default mode %o", mode_of(plain));
    EXPECT_EQ(fcntl(plain, F_GET_SEALS), F_SEAL_SEAL);
    close(plain);
    close(ex);
    close(nx);
    return t_done();
}
