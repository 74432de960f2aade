// syscalls: prctl
#include "harness.h"
#include <signal.h>
#include <sys/prctl.h>

/* Per-process prctl flags: dumpable, no_new_privs (sticky), pdeathsig, the seccomp mode and
 * the capability bounding set; unknown options are EINVAL. */
int main(void) {
    EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
    EXPECT_EQ(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), 0);
    EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    EXPECT_ERR(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
    EXPECT_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
    EXPECT_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
    EXPECT_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
    EXPECT_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
    EXPECT_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
    EXPECT_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
    int sig = -1;
    EXPECT_EQ(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
    SAY("pdeathsig = %d", sig);
    EXPECT_EQ(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0), 0);
    EXPECT_EQ(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
    SAY("pdeathsig = %d", sig);
    EXPECT_ERR(prctl(PR_SET_PDEATHSIG, 100, 0, 0, 0), EINVAL);
    EXPECT_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
    EXPECT_EQ(prctl(PR_CAPBSET_READ, 7 /* CAP_SETUID */, 0, 0, 0), 1);
    EXPECT_ERR(prctl(PR_CAPBSET_READ, 1000, 0, 0, 0), EINVAL);
    EXPECT_ERR(prctl(0x7fff0000, 0, 0, 0, 0), EINVAL);
    return t_done();
}
