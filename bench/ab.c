/*
 * Interleaved A/B timing: runs the commands one after the other, round after round, so that a
 * drift in the machine's load hits all of them alike (hyperfine runs all of one command first),
 * and prints each one's median and quartiles of wall time. Stdout and stderr go to /dev/null.
 *
 *   gcc -O2 -o ab bench/ab.c
 *   ./ab 300 secret-tool lookup k v -- ./old/awsenv use k -- ./new/awsenv use k
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COMMANDS 16

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 3 || atoi(argv[1]) < 1) {
    fprintf(stderr, "usage: ab RUNS COMMAND... [-- COMMAND...]...\n");
    return 2;
  }
  int runs = atoi(argv[1]);
  char **commands[MAX_COMMANDS];
  int count = 0;
  commands[count++] = argv + 2;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0 && count < MAX_COMMANDS) {
      argv[i] = NULL;
      commands[count++] = argv + i + 1;
    }
  }
  double *times[MAX_COMMANDS];
  for (int c = 0; c < count; c++) times[c] = calloc((size_t)runs, sizeof(double));
  int devnull = open("/dev/null", O_WRONLY);
  /* Three warm-up rounds, not counted. */
  for (int round = -3; round < runs; round++) {
    for (int c = 0; c < count; c++) {
      double start = now_ms();
      pid_t pid = fork();
      if (pid == 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
        execvp(commands[c][0], commands[c]);
        _exit(127);
      }
      int status;
      waitpid(pid, &status, 0);
      if (round >= 0) times[c][round] = now_ms() - start;
    }
  }
  for (int c = 0; c < count; c++) {
    qsort(times[c], (size_t)runs, sizeof(double), compare);
    printf("%8.3f ms median (p25 %.3f, p75 %.3f) ", times[c][runs / 2], times[c][runs / 4],
           times[c][3 * runs / 4]);
    for (char **word = commands[c]; *word != NULL; word++) printf(" %s", *word);
    printf("\n");
  }
  return 0;
}
