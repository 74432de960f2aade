// efault: hostile syscall arguments (wild pointers, huge lengths). Every call goes through
// syscall(2) so that neither libc touches the bad pointers itself; each result is printed as
// "call = ret [ERRNO]". Nothing here may crash the program, natively or in a sandbox.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define BAD1 ((void *)1)
#define BAD10 ((void *)0x10)
#define KERNEL_PTR ((void *)0xffffffff81000000UL)
#define NONCANON ((void *)0x0000800000000000UL)

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  // A pipe holding data: read(2) into a bad buffer must fail with EFAULT (reading /dev/null
  // would return 0 without touching the buffer). Carry on without it so every line still shows.
  int p[2] = {-1, -1};
  REPORT("pipe", pipe(p));
  REPORT("write(pipe, 32 bytes)", write(p[1], "0123456789abcdef0123456789abcdef", 32));
  char buf[64];

  REPORT("write(1, 0x1, 10)", syscall(SYS_write, 1, BAD1, 10));
  REPORT("write(1, kernel ptr, 10)", syscall(SYS_write, 1, KERNEL_PTR, 10));
  REPORT("write(1, non-canonical ptr, 10)", syscall(SYS_write, 1, NONCANON, 10));
  REPORT("write(1, buf, SIZE_MAX)", syscall(SYS_write, 1, buf, SIZE_MAX));
  REPORT("write(1, buf, 0)", syscall(SYS_write, 1, buf, 0));
  REPORT("write(1, NULL, 0)", syscall(SYS_write, 1, NULL, 0));
  REPORT("read(pipe, 0x10, 10)", syscall(SYS_read, p[0], BAD10, 10));
  REPORT("read(pipe, buf, 0)", syscall(SYS_read, p[0], buf, 0));
  REPORT("read(pipe, NULL, 0)", syscall(SYS_read, p[0], NULL, 0));
  REPORT("read(pipe, buf, 4)", syscall(SYS_read, p[0], buf, 4));
  REPORT("read(-1, buf, 4)", syscall(SYS_read, -1, buf, 4));
  REPORT("read(12345, buf, 4)", syscall(SYS_read, 12345, buf, 4));
  REPORT("open(0x1, O_RDONLY)", syscall(SYS_open, BAD1, O_RDONLY));
  REPORT("openat(AT_FDCWD, 0x1, O_RDONLY)", syscall(SYS_openat, AT_FDCWD, BAD1, O_RDONLY));
  REPORT("open(\"\", O_RDONLY)", syscall(SYS_open, "", O_RDONLY));
  REPORT("stat(\"/\", 0x1)", syscall(SYS_stat, "/", BAD1));
  REPORT("stat(0x1, buf)", syscall(SYS_stat, BAD1, buf));
  REPORT("fstat(1, 0x1)", syscall(SYS_fstat, 1, BAD1));
  REPORT("uname(0x1)", syscall(SYS_uname, BAD1));
  REPORT("getcwd(0x1, 100)", syscall(SYS_getcwd, BAD1, 100));
  REPORT("getcwd(buf, 0)", syscall(SYS_getcwd, buf, 0));
  REPORT("getcwd(buf, 1)", syscall(SYS_getcwd, buf, 1));
  REPORT("pipe(0x1)", syscall(SYS_pipe, BAD1));
  REPORT("mmap(NULL, 1<<60, RW, PRIVATE|ANON)",
         syscall(SYS_mmap, NULL, 1UL << 60, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  REPORT("mmap(NULL, 0, RW, PRIVATE|ANON)",
         syscall(SYS_mmap, NULL, 0, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  REPORT("mmap(NULL, 4096, RW, ANON) (no PRIVATE/SHARED)",
         syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE, MAP_ANONYMOUS, -1, 0));
  REPORT("mmap(0x1001, 4096, RW, PRIVATE|ANON|FIXED)",
         syscall(SYS_mmap, 0x1001, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
  REPORT("mmap(NULL, 4096, R, PRIVATE, fd=-1)", syscall(SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0));
  REPORT("munmap(0x1001, 4096)", syscall(SYS_munmap, 0x1001, 4096));
  REPORT("munmap(0x1000, 0)", syscall(SYS_munmap, 0x1000, 0));
  REPORT("mprotect(0x1001, 4096, R)", syscall(SYS_mprotect, 0x1001, 4096, PROT_READ));
  REPORT("getrandom(0x1, 16, 0)", syscall(SYS_getrandom, BAD1, 16, 0));
  REPORT("getrandom(buf, 16, 0x100)", syscall(SYS_getrandom, buf, 16, 0x100));
  REPORT("clock_gettime(CLOCK_MONOTONIC, 0x8)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8));
  REPORT("clock_gettime(CLOCK_REALTIME, 0x8)", syscall(SYS_clock_gettime, CLOCK_REALTIME, (void *)8));
  REPORT("clock_gettime(9999, buf)", syscall(SYS_clock_gettime, 9999, buf));
  REPORT("gettimeofday(0x8, NULL)", syscall(SYS_gettimeofday, (void *)8, NULL));
  REPORT("nanosleep(0x8, NULL)", syscall(SYS_nanosleep, (void *)8, NULL));
  struct timespec bad_ns = {0, 1000000000L};
  REPORT("nanosleep({0, 1e9}, NULL)", syscall(SYS_nanosleep, &bad_ns, NULL));
  REPORT("close(-1)", syscall(SYS_close, -1));
  REPORT("close(12345)", syscall(SYS_close, 12345));
  REPORT("dup2(1, -1)", syscall(SYS_dup2, 1, -1));
  REPORT("lseek(pipe, 0, SEEK_SET)", syscall(SYS_lseek, p[0], 0, SEEK_SET));
  REPORT("nonexistent syscall 1000", syscall(1000));
  REPORT("syscall -1", syscall(-1L));
  printf("still alive\n");
  return 0;
}
