// syscalls: execve, readlink, getpid, alarm
/* execve of the running binary (found through /proc/self/exe) with a marker argument and a
 * fresh environment: the new image gets exactly that argv and envp, keeps its pid, and keeps
 * a pending alarm timer (timers survive execve). */
#include "harness.h"

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "stage2") == 0) {
        SAY("stage2: argc = %d, argv[0] = %s, argv[1] = %s", argc, argv[0], argv[1]);
        const char *mark = getenv("CONF_MARK");
        SAY("CONF_MARK = %s", mark ? mark : "(unset)");
        CHECK(getenv("PATH") == NULL);
        CHECK(atol(argv[2]) == getpid());
        long left = syscall(SYS_alarm, 0);
        CHECK(left >= 1 && left <= 5);
        return t_done();
    }
    syscall(SYS_alarm, 5);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!CHECK(n > 0)) return t_done();
    self[n] = 0;
    char pidbuf[32];
    snprintf(pidbuf, sizeof pidbuf, "%d", getpid());
    char *av[] = {"conf-self", "stage2", pidbuf, NULL};
    char *ev[] = {"CONF_MARK=hello", NULL};
    if (t_failures) return t_done(); /* the next image would not carry the failures over */
    SAY("stage1: exec self");
    execve(self, av, ev);
    T_FAIL("execve returned: %s", t_errname(errno));
    return t_done();
}
