// mmap: anonymous and file-backed mappings, munmap, mprotect, MAP_FIXED, mremap, brk, madvise.
// Prints only sizes, checksums and errno names, never addresses. (Faults after mprotect
// PROT_NONE are deliberately not exercised here.)
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static long page;

static unsigned long checksum(const unsigned char *p, size_t n) {
  unsigned long s = 0;
  for (size_t i = 0; i < n; i++) s = s * 131 + p[i];
  return s;
}

static int all_zero(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

static void fill(unsigned char *p, size_t n, int seed) {
  for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 7 + seed);
}

static void *map_anon(size_t len) {
  return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void anon(void) {
  printf("-- anonymous\n");
  unsigned char *p = map_anon(4 * page);
  if (p == MAP_FAILED) {
    printf("mmap 4 pages failed: %s\n", errno_name(errno));
    exit(1);
  }
  printf("mmap 4 pages: page aligned %s, zero filled %s\n", ((uintptr_t)p % page) == 0 ? "yes" : "no",
         all_zero(p, 4 * page) ? "yes" : "no");
  fill(p, 4 * page, 1);
  printf("checksum after fill: %lu\n", checksum(p, 4 * page));
  unsigned long sum0 = checksum(p, page), sum3 = checksum(p + 3 * page, page);

  REPORT("munmap(page 1)", munmap(p + page, page));
  void *q = mmap(p + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  printf("MAP_FIXED_NOREPLACE into the hole: %s\n", q == p + page ? "same address" : q == MAP_FAILED ? errno_name(errno) : "elsewhere");
  q = mmap(p + 2 * page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  printf("MAP_FIXED_NOREPLACE over a mapping: %s\n", q == MAP_FAILED ? errno_name(errno) : "mapped?!");
  q = mmap(p + 2 * page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("MAP_FIXED over page 2: %s, page 1 zero %s, page 2 zero %s\n", q == p + 2 * page ? "same address" : "other",
         all_zero(p + page, page) ? "yes" : "no", all_zero(p + 2 * page, page) ? "yes" : "no");
  printf("pages 0 and 3 kept: %s\n", checksum(p, page) == sum0 && checksum(p + 3 * page, page) == sum3 ? "yes" : "no");

  REPORT("mprotect(page 0, PROT_READ)", mprotect(p, page, PROT_READ));
  printf("read after PROT_READ: %d\n", p[10]);
  REPORT("mprotect(page 0, PROT_READ|PROT_WRITE)", mprotect(p, page, PROT_READ | PROT_WRITE));
  p[10] = 99;
  printf("write after PROT_READ|PROT_WRITE: %d\n", p[10]);
  unsigned char *hole = map_anon(16 * page);
  munmap(hole, 16 * page);
  REPORT("mprotect(unmapped range)", mprotect(hole + 4 * page, page, PROT_READ));
  REPORT("munmap(4 pages)", munmap(p, 4 * page));
  REPORT("munmap(same range again)", munmap(p, 4 * page));

  size_t big = 64UL << 20;
  unsigned char *b = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (b == MAP_FAILED) {
    printf("mmap 64 MiB failed: %s\n", errno_name(errno));
  } else {
    unsigned long s = 0;
    for (size_t off = 0; off < big; off += 1 << 20) b[off] = (unsigned char)(off >> 20);
    for (size_t off = 0; off < big; off += 1 << 20) s += b[off];
    printf("64 MiB sparse touch: sum %lu\n", s);
    REPORT("munmap(64 MiB)", munmap(b, big));
  }
}

static void dontneed(void) {
  printf("-- madvise\n");
  unsigned char *p = map_anon(2 * page);
  fill(p, 2 * page, 3);
  REPORT("madvise(MADV_DONTNEED) page 1", madvise(p + page, page, MADV_DONTNEED));
  printf("page 0 kept %s, page 1 zero %s\n", p[1] == (unsigned char)(7 + 3) ? "yes" : "no", all_zero(p + page, page) ? "yes" : "no");
  REPORT("madvise(MADV_WILLNEED)", madvise(p, page, MADV_WILLNEED));
  REPORT("madvise(bad advice 12345)", madvise(p, page, 12345));
  munmap(p, 2 * page);
}

static void remap(void) {
  printf("-- mremap\n");
  unsigned char *p = map_anon(2 * page);
  fill(p, 2 * page, 5);
  unsigned long before = checksum(p, 2 * page);
  void *r = mremap(p, page, 2 * page, 0);
  printf("grow page 0 in place into page 1: %s\n", r == MAP_FAILED ? errno_name(errno) : "ok?!");
  unsigned char *g = mremap(p, 2 * page, 8 * page, MREMAP_MAYMOVE);
  if (g == MAP_FAILED) {
    printf("mremap grow failed: %s\n", errno_name(errno));
    exit(1);
  }
  printf("grow 2 -> 8 pages: data kept %s, new pages zero %s\n", checksum(g, 2 * page) == before ? "yes" : "no",
         all_zero(g + 2 * page, 6 * page) ? "yes" : "no");
  g[8 * page - 1] = 1;
  unsigned char *s = mremap(g, 8 * page, page, 0);
  printf("shrink 8 -> 1 page: same address %s, data kept %s\n", s == g ? "yes" : "no",
         s != MAP_FAILED && s[5] == (unsigned char)(5 * 7 + 5) ? "yes" : "no");
  REPORT("munmap(shrunk tail) is fine", munmap(g + page, 7 * page));
  REPORT("mremap(unaligned)", mremap(g + 1, page, page, 0) == MAP_FAILED ? -1 : 0);
  REPORT("mremap(new size 0)", mremap(g, page, 0, MREMAP_MAYMOVE) == MAP_FAILED ? -1 : 0);
  munmap(g, page);
}

static void file_backed(void) {
  printf("-- file-backed\n");
  char name[] = "/tmp/sbx-mmap-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) {
    printf("mkstemp failed: %s\n", errno_name(errno));
    exit(1);
  }
  size_t len = 2 * page + page / 2;
  unsigned char *data = malloc(len);
  fill(data, len, 9);
  if (write(fd, data, len) != (ssize_t)len) printf("short write\n");

  unsigned char *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) {
    printf("mmap private failed: %s\n", errno_name(errno));
    exit(1);
  }
  printf("private map of 2.5 pages: contents match %s, tail after EOF zero %s\n", memcmp(m, data, len) == 0 ? "yes" : "no",
         all_zero(m + len, 3 * page - len) ? "yes" : "no");
  m[0] = 0xee;
  unsigned char first;
  REPORT("pread(first byte)", pread(fd, &first, 1, 0));
  printf("private write visible in file: %s\n", first == 0xee ? "yes" : "no");

  unsigned char *o = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, page);
  printf("private map at offset 1 page: contents match %s\n", o != MAP_FAILED && memcmp(o, data + page, page) == 0 ? "yes" : "no");
  REPORT("mmap(unaligned offset)", mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED ? -1 : 0);

  unsigned char *sh = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (sh == MAP_FAILED) {
    printf("mmap shared failed: %s\n", errno_name(errno));
  } else {
    sh[1] = 0xab;
    REPORT("msync", msync(sh, page, MS_SYNC));
    unsigned char second = 0;
    REPORT("pread(second byte)", pread(fd, &second, 1, 1));
    printf("shared write visible in file: %s\n", second == 0xab ? "yes" : "no");
    munmap(sh, page);
  }
  int ro = open(name, O_RDONLY);
  REPORT("mmap(O_RDONLY fd, PROT_WRITE, MAP_SHARED)", mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED ? -1 : 0);
  close(ro);
  munmap(m, 3 * page);
  munmap(o, page);
  close(fd);
  unlink(name);
  free(data);
}

static void brk_test(void) {
  printf("-- brk\n");
  uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
  printf("brk(0) nonzero: %s\n", cur ? "yes" : "no");
  uintptr_t want = ((cur + page - 1) & ~(uintptr_t)(page - 1)) + 3 * page;
  uintptr_t got = (uintptr_t)syscall(SYS_brk, want);
  printf("grow by 3 pages: %s\n", got == want ? "ok" : "failed");
  if (got == want) {
    unsigned char *h = (unsigned char *)(want - 2 * page);
    printf("new heap zero: %s\n", all_zero(h, 2 * page) ? "yes" : "no");
    memset(h, 0x5a, 2 * page);
    printf("heap writable: %s\n", h[page] == 0x5a ? "yes" : "no");
    got = (uintptr_t)syscall(SYS_brk, want - 2 * page);
    printf("shrink by 2 pages: %s\n", got == want - 2 * page ? "ok" : "failed");
    got = (uintptr_t)syscall(SYS_brk, want);
    printf("grow again, zero again: %s\n", got == want && all_zero(h, 2 * page) ? "yes" : "no");
  }
  got = (uintptr_t)syscall(SYS_brk, cur);
  printf("back to start: %s\n", got == cur ? "ok" : "failed");
  void *m = malloc(1 << 20);
  printf("malloc(1 MiB): %s\n", m ? "ok" : "failed");
  free(m);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  page = sysconf(_SC_PAGESIZE);
  printf("page size %ld\n", page);
  anon();
  dontneed();
  remap();
  file_backed();
  brk_test();
  printf("done\n");
  return 0;
}
