#include "cli/cli_data.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "world/csvio.h"
#include "world/completion.h"
#include "world/cot.h"
#include "world/cot_check.h"
#include "world/evalset.h"
#include "world/general.h"
#include "world/preference.h"
#include "world/task.h"
#include "world/template.h"
#include "world/tokenizer.h"

typedef struct {
    const char *task;
    int per_script; /* rows in each script */
} ColdTask;

/* Arithmetic cold start: mostly add3, plus enough of the others for a
 * classroom to try them. */
static const ColdTask arith_tasks[] = {{"add3", 100}, {"add2", 40}, {"sub3", 30}, {"mul1x3", 30}};
/* The pair-search world's cold start (r1_zero.lua's default task). */
static const ColdTask pair_tasks[] = {{"pair4", 200}};

/* A cold-start file: R1's few thousand readable long CoTs in miniature,
 * half of each task in each script, every final answer right. */
typedef struct {
    const char *file;
    const ColdTask *tasks;
    int ntasks;
    CotStyle style;
    double slip_prob;
    uint64_t seed;
    int max_completion; /* tokens per completion at most; 0 for no limit of its own */
} ColdSet;

/* First passes slip now and then so that some checks catch a wrong column and
 * say "wait, 936 not 926." (about a quarter of add3 rows): R1's cold-start
 * data shows reflection, and the aha meter needs a check that does work. */
#define COLD_SLIP_PROB 0.1
#define COLD_SEED 0x0c01d5a7a2026ULL
#define COLD_PAIR_SEED 0x0c01d5a7a9a14ULL
#define GENERAL_SEED 0x6e6e7a1da7aULL
#define PREF_SEED 0x9ef5ea1da7aULL

enum {
    EVAL_ROWS = 500,
    /* Enough varied copy and reverse rows to learn them as skills. */
    GENERAL_ROWS = 2000,
    /* Every cold-start row fits the prototype's 128-token context whole. */
    COLD_MAX_TOKENS = 128,
    /* What GRPO and eval sample by default: a curated search that did not
     * fit would teach a length RL then cuts off. */
    COLD_PAIR_MAX_NEW = 96,
    /* Preference pairs: a few thousand to train a reward model on and a
     * held-out share to score it on, each completion within the context
     * with its prompt and within what GRPO samples. */
    PREF_TRAIN_ROWS = 3000,
    PREF_HELDOUT_ROWS = 500,
    PREF_CONTEXT = 128,
    PREF_MAX_NEW = 96,
};

/* The pair searches never slip and never stop before the pair: in the
 * search world the "wait." after each miss is the reflection, and a
 * give-up or a guess is exactly what the cold start should not teach. */
static const ColdSet cold_sets[] = {
    {"coldstart.csv", arith_tasks, sizeof arith_tasks / sizeof arith_tasks[0], COT_CHECKED,
     COLD_SLIP_PROB, COLD_SEED, 0},
    {"coldstart_pair4.csv", pair_tasks, sizeof pair_tasks / sizeof pair_tasks[0], COT_FULL, 0.0,
     COLD_PAIR_SEED, COLD_PAIR_MAX_NEW},
};

static const char *const eval_tasks[] = {"add2", "add3", "add4", "sub3", "mul1x3", "pair4"};

enum {
    N_COLD_SETS = sizeof cold_sets / sizeof cold_sets[0],
    N_EVAL = sizeof eval_tasks / sizeof eval_tasks[0],
};

static const char *const cold_header[] = {"task", "script", "prompt", "completion", "answer"};
static const char *const general_header[] = {"kind", "prompt", "completion"};
static const char *const eval_header[] = {"prompt", "answer"};
static const char *const pref_header[] = {"split",  "kind",     "prompt",
                                          "chosen", "rejected", "reason"};
static const char *const pref_splits[] = {"train", "heldout"};

/* Files in order: the cold-start sets, general.csv, preferences.csv, the eval sets. */
const char *cli_data_file(int i) {
    static char names[N_EVAL][32];
    if (i >= 0 && i < N_COLD_SETS) return cold_sets[i].file;
    if (i == N_COLD_SETS) return "general.csv";
    if (i == N_COLD_SETS + 1) return "preferences.csv";
    int e = i - N_COLD_SETS - 2;
    if (i < 0 || e >= N_EVAL) return NULL;
    snprintf(names[e], sizeof names[0], "eval_%s.csv", eval_tasks[e]);
    return names[e];
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void join(char *out, size_t cap, const char *dir, const char *name) {
    size_t n = strlen(dir);
    snprintf(out, cap, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static int tokens_of(const char *text) {
    return tok_encode(text, NULL, 0, NULL);
}

/* The last line of defence for the held-out split: whatever a generator does,
 * no training row with an eval problem leaves this function. */
static int write_training_row(CsvWriter *w, const char *path, const char *const *row, size_t n,
                              int prompt_col, char *err, size_t errlen) {
    if (world_is_eval_prompt(row[prompt_col])) {
        set_err(err, errlen, "%s: refusing to write held-out eval prompt '%s' as training data",
                path, row[prompt_col]);
        return -1;
    }
    return csvio_writer_row(w, row, n, err, errlen);
}

static int write_coldstart(const ColdSet *set, const char *path, int *rows, char *err,
                           size_t errlen) {
    CsvWriter *w = csvio_writer_open(path, cold_header, 5, err, errlen);
    if (!w) return -1;
    *rows = 0;
    for (int t = 0; t < set->ntasks; t++) {
        TaskSpec spec;
        task_spec_parse(set->tasks[t].task, &spec);
        for (int sc = 0; sc < 2; sc++) {
            WorldScript script = sc ? WORLD_CIPHER : WORLD_DIGITS;
            /* one stream per (task, script): adding a task leaves the others' rows alone */
            WorldRng rng;
            world_rng_seed(&rng, world_rng_mix(set->seed + (uint64_t)(2 * t + sc)));
            int want = set->tasks[t].per_script;
            char(*seen)[TASK_PROMPT_MAX] = calloc((size_t)want, sizeof *seen);
            if (!seen) {
                set_err(err, errlen, "%s: out of memory", path);
                csvio_writer_abort(w);
                return -1;
            }
            int have = 0;
            for (long attempt = 0; have < want && attempt < 100000; attempt++) {
                Problem p;
                task_generate_train(spec, script, &rng, &p);
                int dup = 0;
                for (int i = 0; i < have && !dup; i++) dup = strcmp(seen[i], p.prompt) == 0;
                if (dup) continue;
                CotOptions o = cot_options(set->style, script);
                o.slip_prob = set->slip_prob;
                char thought[COT_MAX], prompt[64], completion[COT_MAX + 64];
                CotResult res;
                if (cot_write(&p, &o, &rng, thought, sizeof thought, &res) < 0 || !res.correct)
                    continue; /* cannot happen: the check pass never slips */
                tmpl_prompt(p.prompt, prompt, sizeof prompt);
                size_t n = tmpl_completion(thought, p.answer, completion, sizeof completion);
                snprintf(completion + n, sizeof completion - n, "<eos>");
                if (tokens_of(prompt) + tokens_of(completion) > COLD_MAX_TOKENS ||
                    (set->max_completion && tokens_of(completion) > set->max_completion))
                    continue;
                const char *row[] = {set->tasks[t].task, cipher_script_name(script), prompt,
                                     completion, p.answer};
                if (write_training_row(w, path, row, 5, 2, err, errlen) != 0) {
                    free(seen);
                    csvio_writer_abort(w);
                    return -1;
                }
                snprintf(seen[have++], sizeof seen[0], "%s", p.prompt);
            }
            free(seen);
            *rows += have;
        }
    }
    return csvio_writer_commit(w, err, errlen);
}

static int write_general(const char *path, int *rows, char *err, size_t errlen) {
    CsvWriter *w = csvio_writer_open(path, general_header, 3, err, errlen);
    if (!w) return -1;
    WorldRng rng;
    world_rng_seed(&rng, GENERAL_SEED);
    static char seen[GENERAL_ROWS][GENERAL_TEXT_MAX];
    int have = 0;
    for (long attempt = 0; have < GENERAL_ROWS && attempt < 100000; attempt++) {
        GeneralItem it;
        general_generate_varied_any(&rng, &it);
        /* identity has twelve questions: asked again, not dropped, so that it
         * keeps its fifth of the rows */
        int dup = 0;
        for (int i = 0; i < have && !dup && it.kind != GEN_IDENTITY; i++)
            dup = strcmp(seen[i], it.prompt) == 0;
        if (dup) continue;
        char prompt[96], completion[GENERAL_TEXT_MAX + 48];
        tmpl_prompt(it.prompt, prompt, sizeof prompt);
        size_t n = tmpl_completion("", it.answer, completion, sizeof completion);
        snprintf(completion + n, sizeof completion - n, "<eos>");
        const char *row[] = {general_kind_name(it.kind), prompt, completion};
        if (write_training_row(w, path, row, 3, 1, err, errlen) != 0) {
            csvio_writer_abort(w);
            return -1;
        }
        snprintf(seen[have++], sizeof seen[0], "%s", it.prompt);
    }
    *rows = have;
    return csvio_writer_commit(w, err, errlen);
}

/* FNV-1a over the fields, to drop a pair drawn twice. */
static uint64_t row_hash(const char *const *fields, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        for (const char *p = fields[i];; p++) {
            h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
            if (!*p) break;
        }
    return h;
}

static int has_question(char (*qs)[GENERAL_TEXT_MAX], int n, const char *q) {
    for (int i = 0; i < n; i++)
        if (strcmp(qs[i], q) == 0) return 1;
    return 0;
}

/* Train pairs first, then held-out pairs on questions the train split never
 * asks; reasons in turn, so each split holds them in equal numbers. */
static int write_preferences(const char *path, int *rows, char *err, size_t errlen) {
    CsvWriter *w = csvio_writer_open(path, pref_header, 6, err, errlen);
    if (!w) return -1;
    static uint64_t seen[PREF_TRAIN_ROWS + PREF_HELDOUT_ROWS];
    static char train_q[PREF_TRAIN_ROWS][GENERAL_TEXT_MAX];
    int nseen = 0, ntrain_q = 0;
    *rows = 0;
    for (int split = 0; split < 2; split++) {
        WorldRng rng;
        world_rng_seed(&rng, world_rng_mix(PREF_SEED + (uint64_t)split));
        int want = split ? PREF_HELDOUT_ROWS : PREF_TRAIN_ROWS, have = 0;
        for (long attempt = 0; have < want && attempt < 100000; attempt++) {
            GeneralItem it;
            if (split)
                general_generate_heldout_any(&rng, &it);
            else
                general_generate_varied_any(&rng, &it);
            if (split && has_question(train_q, ntrain_q, it.prompt)) continue;
            PrefReason why = (PrefReason)(have % PREF_NUM_REASONS);
            char prompt[96];
            tmpl_prompt(it.prompt, prompt, sizeof prompt);
            int budget = PREF_CONTEXT - tokens_of(prompt);
            if (budget > PREF_MAX_NEW) budget = PREF_MAX_NEW;
            PrefPair pair;
            if (pref_generate(&it, why, budget, &rng, &pair) != 0) continue;
            const char *row[] = {
                pref_splits[split], general_kind_name(it.kind), prompt, pair.chosen,
                pair.rejected,      pref_reason_name(why)};
            uint64_t h = row_hash(row + 2, 3);
            int dup = 0;
            for (int i = 0; i < nseen && !dup; i++) dup = seen[i] == h;
            if (dup) continue;
            if (write_training_row(w, path, row, 6, 2, err, errlen) != 0) {
                csvio_writer_abort(w);
                return -1;
            }
            seen[nseen++] = h;
            have++;
            if (!split && !has_question(train_q, ntrain_q, it.prompt))
                snprintf(train_q[ntrain_q++], sizeof train_q[0], "%s", it.prompt);
        }
        *rows += have;
    }
    return csvio_writer_commit(w, err, errlen);
}

static int write_eval(const char *path, const char *task, int *rows, char *err, size_t errlen) {
    TaskSpec spec;
    task_spec_parse(task, &spec);
    static Problem probs[EVAL_ROWS];
    int n = evalset_generate(spec, WORLD_DIGITS, EVAL_ROWS, probs);
    CsvWriter *w = csvio_writer_open(path, eval_header, 2, err, errlen);
    if (!w) return -1;
    for (int i = 0; i < n; i++) {
        char prompt[64];
        tmpl_prompt(probs[i].prompt, prompt, sizeof prompt);
        const char *row[] = {prompt, probs[i].answer};
        if (csvio_writer_row(w, row, 2, err, errlen) != 0) {
            csvio_writer_abort(w);
            return -1;
        }
    }
    *rows = n;
    return csvio_writer_commit(w, err, errlen);
}

int cli_data_write(const char *dir, FILE *log, char *err, size_t errlen) {
    for (int i = 0; cli_data_file(i); i++) {
        char path[4096];
        join(path, sizeof path, dir, cli_data_file(i));
        int rows = 0, rc;
        if (i < N_COLD_SETS)
            rc = write_coldstart(&cold_sets[i], path, &rows, err, errlen);
        else if (i == N_COLD_SETS)
            rc = write_general(path, &rows, err, errlen);
        else if (i == N_COLD_SETS + 1)
            rc = write_preferences(path, &rows, err, errlen);
        else
            rc = write_eval(path, eval_tasks[i - N_COLD_SETS - 2], &rows, err, errlen);
        if (rc != 0) return -1;
        if (log) fprintf(log, "%s: %d rows\n", path, rows);
    }
    return 0;
}

/* ---- checking ---------------------------------------------------------------- */

typedef struct {
    const CsvTable *t;
    size_t row;
    char *err;
    size_t errlen;
} Where;

static int bad(const Where *w, const char *fmt, ...) {
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    set_err(w->err, w->errlen, "%s:%d: %s", w->t->path, w->t->lines[w->row], msg);
    return -1;
}

/* The question inside a templated prompt, or an error naming the row. */
static int question_of(const Where *w, const char *prompt, char *q, size_t cap) {
    int n = tmpl_question(prompt, q, cap);
    if (n < 0 || (size_t)n >= cap) return bad(w, "prompt '%s' is not in the template", prompt);
    return 0;
}

static int check_training_prompt(const Where *w, const char *prompt) {
    if (world_is_eval_prompt(prompt))
        return bad(w, "prompt '%s' is a held-out eval problem and must not be trained on", prompt);
    return 0;
}

static int check_cold_row(const Where *w, const ColdSet *set, const char *const *c) {
    char q[TASK_PROMPT_MAX], name[16];
    Problem p;
    CompletionParts parts;
    WorldScript script;
    if (check_training_prompt(w, c[2]) != 0 || question_of(w, c[2], q, sizeof q) != 0) return -1;
    if (task_parse_prompt(q, &p) != 0) return bad(w, "'%s' is not a task question", q);
    task_spec_name(p.spec, name, sizeof name);
    if (strcmp(name, c[0]) != 0) return bad(w, "task is '%s' but the prompt is %s", c[0], name);
    if (cipher_script_from_name(c[1], &script) != 0 || script != p.script)
        return bad(w, "script '%s' is not the prompt's (%s)", c[1], cipher_script_name(p.script));
    if (strcmp(c[4], p.answer) != 0) return bad(w, "answer '%s' should be '%s'", c[4], p.answer);
    size_t n = strlen(c[3]);
    if (n < 5 || strcmp(c[3] + n - 5, "<eos>") != 0 || !completion_parse(c[3], &parts))
        return bad(w, "completion is not one thought, one answer and <eos>");
    if (!task_verify_span(&p, parts.answer, parts.answer_len))
        return bad(w, "completion answers '%.*s', not %s", (int)parts.answer_len, parts.answer,
                   p.answer);
    int counted;
    if (completion_script_share(parts.thought, parts.thought_len, p.script, &counted) != 1.0 ||
        counted == 0)
        return bad(w, "thought is not wholly in the prompt's script (%s)",
                   cipher_script_name(p.script));
    int nc = tokens_of(c[3]), np = tokens_of(c[2]);
    if (nc < 0 || np < 0) return bad(w, "text outside the tokenizer's vocabulary");
    if (set->max_completion && nc > set->max_completion)
        return bad(w, "completion is %d tokens, over the %d new tokens RL samples", nc,
                   set->max_completion);
    if (np + nc > COLD_MAX_TOKENS)
        return bad(w, "prompt and completion are over %d tokens", COLD_MAX_TOKENS);
    if (p.spec.kind == TASK_PAIR) {
        char why[256];
        if (cot_check_pair_search(&p, p.script, parts.thought, parts.thought_len, why,
                                  sizeof why) != 0)
            return bad(w, "not a whole search: %s", why);
    } else if (completion_count_word(parts.thought, parts.thought_len, "check") < 1) {
        return bad(w, "thought has no check");
    }
    return 0;
}

/* The question and item of a general row's prompt, checked against its kind. */
static int general_item_of(const Where *w, const char *kind, const char *prompt, GeneralItem *it) {
    char q[GENERAL_TEXT_MAX + 8];
    if (check_training_prompt(w, prompt) != 0 || question_of(w, prompt, q, sizeof q) != 0)
        return -1;
    if (general_parse_prompt(q, it) != 0) return bad(w, "'%s' is not a general question", q);
    if (strcmp(general_kind_name(it->kind), kind) != 0)
        return bad(w, "kind is '%s' but the prompt is %s", kind, general_kind_name(it->kind));
    return 0;
}

static int check_general_row(const Where *w, const char *const *c) {
    GeneralItem it;
    CompletionParts parts;
    if (general_item_of(w, c[0], c[1], &it) != 0) return -1;
    size_t n = strlen(c[2]);
    if (n < 5 || strcmp(c[2] + n - 5, "<eos>") != 0 || !completion_parse(c[2], &parts))
        return bad(w, "completion is not one thought, one answer and <eos>");
    if (!general_verify_span(&it, parts.answer, parts.answer_len))
        return bad(w, "completion answers '%.*s', not '%s'", (int)parts.answer_len, parts.answer,
                   it.answer);
    return 0;
}

/* c: split, kind, prompt, chosen, rejected, reason. */
static int check_pref_row(const Where *w, const char *const *c, int *heldout) {
    GeneralItem it;
    PrefReason reason;
    char why[384];
    if (strcmp(c[0], pref_splits[0]) != 0 && strcmp(c[0], pref_splits[1]) != 0)
        return bad(w, "split '%s' is neither train nor heldout", c[0]);
    *heldout = strcmp(c[0], pref_splits[1]) == 0;
    if (general_item_of(w, c[1], c[2], &it) != 0) return -1;
    if (pref_reason_from_name(c[5], &reason) != 0)
        return bad(w, "reason '%s' is not wrong, unhelpful, rambling or longer_wrong", c[5]);
    if (pref_check(&it, reason, c[3], c[4], why, sizeof why) != 0) return bad(w, "%s", why);
    int np = tokens_of(c[2]);
    for (int j = 3; j <= 4; j++) {
        int nc = tokens_of(c[j]);
        if (nc < 0 || np < 0) return bad(w, "text outside the tokenizer's vocabulary");
        if (nc > PREF_MAX_NEW)
            return bad(w, "%s is %d tokens, over the %d new tokens GRPO samples", pref_header[j],
                       nc, PREF_MAX_NEW);
        if (np + nc > PREF_CONTEXT)
            return bad(w, "prompt and %s are over %d tokens", pref_header[j], PREF_CONTEXT);
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Rows one by one, then the held-out ones against every train prompt: a
 * reward model's held-out accuracy means nothing on questions it trained on. */
static int check_pref_table(const CsvTable *t, const int *idx, char *err, size_t errlen) {
    const char **train = malloc((t->nrows + 1) * sizeof *train);
    int *held = malloc((t->nrows + 1) * sizeof *held);
    size_t ntrain = 0;
    int rc = train && held ? 0 : -1;
    if (rc) set_err(err, errlen, "%s: out of memory", t->path);
    for (size_t r = 0; r < t->nrows && rc == 0; r++) {
        const char *c[6];
        for (size_t j = 0; j < 6; j++) c[j] = csvio_cell(t, r, (size_t)idx[j]);
        Where w = {t, r, err, errlen};
        rc = check_pref_row(&w, c, &held[r]);
        if (rc == 0 && !held[r]) train[ntrain++] = c[2];
    }
    if (rc == 0) qsort(train, ntrain, sizeof *train, cmp_str);
    for (size_t r = 0; r < t->nrows && rc == 0; r++) {
        const char *prompt = csvio_cell(t, r, (size_t)idx[2]);
        Where w = {t, r, err, errlen};
        if (held[r] && bsearch(&prompt, train, ntrain, sizeof *train, cmp_str))
            rc = bad(&w, "held-out prompt '%s' is also a train prompt", prompt);
    }
    free(train);
    free(held);
    return rc;
}

static int check_eval_row(const Where *w, const char *const *c, const char *task) {
    char q[TASK_PROMPT_MAX], name[16];
    Problem p;
    if (question_of(w, c[0], q, sizeof q) != 0) return -1;
    if (task_parse_prompt(q, &p) != 0) return bad(w, "'%s' is not a task question", q);
    task_spec_name(p.spec, name, sizeof name);
    if (strcmp(name, task) != 0) return bad(w, "a %s problem in the %s eval set", name, task);
    if (!world_is_eval_problem(&p)) return bad(w, "'%s' is not a held-out problem", q);
    if (strcmp(c[1], p.answer) != 0) return bad(w, "answer '%s' should be '%s'", c[1], p.answer);
    return 0;
}

int cli_data_check_file(const char *path, char *err, size_t errlen) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *const *names;
    size_t ncols;
    char task[16] = "";
    int kind; /* 0 cold start, 1 general, 2 eval, 3 preferences */
    const ColdSet *set = NULL;
    size_t bl = strlen(base);
    for (int i = 0; i < N_COLD_SETS; i++)
        if (strcmp(base, cold_sets[i].file) == 0) set = &cold_sets[i];
    if (set) {
        kind = 0;
        names = cold_header;
        ncols = 5;
    } else if (strcmp(base, "general.csv") == 0) {
        kind = 1;
        names = general_header;
        ncols = 3;
    } else if (strcmp(base, "preferences.csv") == 0) {
        kind = 3;
        names = pref_header;
        ncols = 6;
    } else if (strncmp(base, "eval_", 5) == 0 && bl > 9 && bl - 9 < sizeof task &&
               strcmp(base + bl - 4, ".csv") == 0) {
        kind = 2;
        names = eval_header;
        ncols = 2;
        snprintf(task, sizeof task, "%.*s", (int)(bl - 9), base + 5);
    } else {
        set_err(err, errlen,
                "%s: not a data file (coldstart.csv, coldstart_pair4.csv, general.csv, "
                "preferences.csv, eval_TASK.csv)",
                path);
        return -1;
    }
    CsvTable t;
    if (csvio_read(path, &t, err, errlen) != 0) return -1;
    int idx[6], rc = 0;
    if (csvio_cols(&t, names, ncols, idx, err, errlen) != 0) {
        csvio_free(&t);
        return -1;
    }
    if (t.nrows == 0) {
        set_err(err, errlen, "%s: no rows", path);
        rc = -1;
    }
    if (kind == 3 && rc == 0) rc = check_pref_table(&t, idx, err, errlen);
    for (size_t r = 0; r < t.nrows && rc == 0 && kind != 3; r++) {
        const char *c[5];
        for (size_t j = 0; j < ncols; j++) c[j] = csvio_cell(&t, r, (size_t)idx[j]);
        Where w = {&t, r, err, errlen};
        rc = kind == 0   ? check_cold_row(&w, set, c)
             : kind == 1 ? check_general_row(&w, c)
                         : check_eval_row(&w, c, task);
    }
    csvio_free(&t);
    return rc;
}

int cli_data_check(const char *dir, FILE *log, char *err, size_t errlen) {
    for (int i = 0; cli_data_file(i); i++) {
        char path[4096];
        join(path, sizeof path, dir, cli_data_file(i));
        if (cli_data_check_file(path, err, errlen) != 0) return -1;
        if (log) fprintf(log, "%s: ok\n", path);
    }
    return 0;
}

/* ---- the command --------------------------------------------------------------- */

static const char usage[] =
    "usage: r1sim make-data DIR\n"
    "       r1sim make-data --check DIR|FILE...\n"
    "Writes the shipped data files into DIR (created if missing) from the world's\n"
    "generators with fixed seeds: coldstart.csv (curated long CoT for arithmetic),\n"
    "coldstart_pair4.csv (curated whole pair searches), general.csv (non-reasoning\n"
    "items), preferences.csv (chosen/rejected pairs for a reward model) and\n"
    "eval_TASK.csv (held-out problems). The repository's data/ is\n"
    "`r1sim make-data data`.\n"
    "  --check   validate instead of writing: every data file in each DIR, or each\n"
    "            FILE (its kind known from its name): columns, answers, format,\n"
    "            scripts, and that no training prompt is a held-out eval problem\n";

int cli_make_data(int argc, char **argv) {
    static const struct option opts[] = {
        {"check", no_argument, 0, 'c'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int check = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            check = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (check ? optind >= argc : optind != argc - 1) {
        fprintf(stderr, "r1sim make-data: expected %s\n%s", check ? "a DIR or FILE" : "one DIR",
                usage);
        return CLI_EXIT_USAGE;
    }
    const char *dir = argv[optind];
    char err[1024];
    if (check) {
        for (int i = optind; i < argc; i++) {
            struct stat st;
            int is_dir = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode);
            int rc = is_dir ? cli_data_check(argv[i], stdout, err, sizeof err)
                            : cli_data_check_file(argv[i], err, sizeof err);
            if (rc != 0) {
                fprintf(stderr, "r1sim make-data: %s\n", err);
                return CLI_EXIT_USAGE;
            }
            if (!is_dir) printf("%s: ok\n", argv[i]);
        }
    } else {
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "r1sim make-data: %s: %s\n", dir, strerror(errno));
            return CLI_EXIT_FAIL;
        }
        if (cli_data_write(dir, stdout, err, sizeof err) != 0) {
            fprintf(stderr, "r1sim make-data: %s\n", err);
            return CLI_EXIT_FAIL;
        }
    }
    return fflush(stdout) != 0 ? CLI_EXIT_FAIL : 0;
}
