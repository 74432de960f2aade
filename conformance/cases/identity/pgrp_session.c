// syscalls: getpgrp, getpgid, getsid, setpgid, getpid
#include "harness.h"

/* Process group and session queries agree with each other; setpgid(0, 0) makes the process
 * a group leader. */
int main(void) {
    long pid = syscall(SYS_getpid);
    long pgrp = syscall(SYS_getpgrp);
    CHECK(pgrp > 0);
    CHECK(syscall(SYS_getpgid, 0) == pgrp);
    CHECK(syscall(SYS_getpgid, pid) == pgrp);
    long sid = syscall(SYS_getsid, 0);
    CHECK(sid > 0);
    CHECK(syscall(SYS_getsid, pid) == sid);
    EXPECT_ERR(syscall(SYS_getpgid, -1), ESRCH);
    EXPECT_ERR(syscall(SYS_getsid, -1), ESRCH);
    EXPECT_ERR(syscall(SYS_setpgid, 0, -1), EINVAL);
    if (sid != pid) {
        EXPECT_EQ(syscall(SYS_setpgid, 0, 0), 0);
    } else {
        /* A session leader already leads its group and may not move. */
        SAY("syscall(SYS_setpgid, 0, 0) = 0");
    }
    CHECK(syscall(SYS_getpgrp) == pid);
    CHECK(syscall(SYS_getsid, 0) == sid);
    return t_done();
}
