// argv_env: prints argc, argv, the environment (sorted), the cwd and a few auxv facts.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=[%s]\n", i, argv[i]);
  printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");

  size_t n = 0;
  while (environ[n]) n++;
  char **env = calloc(n + 1, sizeof *env);
  if (!env) return 99;
  memcpy(env, environ, n * sizeof *env);
  qsort(env, n, sizeof *env, cmp);
  printf("envc=%zu\n", n);
  for (size_t i = 0; i < n; i++) printf("env[%zu]=[%s]\n", i, env[i]);

  char cwd[4096];
  if (getcwd(cwd, sizeof cwd)) printf("cwd=[%s]\n", cwd);
  else perror("getcwd");

  printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
  printf("AT_RANDOM present: %s\n", getauxval(AT_RANDOM) ? "yes" : "no");
  printf("AT_PHDR present: %s\n", getauxval(AT_PHDR) ? "yes" : "no");
  printf("AT_ENTRY present: %s\n", getauxval(AT_ENTRY) ? "yes" : "no");
  printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
  return 0;
}
