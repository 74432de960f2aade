// syscalls: memfd_create, readlink, openat, fstat, write, pread64, lseek, mmap, fcntl, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* A memfd is an unlinked regular file: /proc/self/fd shows "/memfd:NAME (deleted)", it can be
 * reopened through that link (sharing the data, with the new open's access mode), and
 * /proc/self/maps names its mappings the same way. */
int main(void) {
    int fd = syscall(SYS_memfd_create, "my name", MFD_ALLOW_SEALING);
    if (!CHECK(fd >= 0)) return t_done();
    char path[64], link[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    long n = EXPECT_OK(readlink(path, link, sizeof link - 1));
    if (n >= 0) link[n] = 0, SAY("link: %s", link);
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0);
    SAY("regular %d, mode %o, nlink %ld, size %ld", S_ISREG(st.st_mode), st.st_mode & 07777,
        (long)st.st_nlink, (long)st.st_size);
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    EXPECT_EQ(write(fd, "abcdef", 6), 6);
    EXPECT_EQ(lseek(fd, 0, SEEK_END), 6);
    EXPECT_EQ(lseek(fd, 2, SEEK_SET), 2);
    /* Reopening gives a new description: its own offset and access mode, the same data. */
    int ro = EXPECT_OK(open(path, O_RDONLY));
    char buf[16] = {0};
    EXPECT_EQ(read(ro, buf, 3), 3);
    SAY("reopened reads: %s", buf);
    EXPECT_ERR(write(ro, "x", 1), EBADF);
    EXPECT_EQ(fcntl(ro, F_GET_SEALS), 0);
    EXPECT_ERR(fcntl(ro, F_ADD_SEALS, F_SEAL_GROW), EPERM);
    snprintf(path, sizeof path, "/proc/self/fd/%d", ro);
    n = EXPECT_OK(readlink(path, link, sizeof link - 1));
    if (n >= 0) link[n] = 0, SAY("reopened link: %s", link);
    struct stat st2;
    EXPECT_EQ(fstat(ro, &st2), 0);
    SAY("same inode: %d", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    /* A writable shared mapping through the read-only description is EACCES. */
    EXPECT_ERR((long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (maps && fgets(line, sizeof line, maps)) {
        char *name = strstr(line, "/memfd:");
        if (name) {
            char perms[8] = {0};
            name[strcspn(name, "\n")] = 0;
            sscanf(line, "%*s %4s", perms);
            SAY("maps: %s %s", perms, name);
            found++;
        }
    }
    if (maps) fclose(maps);
    SAY("mappings named: %d", found);
    munmap(p, 4096);
    close(ro);
    close(fd);
    return t_done();
}
