/* r1sim: watch the DeepSeek-R1 training pipeline happen on tiny transformers. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* The release, for bug reports; what a run computes is versioned apart
 * (each stage kind's code version and the checkpoint format, in cache keys). */
#define R1SIM_VERSION "0.9.0"

static const char usage[] =
    "usage: r1sim COMMAND [OPTIONS]\n"
    "       r1sim SCRIPT.lua [OPTIONS]   (short for r1sim run SCRIPT.lua)\n"
    "Commands:\n"
    "  run      run a pipeline script (stages, cache, resume)\n"
    "  init     write a randomly initialised model\n"
    "  score    per-token log-probabilities of text lines under a model\n"
    "  sample   generate completions of a prompt\n"
    "  bench    measure training and sampling speed on this machine\n"
    "  eval     pass@1, maj@k, format and more on a held-out task set\n"
    "  table    a run's eval.csv as the R1 paper's table (--md: Markdown)\n"
    "  make-data regenerate (or --check) the shipped data/ files\n"
    "  paths    where scripts, Lua modules and input files are looked for\n"
    "  sweep    run a script over a grid of parameters and seeds; summarise\n"
    "  plot     draw a sweep's metric over steps, mean and std per grid point\n"
    "  compare  a sweep's metrics over steps in the terminal, a curve per point\n"
    "  cache    list (ls) or prune the stage cache shared between runs\n"
    "  --version\n"
    "Run 'r1sim COMMAND --help' for a command's options; see r1sim(1).\n";

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    /* `r1sim quick.lua`: a script is what people run most, so it needs no verb;
     * cli_run skips its argv[0], here the program name */
    size_t len = strlen(cmd);
    if (len > 4 && strcmp(cmd + len - 4, ".lua") == 0) return cli_run(argc, argv);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("r1sim %s\n", R1SIM_VERSION);
        return 0;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"init", cli_init},      {"score", cli_score}, {"sample", cli_sample},
                    {"bench", cli_bench},    {"eval", cli_eval},   {"make-data", cli_make_data},
                    {"run", cli_run},        {"table", cli_table}, {"paths", cli_paths},
                    {"cache", cli_cache},    {"sweep", cli_sweep}, {"plot", cli_plot},
                    {"compare", cli_compare}};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "r1sim: unknown command '%s'\n%s", cmd, usage);
    return CLI_EXIT_USAGE;
}
