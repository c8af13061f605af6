#include "world/evalset.h"

#include "world/template.h"

/* The operands as an unordered pair where the operation commutes. */
static void key_of(const Problem *p, uint64_t *lo, uint64_t *hi) {
    *lo = p->a;
    *hi = p->b;
    if (p->spec.kind == TASK_ADD && *lo > *hi) {
        *lo = p->b;
        *hi = p->a;
    }
}

int world_is_eval_problem(const Problem *p) {
    uint64_t lo, hi;
    key_of(p, &lo, &hi);
    uint64_t h = world_rng_mix(WORLD_EVAL_SEED ^ (uint64_t)p->spec.kind);
    h = world_rng_mix(h ^ lo);
    h = world_rng_mix(h ^ (hi * 0x9e3779b97f4a7c15ULL));
    return h % WORLD_EVAL_DENOM == 0;
}

int world_is_eval_prompt(const char *prompt) {
    char q[TASK_PROMPT_MAX];
    Problem p;
    int n = tmpl_question(prompt, q, sizeof q);
    if (n >= (int)sizeof q) return 0;
    if (task_parse_prompt(n >= 0 ? q : prompt, &p) != 0) return 0;
    return world_is_eval_problem(&p);
}

int task_generate_train(TaskSpec spec, WorldScript script, WorldRng *rng, Problem *out) {
    do
        if (task_generate(spec, script, rng, out) != 0) return -1;
    while (world_is_eval_problem(out));
    return 0;
}

int evalset_generate(TaskSpec spec, WorldScript script, int n, Problem *out) {
    if (!task_spec_valid(spec) || n <= 0) return 0;
    WorldRng rng;
    world_rng_seed(
        &rng, world_rng_mix(WORLD_EVAL_SEED + (uint64_t)spec.kind * 100 + (uint64_t)spec.width));
    /* Small tasks hold few held-out problems; stop looking after a while. */
    long attempts = 100000 + 64L * n;
    int count = 0;
    while (count < n && attempts-- > 0) {
        Problem p;
        task_generate(spec, script, &rng, &p);
        if (!world_is_eval_problem(&p)) continue;
        uint64_t lo, hi, lo2, hi2;
        key_of(&p, &lo, &hi);
        int dup = 0;
        for (int i = 0; i < count && !dup; i++) {
            key_of(&out[i], &lo2, &hi2);
            dup = lo == lo2 && hi == hi2;
        }
        if (!dup) out[count++] = p;
    }
    return count;
}
