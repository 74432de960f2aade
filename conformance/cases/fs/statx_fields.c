// syscalls: umask, openat, write, symlinkat, statx, close
/* statx: the basic fields agree with what was created; AT_SYMLINK_NOFOLLOW and
 * AT_EMPTY_PATH work as for fstatat; a reserved mask bit or bad flags are EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

/* The kernel's struct statx (musl's headers have none). */
struct k_statx_ts { int64_t tv_sec; uint32_t tv_nsec; int32_t pad; };
struct k_statx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad1;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct k_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};
#define K_STATX_BASIC_STATS 0x7ffU
#define K_STATX_SIZE 0x200U

int main(void) {
    syscall(SYS_umask, 0);
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_WRONLY, 0640));
    EXPECT_EQ(syscall(SYS_write, f, "hello", 5), 5);
    EXPECT_OK(syscall(SYS_symlinkat, "f", AT_FDCWD, "l"));
    struct k_statx sx;
    memset(&sx, 0xff, sizeof sx);
    EXPECT_OK(syscall(SYS_statx, AT_FDCWD, "f", 0, K_STATX_BASIC_STATS, &sx));
    CHECK((sx.stx_mask & K_STATX_BASIC_STATS) == K_STATX_BASIC_STATS);
    SAY("mode=%o size=%llu nlink=%u uid=%u", sx.stx_mode, (unsigned long long)sx.stx_size,
        sx.stx_nlink, sx.stx_uid);
    CHECK(sx.stx_blksize > 0);
    CHECK(sx.stx_blocks * 512 >= sx.stx_size);
    unsigned long long ino = sx.stx_ino;
    EXPECT_OK(syscall(SYS_statx, AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, K_STATX_BASIC_STATS, &sx));
    SAY("link type=%o size=%llu", sx.stx_mode & S_IFMT, (unsigned long long)sx.stx_size);
    EXPECT_OK(syscall(SYS_statx, AT_FDCWD, "l", 0, K_STATX_BASIC_STATS, &sx));
    CHECK(sx.stx_ino == ino);
    EXPECT_OK(syscall(SYS_statx, f, "", AT_EMPTY_PATH, K_STATX_SIZE, &sx));
    CHECK(sx.stx_ino == ino);
    SAY("size via fd=%llu", (unsigned long long)sx.stx_size);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0, 0x80000000U, &sx), EINVAL);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0x6000, K_STATX_BASIC_STATS, &sx), EINVAL);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0x1, K_STATX_BASIC_STATS, &sx), EINVAL);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "missing", 0, K_STATX_BASIC_STATS, &sx), ENOENT);
    EXPECT_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0, K_STATX_BASIC_STATS, (void *)1), EFAULT);
    EXPECT_OK(syscall(SYS_close, f));
    return t_done();
}
