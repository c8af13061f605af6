#include "train/eval_general.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"
#include "train/rollout.h"
#include "world/completion.h"
#include "world/rng.h"
#include "world/template.h"

enum { PROMPT_MAX = 96 };

void eval_general_items(unsigned long long seed, int n, GeneralItem *out) {
    WorldRng r;
    world_rng_seed(&r, seed ^ 0x67656e6576616cULL);
    for (int i = 0; i < n; i++) general_generate_heldout_any(&r, &out[i]);
}

int eval_general(const Gpt *model, const EvalGeneralConfig *cfg, EvalGeneralResult *out,
                 GeneralItem **items_out, char ***texts_out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (cfg->n_prompts < 1 || cfg->k < 1) {
        snprintf(err, errlen, "eval: n_prompts and k must be at least 1");
        return -1;
    }
    const int n = cfg->n_prompts, k = cfg->k;
    int chunk = rollout_batch_for(&model->cfg) / k;
    if (chunk < 1) chunk = 1;
    if (chunk > n) chunk = n;
    RolloutConfig rc = {.k = k,
                        .max_new_tokens = cfg->max_new_tokens,
                        .temperature = cfg->temperature,
                        .top_p = 1.0f};
    GeneralItem *items = calloc((size_t)n, sizeof *items);
    char(*prompt)[PROMPT_MAX] = calloc((size_t)n, sizeof *prompt);
    const char **ptrs = calloc((size_t)n, sizeof *ptrs);
    char **texts = calloc((size_t)n * k, sizeof *texts);
    Rollout *ro = rollout_new(&model->cfg, chunk, &rc);
    int rc_ = -1;
    if (!items || !prompt || !ptrs || !texts || !ro) {
        snprintf(err, errlen, "eval: out of memory");
        goto done;
    }
    eval_general_items(cfg->seed, n, items);
    for (int i = 0; i < n; i++) {
        tmpl_prompt(items[i].prompt, prompt[i], PROMPT_MAX);
        ptrs[i] = prompt[i];
    }
    Rng rng;
    rng_seed(&rng, cfg->seed);
    double helpful = 0, format = 0, length = 0;
    for (int from = 0; from < n; from += chunk) {
        int m = from + chunk < n ? chunk : n - from;
        char why[256];
        if (rollout_run(ro, model, m, ptrs + from, &rng, why, sizeof why)) {
            snprintf(err, errlen, "eval: %s", why);
            goto done;
        }
        for (int q = 0; q < m * k; q++) {
            int i = from + q / k;
            const char *text = rollout_text(ro, q);
            CompletionParts parts;
            completion_parse(text, &parts);
            helpful += general_helpful(&items[i], text);
            format += parts.well_formed;
            length += rollout_length(ro, q);
            texts[(size_t)from * k + q] = strdup(text);
            if (!texts[(size_t)from * k + q]) {
                snprintf(err, errlen, "eval: out of memory");
                goto done;
            }
        }
        if (cfg->progress && cfg->progress(cfg->progress_ctx, from + m, n)) {
            snprintf(err, errlen, "stopped");
            rc_ = EVAL_ESTOPPED;
            goto done;
        }
    }
    out->helpful = helpful / ((double)n * k);
    out->format_rate = format / ((double)n * k);
    out->mean_length = length / ((double)n * k);
    rc_ = 0;
done:
    rollout_free(ro);
    free(prompt);
    free(ptrs);
    if (rc_ == 0 && items_out) {
        *items_out = items;
        items = NULL;
    }
    if (rc_ == 0 && texts_out) {
        *texts_out = texts;
        texts = NULL;
    }
    free(items);
    for (size_t i = 0; texts && i < (size_t)n * k; i++) free(texts[i]);
    free(texts);
    return rc_;
}
