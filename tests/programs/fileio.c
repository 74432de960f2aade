// fileio: file system calls in the directory given as argv[1]. Everything happens inside
// argv[1]/fileio.d and only paths relative to argv[1] are printed, so the transcript does not
// depend on where that directory is. On success it leaves argv[1]/fileio.result ("ok\n").
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

static char base[4096];

static const char *path(const char *rel) {
  static char bufs[4][8192];
  static int next;
  char *b = bufs[next++ % 4];
  snprintf(b, sizeof bufs[0], "%s/%s", base, rel);
  return b;
}

static void show_stat(const char *label, const struct stat *st) {
  const char *type = S_ISREG(st->st_mode) ? "file" : S_ISDIR(st->st_mode) ? "dir" : S_ISLNK(st->st_mode) ? "symlink" : "other";
  if (S_ISDIR(st->st_mode))
    printf("%s: type=%s mode=%04o\n", label, type, st->st_mode & 07777);
  else
    printf("%s: type=%s mode=%04o size=%lld nlink=%lu\n", label, type, st->st_mode & 07777, (long long)st->st_size,
           (unsigned long)st->st_nlink);
}

static void stat_path(const char *rel) {
  struct stat st;
  char label[256];
  snprintf(label, sizeof label, "stat(%s)", rel);
  if (stat(path(rel), &st) == 0) show_stat(label, &st);
  else printf("%s = -1 %s\n", label, errno_name(errno));
}

struct linux_dirent64 {
  unsigned long long d_ino;
  long long d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

// Lists a directory with raw getdents64 and a deliberately small buffer (several calls).
static void list_dir(const char *rel) {
  int fd = open(path(rel), O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    printf("open(%s, O_DIRECTORY) = -1 %s\n", rel, errno_name(errno));
    return;
  }
  char *names[256];
  int n = 0, calls = 0;
  char buf[128] __attribute__((aligned(8)));
  for (;;) {
    long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (got < 0) {
      printf("getdents64 = -1 %s\n", errno_name(errno));
      break;
    }
    if (got == 0) break;
    calls++;
    for (long off = 0; off < got;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
      const char *t = d->d_type == DT_DIR ? "d" : d->d_type == DT_REG ? "f" : d->d_type == DT_LNK ? "l" : "?";
      char *e = malloc(strlen(d->d_name) + 4);
      sprintf(e, "%s %s", t, d->d_name);
      if (n < 256) names[n++] = e;
      off += d->d_reclen;
    }
  }
  close(fd);
  qsort(names, n, sizeof *names, cmpstr);
  printf("listing of %s (%d entries, more than one getdents64 call: %s):\n", rel, n, calls > 1 ? "yes" : "no");
  for (int i = 0; i < n; i++) {
    printf("  %s\n", names[i]);
    free(names[i]);
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: fileio DIR\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  snprintf(base, sizeof base, "%s", argv[1]);
  umask(022);
  char buf[256];

  REPORT("mkdir(fileio.d, 0755)", mkdir(path("fileio.d"), 0755));
  REPORT("mkdir(fileio.d, 0755) again", mkdir(path("fileio.d"), 0755));
  stat_path("fileio.d");

  int fd = open(path("fileio.d/a.txt"), O_CREAT | O_RDWR | O_TRUNC, 0666);
  REPORT("open(fileio.d/a.txt, O_CREAT|O_RDWR|O_TRUNC) >= 0", fd < 0 ? -1 : 0);
  REPORT("write(\"hello world\\n\")", write(fd, "hello world\n", 12));
  REPORT("lseek(0, SEEK_CUR)", lseek(fd, 0, SEEK_CUR));
  REPORT("lseek(0, SEEK_SET)", lseek(fd, 0, SEEK_SET));
  memset(buf, 0, sizeof buf);
  REPORT("read(100)", read(fd, buf, 100));
  printf("  read back: [%s]\n", buf);
  REPORT("read(100) at EOF", read(fd, buf, 100));
  REPORT("pwrite(\"WORLD\", off 6)", pwrite(fd, "WORLD", 5, 6));
  memset(buf, 0, sizeof buf);
  REPORT("pread(5, off 6)", pread(fd, buf, 5, 6));
  printf("  pread back: [%s]\n", buf);
  REPORT("lseek(0, SEEK_CUR) after pread/pwrite", lseek(fd, 0, SEEK_CUR));
  REPORT("lseek(100, SEEK_SET)", lseek(fd, 100, SEEK_SET));
  REPORT("write(\"x\") at 100", write(fd, "x", 1));
  struct stat st;
  REPORT("fstat", fstat(fd, &st));
  show_stat("  fstat(a.txt)", &st);
  REPORT("lseek(-1, SEEK_END)", lseek(fd, -1, SEEK_END));
  memset(buf, 0, sizeof buf);
  REPORT("read(10) at 100", read(fd, buf, 10));
  printf("  read back: [%s]\n", buf);
  memset(buf, 'Z', 8);
  REPORT("pread(4, off 50) in the hole", pread(fd, buf, 4, 50));
  printf("  hole bytes: %d %d %d %d\n", buf[0], buf[1], buf[2], buf[3]);
  REPORT("lseek(-1000, SEEK_SET)", lseek(fd, -1000, SEEK_SET));
  REPORT("ftruncate(20)", ftruncate(fd, 20));
  REPORT("fstat", fstat(fd, &st));
  show_stat("  fstat(a.txt)", &st);
  REPORT("fsync", fsync(fd));
  REPORT("close", close(fd));
  REPORT("close again", close(fd));

  fd = open(path("fileio.d/a.txt"), O_WRONLY | O_APPEND);
  REPORT("open(a.txt, O_WRONLY|O_APPEND) >= 0", fd < 0 ? -1 : 0);
  REPORT("write(\"++\") appending", write(fd, "++", 2));
  REPORT("lseek(0, SEEK_CUR) after append", lseek(fd, 0, SEEK_CUR));
  REPORT("read on O_WRONLY fd", read(fd, buf, 1));
  close(fd);
  stat_path("fileio.d/a.txt");

  REPORT("open(a.txt, O_CREAT|O_EXCL)", open(path("fileio.d/a.txt"), O_CREAT | O_EXCL | O_RDWR, 0644));
  REPORT("open(missing.txt, O_RDONLY)", open(path("fileio.d/missing.txt"), O_RDONLY));
  REPORT("open(a.txt/x, O_RDONLY)", open(path("fileio.d/a.txt/x"), O_RDONLY));
  REPORT("open(fileio.d, O_WRONLY)", open(path("fileio.d"), O_WRONLY));

  fd = open(path("fileio.d/b.bin"), O_CREAT | O_WRONLY, 0600);
  for (int i = 0; i < 300; i++) {
    char line[32];
    int len = snprintf(line, sizeof line, "line %03d\n", i);
    if (write(fd, line, len) != len) printf("short write at line %d\n", i);
  }
  close(fd);
  stat_path("fileio.d/b.bin");
  fd = open(path("fileio.d/b.bin"), O_RDONLY);
  long total = 0, sum = 0;
  for (;;) {
    ssize_t got = read(fd, buf, 77);
    if (got <= 0) break;
    total += got;
    for (ssize_t i = 0; i < got; i++) sum = (sum * 31 + (unsigned char)buf[i]) % 1000000007;
  }
  close(fd);
  printf("read b.bin in 77-byte chunks: %ld bytes, checksum %ld\n", total, sum);

  REPORT("mkdir(fileio.d/sub)", mkdir(path("fileio.d/sub"), 0700));
  stat_path("fileio.d/sub");
  REPORT("symlink(a.txt, fileio.d/link)", symlink("a.txt", path("fileio.d/link")));
  memset(buf, 0, sizeof buf);
  REPORT("readlink(fileio.d/link)", readlink(path("fileio.d/link"), buf, sizeof buf - 1));
  printf("  link target: [%s]\n", buf);
  stat_path("fileio.d/link");
  for (int i = 0; i < 12; i++) {
    char name[64];
    snprintf(name, sizeof name, "fileio.d/many-%02d-with-a-longish-name", i);
    int f = open(path(name), O_CREAT | O_WRONLY, 0644);
    if (f < 0) printf("create %s failed: %s\n", name, errno_name(errno));
    else close(f);
  }
  list_dir("fileio.d");

  REPORT("rename(a.txt, c.txt)", rename(path("fileio.d/a.txt"), path("fileio.d/c.txt")));
  stat_path("fileio.d/a.txt");
  stat_path("fileio.d/c.txt");
  REPORT("rename(missing, d.txt)", rename(path("fileio.d/missing"), path("fileio.d/d.txt")));
  REPORT("rename(b.bin, c.txt) replacing", rename(path("fileio.d/b.bin"), path("fileio.d/c.txt")));
  stat_path("fileio.d/c.txt");
  REPORT("rmdir(fileio.d) not empty", rmdir(path("fileio.d")));
  REPORT("unlink(fileio.d/sub) a directory", unlink(path("fileio.d/sub")));
  REPORT("rmdir(fileio.d/sub)", rmdir(path("fileio.d/sub")));
  REPORT("unlink(fileio.d/link)", unlink(path("fileio.d/link")));
  REPORT("unlink(fileio.d/c.txt)", unlink(path("fileio.d/c.txt")));
  REPORT("unlink(fileio.d/c.txt) again", unlink(path("fileio.d/c.txt")));
  for (int i = 0; i < 12; i++) {
    char name[64];
    snprintf(name, sizeof name, "fileio.d/many-%02d-with-a-longish-name", i);
    if (unlink(path(name)) != 0) printf("unlink %s failed: %s\n", name, errno_name(errno));
  }
  list_dir("fileio.d");
  REPORT("rmdir(fileio.d)", rmdir(path("fileio.d")));
  stat_path("fileio.d");

  fd = open(path("fileio.result"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  REPORT("write(fileio.result)", write(fd, "ok\n", 3));
  close(fd);
  return 0;
}
