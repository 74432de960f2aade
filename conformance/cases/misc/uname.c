// syscalls: uname
#include "harness.h"
#include <ctype.h>
#include <sys/utsname.h>

/* uname: Linux on x86_64, a release that starts with a version number, a node name. */
int main(void) {
    struct utsname u;
    memset(&u, 0xff, sizeof u);
    EXPECT_EQ(syscall(SYS_uname, &u), 0);
    SAY("sysname = %s", u.sysname);
    SAY("machine = %s", u.machine);
    CHECK(isdigit((unsigned char)u.release[0]) && strchr(u.release, '.') != NULL);
    CHECK(u.nodename[0] != 0 && strlen(u.nodename) < sizeof u.nodename);
    CHECK(u.version[0] != 0 && strlen(u.version) < sizeof u.version);
    CHECK(strlen(u.domainname) < sizeof u.domainname);
    EXPECT_ERR(syscall(SYS_uname, (void *)8), EFAULT);
    return t_done();
}
