/*
 * bench/measure: runs one command and records what it cost: wall-clock time
 * (monotonic clock), user and system CPU time and peak resident set size of
 * the command and every descendant it waited for (a shell pipeline's
 * members included: getrusage RUSAGE_CHILDREN), and its exit status.
 *
 *   measure OUTFILE COMMAND [ARG]...
 *
 * Writes one line to OUTFILE:
 *
 *   wall_s user_s sys_s maxrss_kib exit_status
 *
 * (maxrss is the largest single process, as the kernel reports it; exit
 * status 128+N when killed by signal N) and exits with the command's
 * status. The command's own stdin, stdout and stderr are left alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

int
main(int argc, char **argv)
{
	struct timespec	 t0, t1;
	struct rusage	 ru;
	FILE		*out;
	pid_t		 pid;
	int		 st, code;

	if (argc < 3) {
		fprintf(stderr, "usage: measure OUTFILE COMMAND [ARG]...\n");
		return 2;
	}
	if ((out = fopen(argv[1], "w")) == NULL) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "measure: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		fclose(out);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1) {
		if (errno != EINTR) {
			fprintf(stderr, "measure: waitpid: %s\n",
			    strerror(errno));
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(out, "%.6f %.6f %.6f %ld %d\n",
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	    (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	    ru.ru_maxrss, code);
	if (fclose(out) != 0) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	return code;
}
