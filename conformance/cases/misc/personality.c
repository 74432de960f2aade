// syscalls: personality, uname
#include "harness.h"
#include <sys/personality.h>
#include <sys/utsname.h>

/* personality(0xffffffff) queries; PER_LINUX32 makes uname report i686 and UNAME26 a 2.6
 * release; setting returns the previous persona. */
int main(void) {
    long cur = syscall(SYS_personality, 0xffffffffUL);
    SAY("persona = %#lx", cur);
    EXPECT_EQ(syscall(SYS_personality, PER_LINUX32), cur);
    struct utsname u;
    uname(&u);
    SAY("machine under PER_LINUX32 = %s", u.machine);
    EXPECT_EQ(syscall(SYS_personality, UNAME26), PER_LINUX32);
    uname(&u);
    CHECK(strncmp(u.release, "2.6.", 4) == 0);
    SAY("machine under UNAME26 = %s", u.machine);
    EXPECT_EQ(syscall(SYS_personality, 0xffffffffUL), UNAME26);
    EXPECT_EQ(syscall(SYS_personality, cur), UNAME26);
    uname(&u);
    SAY("machine restored = %s", u.machine);
    return t_done();
}
