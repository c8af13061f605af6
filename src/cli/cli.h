#ifndef R1SIM_CLI_CLI_H
#define R1SIM_CLI_CLI_H

/* The command-line subcommands. Each takes argv starting at its own name and
 * returns the process exit status: 0 success, 1 a runtime failure, 2 bad
 * usage or bad input (a refused file, an unknown option). */

#include <stdbool.h>

#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

int cli_init(int argc, char **argv);
int cli_score(int argc, char **argv);
int cli_sample(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_make_data(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_table(int argc, char **argv);
int cli_paths(int argc, char **argv);
int cli_cache(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_plot(int argc, char **argv);
int cli_compare(int argc, char **argv);

/* Option parsing helpers: on bad input they print
 * "r1sim CMD: --OPT: expected ..., got 'TEXT'" and return -1. */
int cli_parse_int(const char *cmd, const char *opt, const char *text, long min, long max,
                  long *out);
int cli_parse_float(const char *cmd, const char *opt, const char *text, double min, double max,
                    double *out);
/* True when the whole of s, not empty, is a number as strtod reads it
 * (nan and inf included): the test the tables apply to a CSV cell. */
bool cli_text_number(const char *s, double *v);
/* --threads: an integer from 1 to 256, capped at the CPUs online with a note
 * on stderr. 0, or -1 after the message. */
int cli_parse_threads(const char *cmd, const char *text, long *out);
/* The same, with opt naming where the text came from in messages. */
int cli_parse_threads_named(const char *cmd, const char *opt, const char *text, long *out);
/* Threads to use when --threads is not given: R1SIM_THREADS (checked and
 * capped as --threads is), else the CPUs online; -1 after a message when
 * R1SIM_THREADS is not a count. */
long cli_default_threads(const char *cmd);

#endif
