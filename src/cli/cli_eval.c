#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_model.h"
#include "engine/runtime.h"
#include "pipeline/rundir.h"
#include "world/csvio.h"
#include "train/eval.h"
#include "world/task.h"

static const char usage[] =
    "usage: r1sim eval CKPT [--task T] [-k K] [-n N] [--seed S] [--temp X] [--forced]\n"
    "                       [--cipher] [--max-new N] [--samples-csv FILE] [--threads N] [--csv]\n"
    "                       [--pass-at-k]\n"
    "Samples K completions of each of N held-out problems of task T in the R1-Zero\n"
    "template and prints one row: pass@1 (mean correctness over the K samples),\n"
    "maj@K, format rate, language consistency, mean length in tokens, \"wait\"s per\n"
    "completion, the share of completions that think (hold a scratch step) and\n"
    "pass@1 among thinking and direct completions. Rates are in percent in the\n"
    "table and fractions in CSV.\n"
    "  --task T            add2, add3, sub3, mul1x3, pair4, ... (default add3)\n"
    "  -k K                samples per problem (default 8; 1 when --temp is 0)\n"
    "  -n N                held-out problems (default 200)\n"
    "  --seed S            random seed (default 1)\n"
    "  --temp X            temperature, 0 for greedy (default 1)\n"
    "  --forced            also measure accuracy with each mode forced: the first\n"
    "                      scratch step prefilled (think) or </think> (direct)\n"
    "  --cipher            prompts in the letter cipher\n"
    "  --max-new N         new tokens per completion at most (default 96)\n"
    "  --samples-csv FILE  write every sample to FILE\n"
    "  --csv               print a CSV header and row instead of a table\n"
    "  --pass-at-k         then pass@k and maj@k for k = 1, 2, 4, ... up to K (the\n"
    "                      unbiased estimator; with --csv, only these rows, in\n"
    "                      the columns of a run's pass_at_k.csv)\n";

static const char *const csv_header[] = {"model",
                                         "task",
                                         "k",
                                         "pass_at_1",
                                         "maj_at_k",
                                         "format_rate",
                                         "language_consistency",
                                         "mean_length",
                                         "aha_per_completion",
                                         "think_rate",
                                         "pass_at_1_think",
                                         "pass_at_1_direct",
                                         "forced_think_acc",
                                         "forced_direct_acc"};
enum { CSV_BASE_COLS = 12, CSV_FORCED_COLS = 14 };

/* Progress on a terminal only, so that redirected output stays one row. */
static int progress(void *ctx, int done, int total) {
    (void)ctx;
    fprintf(stderr, "\rr1sim eval: %d/%d prompts", done, total);
    if (done == total) fputs("\r\033[K", stderr);
    return 0;
}

/* NaN (no completion of that mode) is an empty CSV cell and "-" in the table. */
static void fmt_frac(char *out, size_t cap, double v, int table) {
    if (isnan(v))
        snprintf(out, cap, "%s", table ? "-" : "");
    else if (table)
        snprintf(out, cap, "%.1f", 100.0 * v);
    else
        snprintf(out, cap, "%.6g", v);
}

static int print_result(const char *model, const char *task, const EvalResult *r, int forced,
                        int csv) {
    char cell[CSV_FORCED_COLS][32];
    snprintf(cell[2], sizeof cell[2], "%d", r->k);
    double fr[] = {
        r->pass_at_1,        r->maj_at_k,        r->format_rate,      r->language_consistency,
        r->think_rate,       r->pass_at_1_think, r->pass_at_1_direct, r->forced_think_acc,
        r->forced_direct_acc};
    int at[] = {3, 4, 5, 6, 9, 10, 11, 12, 13};
    for (int i = 0; i < 9; i++) fmt_frac(cell[at[i]], sizeof cell[0], fr[i], !csv);
    snprintf(cell[7], sizeof cell[7], csv ? "%.6g" : "%.1f", r->mean_length);
    snprintf(cell[8], sizeof cell[8], csv ? "%.6g" : "%.3f", r->aha_per_completion);
    size_t ncols = forced ? CSV_FORCED_COLS : CSV_BASE_COLS;
    if (csv) {
        const char *row[CSV_FORCED_COLS];
        row[0] = model;
        row[1] = task;
        for (size_t i = 2; i < ncols; i++) row[i] = cell[i];
        size_t n1, n2;
        char *h = csvio_format_row(csv_header, ncols, &n1), *l = csvio_format_row(row, ncols, &n2);
        if (h && l) {
            fwrite(h, 1, n1, stdout);
            fwrite(l, 1, n2, stdout);
        }
        free(h);
        free(l);
        return h && l ? 0 : -1;
    }
    int w = (int)strlen(model) < 5 ? 5 : (int)strlen(model);
    printf("%-*s  %-6s %4s %7s %7s %7s %7s %7s %6s %7s %7s %7s", w, "model", "task", "k", "pass@1",
           "maj@k", "format", "lang", "length", "aha", "think", "p1think", "p1direct");
    if (forced) printf(" %7s %7s", "f.think", "f.direct");
    printf("\n%-*s  %-6s %4s %7s %7s %7s %7s %7s %6s %7s %7s %7s", w, model, task, cell[2], cell[3],
           cell[4], cell[5], cell[6], cell[7], cell[8], cell[9], cell[10], cell[11]);
    if (forced) printf(" %7s %7s", cell[12], cell[13]);
    putchar('\n');
    return 0;
}

/* pass@k and maj@k for each k, as a table in percent or, with csv, as the
 * rows of a run's pass_at_k.csv. */
static int put_csv_row(const char *const *cells, size_t n) {
    size_t len;
    char *line = csvio_format_row(cells, n, &len);
    if (!line) return -1;
    fputs(line, stdout);
    free(line);
    return 0;
}

static int print_pass_at_k(const char *model, const char *task, const EvalResult *r, int csv) {
    static const char *const header[] = {RUNDIR_PASS_AT_K_HEADER};
    if (csv && put_csv_row(header, RUNDIR_PASS_AT_K_COLS)) return -1;
    if (!csv) printf("\n%4s %7s %7s\n", "k", "pass@k", "maj@k");
    for (int j = 0; j < r->n_pass_k; j++) {
        if (csv) {
            char v[4][32];
            const char *row[RUNDIR_PASS_AT_K_COLS];
            rundir_pass_at_k_row(r, j, model, task, v, row);
            if (put_csv_row(row, RUNDIR_PASS_AT_K_COLS)) return -1;
        } else {
            printf("%4d %7.1f %7.1f\n", r->pass_k[j], 100.0 * r->pass_at[j], 100.0 * r->maj_at[j]);
        }
    }
    return 0;
}

int cli_eval(int argc, char **argv) {
    static const struct option opts[] = {{"task", required_argument, 0, 't'},
                                         {"seed", required_argument, 0, 's'},
                                         {"temp", required_argument, 0, 'T'},
                                         {"forced", no_argument, 0, 'f'},
                                         {"cipher", no_argument, 0, 'c'},
                                         {"max-new", required_argument, 0, 'm'},
                                         {"samples-csv", required_argument, 0, 'o'},
                                         {"threads", required_argument, 0, 'j'},
                                         {"csv", no_argument, 0, 'C'},
                                         {"pass-at-k", no_argument, 0, 'P'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    EvalConfig cfg = eval_defaults();
    long k = cfg.k, n = cfg.n_prompts, seed = (long)cfg.seed, max_new = cfg.max_new_tokens;
    long threads = 0;
    double temp = cfg.temperature;
    int csv = 0, curve = 0;
    const char *samples = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:n:h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 't':
            cfg.task = optarg;
            break;
        case 'k':
            bad = cli_parse_int("eval", "-k", optarg, 1, 4096, &k);
            break;
        case 'n':
            bad = cli_parse_int("eval", "-n", optarg, 1, 100000, &n);
            break;
        case 's':
            bad = cli_parse_int("eval", "--seed", optarg, 0, 0x7fffffffL, &seed);
            break;
        case 'T':
            bad = cli_parse_float("eval", "--temp", optarg, 0, 100, &temp);
            break;
        case 'f':
            cfg.forced_modes = 1;
            break;
        case 'c':
            cfg.cipher = 1;
            break;
        case 'm':
            bad = cli_parse_int("eval", "--max-new", optarg, 1, 8192, &max_new);
            break;
        case 'o':
            samples = optarg;
            break;
        case 'j':
            bad = cli_parse_threads("eval", optarg, &threads);
            break;
        case 'C':
            csv = 1;
            break;
        case 'P':
            curve = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return CLI_EXIT_USAGE;
        }
        if (bad) return CLI_EXIT_USAGE;
    }
    if (!threads && (threads = cli_default_threads("eval")) < 0) return CLI_EXIT_USAGE;
    if (optind != argc - 1) {
        fprintf(stderr, "r1sim eval: expected one CKPT\n%s", usage);
        return CLI_EXIT_USAGE;
    }
    TaskSpec spec;
    if (task_spec_parse(cfg.task, &spec) != 0) {
        fprintf(stderr,
                "r1sim eval: --task: unknown task '%s' (expected e.g. add3, sub3, mul1x3, pair4)\n",
                cfg.task);
        return CLI_EXIT_USAGE;
    }
    cfg.k = (int)k;
    cfg.n_prompts = (int)n;
    cfg.seed = (unsigned long long)seed;
    cfg.temperature = (float)temp;
    cfg.max_new_tokens = (int)max_new;
    engine_set_threads((int)threads);
    const char *path = argv[optind];
    Gpt *m = cli_load_model("eval", path);
    if (!m) return CLI_EXIT_USAGE;
    EvalResult r;
    char err[512];
    int tty = isatty(STDERR_FILENO);
    int rc =
        eval_model_with_samples(m, &cfg, &r, samples, tty ? progress : NULL, NULL, err, sizeof err);
    gpt_free(m);
    if (rc != 0) {
        fprintf(stderr, "r1sim eval: %s: %s\n", path, err);
        return rc == EVAL_EBADCONFIG ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    char task[16];
    task_spec_name(spec, task, sizeof task);
    if ((!(csv && curve) && print_result(path, task, &r, cfg.forced_modes, csv) != 0) ||
        (curve && print_pass_at_k(path, task, &r, csv) != 0) || fflush(stdout) != 0)
        return CLI_EXIT_FAIL;
    return 0;
}
