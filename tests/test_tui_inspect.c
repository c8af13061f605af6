/* The step inspector on hand-made steps: completions sorted by advantage,
 * tokens coloured by the sign and size of their push, clipped and masked
 * tokens marked, a flat group flagged, the explainer's numbers for the
 * token under the cursor, the monochrome legend, the note of which term
 * moved between steps, and the view asking its source for the newest,
 * previous and next steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/inspect.h"
#include "tui/view.h"

/* Prompt 1: rewards 1, 0, 0.5 (advantages +1.22, -1.22, 0); prompt 2 all
 * right (no signal), its second completion masked. With mu 2 the second
 * pass sees a policy the first update moved (log-prob -0.9 for -1). */
static void make_step_mu(TuiStep *t, long step, float beta, int mu) {
    const float reward[6] = {1, 0, 0.5f, 1, 1, 1}, adv[6] = {1.22f, -1.22f, 0, 0, 0, 0};
    const char *text[6] = {"3+8", "3+3", "8 8", "1\n2", "2+1", "12"};
    size_t n_tok = 0;
    for (int i = 0; i < 6; i++) n_tok += strlen(text[i]) * (size_t)(i == 4 ? 1 : mu);
    assert_int_equal(tui_step_reserve(t, 2, 3, n_tok), 0);
    t->step = step;
    t->mu = mu;
    t->minibatches = 1;
    t->loss_type = TUI_LOSS_GRPO;
    snprintf(t->loss_name, sizeof t->loss_name, "grpo");
    t->beta = beta;
    t->eps_low = t->eps_high = 0.2f;
    t->scale_rewards = 1;
    t->max_new_tokens = 8;
    t->loss = 0.01;
    t->zero_variance_groups = 1;
    t->n_rewards = 1;
    snprintf(t->reward_name[0], TUI_STEP_NAME, "accuracy");
    t->reward_weight[0] = 1;
    snprintf(t->prompt[0], TUI_STEP_PROMPT, "38 sum 11?");
    snprintf(t->prompt[1], TUI_STEP_PROMPT, "12 sum 3?");
    t->group_mean[0] = 0.5f, t->group_std[0] = 0.408f;
    t->group_mean[1] = 1, t->group_std[1] = 0;
    size_t k = 0;
    for (int i = 0; i < 6; i++) {
        TuiStepSeq *s = &t->seq[i];
        *s = (TuiStepSeq){.group = i / 3,
                          .reward = reward[i],
                          .advantage = adv[i],
                          .length = (int)strlen(text[i]),
                          .masked = i == 4,
                          .truncated = i == 4,
                          .tok0 = (int)k};
        s->term[0] = reward[i];
        for (int p = 0; p < (s->masked ? 1 : mu); p++)
            for (int j = 0; j < s->length; j++) {
                TuiStepToken x = {.seq = i,
                                  .pass = p,
                                  .minibatch = s->masked ? -1 : p,
                                  .pos = j,
                                  .logp_old = -1.0f,
                                  .logp = p ? -0.9f : -1.0f,
                                  .logp_ref = -1.0f,
                                  .ratio = p ? 1.10517f : 1.0f,
                                  .weight = s->masked ? 0 : 1.0f / (6 * s->length)};
                snprintf(x.text, sizeof x.text, "%c", text[i][j]);
                x.push = s->masked ? 0 : x.weight * adv[i];
                x.objective = x.push;
                if (i == 0 && j == 1 && p == 0) { /* the ratio left the trust region upwards */
                    x.logp = -0.7f;
                    x.ratio = 1.35f;
                    x.clip = 1;
                    x.push = 0;
                }
                t->tok[k++] = x;
            }
        s->n_tok = (int)k - s->tok0;
    }
    assert_int_equal(k, n_tok);
}

static void make_trace(TuiStep *t, long step, float beta) {
    make_step_mu(t, step, beta, 1);
}

static bool row_has(const TuiCanvas *c, int y, const char *text) {
    char buf[2048];
    tui_canvas_row_utf8(c, y, buf, sizeof buf);
    return strstr(buf, text) != NULL;
}

static int find_row(const TuiCanvas *c, const char *text) {
    for (int y = 0; y < c->h; y++)
        if (row_has(c, y, text)) return y;
    return -1;
}

static bool shows(const TuiCanvas *c, const char *text) {
    return find_row(c, text) >= 0;
}

/* Column of the first token of a completion row: after the prefix. */
static const TuiCell *token_cell(const TuiCanvas *c, int y, int k) {
    return tui_canvas_at(c, 1 + 33 + k, y); /* frame, then the 33-column prefix */
}

static void draw(TuiCanvas *c, const TuiInspect *in, int w, int h) {
    tui_canvas_free(c);
    assert_int_equal(tui_canvas_init(c, w, h, &tui_glyphs_utf8), 0);
    tui_draw_inspect(c, (TuiRect){0, 0, w, h}, in, "r1-zero");
}

static void sorted_by_advantage(void **state) {
    (void)state;
    TuiStep t = {0};
    make_trace(&t, 10, 0.04f);
    int order[3];
    tui_inspect_order(&t, 0, order);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 1);
    tui_inspect_order(&t, 1, order); /* ties keep their order */
    assert_int_equal(order[0], 3);
    assert_int_equal(order[2], 5);
    tui_step_free(&t);
}

static void tokens_coloured_by_push(void **state) {
    (void)state;
    TuiInspect in;
    tui_inspect_init(&in);
    make_trace(&in.trace, 10, 0.04f);
    in.info = (TuiStepInfo){.index = 0, .count = 3};
    tui_inspect_loaded(&in, 0);
    TuiCanvas c = {0};
    draw(&c, &in, 120, 36);
    assert_true(shows(&c, "step inspector: r1-zero, step 10"));
    assert_true(shows(&c, "prompt 1/2: 38 sum 11?"));
    assert_true(shows(&c, "no-signal groups 1/2 (50%)"));
    int up = find_row(&c, "A+1.22"), down = find_row(&c, "A-1.22"), zero = find_row(&c, "A+0.00");
    assert_true(up >= 0 && down > zero && zero > up); /* highest advantage first */
    assert_int_equal(token_cell(&c, up, 0)->ch, '3');
    /* the cursor sits on the first token; the others show their push */
    assert_int_equal(token_cell(&c, up, 0)->role, TUI_ROLE_SELECTED);
    assert_int_equal(token_cell(&c, up, 1)->role, TUI_ROLE_CLIPPED);
    assert_int_equal(token_cell(&c, up, 2)->role, TUI_ROLE_PUSH_UP);
    assert_int_equal(token_cell(&c, up, 2)->attr, TUI_ATTR_BOLD); /* the group's largest */
    assert_int_equal(token_cell(&c, down, 0)->role, TUI_ROLE_PUSH_DOWN);
    assert_int_equal(token_cell(&c, zero, 0)->role, TUI_ROLE_DEFAULT);
    /* the explainer, with the group statistics that gave A */
    assert_true(shows(&c, "token '3' at 1 of 3, completion 1 of prompt 1"));
    assert_true(shows(&c, "rho = pi/pi_old = exp(-1.0000 - (-1.0000)) = 1.0000"));
    assert_true(shows(&c, "A = (r - mean)/(std + 1e-4) = (1.000 - 0.500)/(0.408 + 1e-4) = +1.220"));
    assert_true(shows(&c, "clip not active"));
    assert_true(shows(&c, "weight = 1/(n |o_i|) = 1/(6 x 3) = 5.556e-02"));
    assert_true(shows(&c, "reinforced   the update raises it"));
    assert_true(shows(&c, "r = accuracy 1 x 1 = 1.000"));
    assert_true(shows(&c, "reinforced  suppressed  clipped  masked"));
    /* right: onto the clipped token */
    assert_int_equal(tui_inspect_key(&in, (TuiKey){TUI_KEY_RIGHT, 0, 0}), TUI_INSPECT_MOVED);
    draw(&c, &in, 120, 36);
    assert_true(shows(&c, "clip(rho, 0.80, 1.20) = 1.2000"));
    assert_true(shows(&c, "HIGH CLIP ACTIVE   no gradient from the surrogate"));
    /* the cursor never leaves the completion */
    for (int k = 0; k < 5; k++) tui_inspect_key(&in, (TuiKey){TUI_KEY_RIGHT, 0, 0});
    assert_int_equal(in.pos, 2);
    /* down: the next completion by advantage */
    tui_inspect_key(&in, (TuiKey){TUI_KEY_DOWN, 0, 0});
    draw(&c, &in, 120, 36);
    assert_true(shows(&c, "token '8' at 3 of 3, completion 3 of prompt 1"));
    assert_true(shows(&c, "8\u00b78")); /* a space shows as a dot, so its colour shows */
    /* the next prompt: all equal, flagged; its masked completion greyed */
    tui_inspect_key(&in, (TuiKey){']', 0, 0});
    draw(&c, &in, 120, 36);
    assert_true(shows(&c, "prompt 2/2: 12 sum 3?"));
    assert_true(shows(&c, "NO SIGNAL: all equal, A = 0"));
    int masked = find_row(&c, "|o|  3");
    assert_true(masked >= 0);
    int mrow = -1;
    for (int y = 0; y < c.h; y++)
        if (tui_canvas_at(&c, 1 + 33 - 2, y)->ch == 'M') mrow = y;
    assert_true(mrow >= 0);
    assert_int_equal(token_cell(&c, mrow, 0)->role, TUI_ROLE_DIM);
    /* and it still fits a small terminal */
    assert_true(shows(&c, "masked: it hit max_new_tokens"));
    draw(&c, &in, 80, 21);
    assert_true(shows(&c, "prompt 2/2"));
    assert_true(shows(&c, "masked: it hit"));
    /* every line of the explainer still shows at 80 columns, asides dropped */
    tui_inspect_key(&in, (TuiKey){'[', 0, 0});
    draw(&c, &in, 80, 21);
    assert_true(shows(&c, "min(rho A, clip(rho) A) = min("));
    assert_true(shows(&c, "beta KL = 0.04 x ("));
    assert_true(shows(&c, "weight = 1/(n |o_i|) = 1/(6 x 3)"));
    assert_true(shows(&c, "r = accuracy 0.5 x 1 = 0.500"));
    assert_true(shows(&c, "A+1.22"));
    tui_canvas_free(&c);
    tui_inspect_free(&in);
}

static void monochrome_says_what_attributes_mean(void **state) {
    (void)state;
    /* sign must survive without colour: up and down differ in attributes */
    const TuiStyle *up = &tui_theme_mono.role[TUI_ROLE_PUSH_UP];
    const TuiStyle *down = &tui_theme_mono.role[TUI_ROLE_PUSH_DOWN];
    const TuiStyle *clip = &tui_theme_mono.role[TUI_ROLE_CLIPPED];
    assert_true(up->attr & TUI_ATTR_UNDERLINE);
    assert_true(down->attr & TUI_ATTR_REVERSE);
    assert_true(up->attr != down->attr && clip->attr != down->attr && clip->attr != up->attr);
    TuiInspect in;
    tui_inspect_init(&in);
    in.mono = true;
    make_trace(&in.trace, 10, 0.04f);
    tui_inspect_loaded(&in, 0);
    TuiCanvas c = {0};
    draw(&c, &in, 120, 36);
    assert_true(shows(&c, "underline=reinforced reverse=suppressed bold/dim=strong/weak"));
    /* on a reversed (suppressed) token the cursor is not reversed again */
    in.row = 2;
    draw(&c, &in, 120, 36);
    int down_row = find_row(&c, "A-1.22");
    assert_int_equal(token_cell(&c, down_row, 0)->role, TUI_ROLE_DEFAULT);
    assert_int_equal(token_cell(&c, down_row, 0)->attr, TUI_ATTR_BOLD | TUI_ATTR_UNDERLINE);
    tui_canvas_free(&c);
    tui_inspect_free(&in);
}

static void a_changed_knob_is_named(void **state) {
    (void)state;
    TuiInspect in;
    tui_inspect_init(&in);
    const TuiStepConfig base = {.set = true,
                                .loss = "grpo",
                                .beta = 0.04f,
                                .eps_low = 0.2f,
                                .eps_high = 0.2f,
                                .scale_rewards = 1};
    in.info.base = base;
    make_trace(&in.trace, 10, 0.04f);
    tui_inspect_loaded(&in, 0);
    assert_string_equal(in.moved, ""); /* GRPO's defaults: nothing to say */
    /* a first step trained away from the defaults says so */
    TuiInspect first;
    tui_inspect_init(&first);
    first.info.base = base;
    make_trace(&first.trace, 10, 0.4f);
    first.trace.scale_rewards = 0;
    tui_inspect_loaded(&first, 0);
    assert_string_equal(first.moved,
                        "against GRPO's defaults: beta 0.04 -> 0.4: the KL term, scale_rewards 1 "
                        "-> 0: A");
    tui_inspect_free(&first);
    make_trace(&in.trace, 20, 0.4f);
    in.trace.loss_type = TUI_LOSS_DR_GRPO;
    snprintf(in.trace.loss_name, sizeof in.trace.loss_name, "dr_grpo");
    tui_inspect_loaded(&in, 0);
    assert_non_null(strstr(in.moved, "step 10"));
    assert_non_null(strstr(in.moved, "loss_type grpo -> dr_grpo: the weight"));
    assert_non_null(strstr(in.moved, "beta 0.04 -> 0.4: the KL term"));
    TuiCanvas c = {0};
    draw(&c, &in, 120, 36);
    assert_true(shows(&c, "beta 0.04 -> 0.4: the KL term"));
    assert_true(shows(&c, "weight = 1/(n L) = 1/(6 x 8)"));
    tui_canvas_free(&c);
    tui_inspect_free(&in);
}

/* With mu passes every token is there once per pass; u walks them. */
static void u_walks_the_passes(void **state) {
    (void)state;
    TuiInspect in;
    tui_inspect_init(&in);
    make_step_mu(&in.trace, 10, 0.04f, 2);
    tui_inspect_loaded(&in, 0);
    TuiCanvas c = {0};
    draw(&c, &in, 120, 36);
    assert_true(shows(&c, "pass 1/2, update 1"));
    assert_true(shows(&c, "rho = pi/pi_old = exp(-1.0000 - (-1.0000)) = 1.0000"));
    assert_int_equal(tui_inspect_key(&in, (TuiKey){'u', 0, 0}), TUI_INSPECT_MOVED);
    draw(&c, &in, 120, 36);
    assert_true(shows(&c, "pass 2/2, update 2"));
    assert_true(shows(&c, "rho = pi/pi_old = exp(-0.9000 - (-1.0000)) = 1.1052"));
    tui_inspect_key(&in, (TuiKey){'u', 0, 0});
    assert_int_equal(in.pass, 0);
    tui_canvas_free(&c);
    tui_inspect_free(&in);
}

/* ---- the view and its source --------------------------------------------- */

typedef struct {
    TuiModel m;
    long asked_step[16];
    int asked_dir[16], n_asked;
} Fake;

static void snapshot(void *ctx, TuiModel *out) {
    Fake *f = ctx;
    int sel = out->selected;
    *out = f->m;
    out->selected = sel;
}

static void command(void *ctx, TuiCommand c) {
    (void)ctx, (void)c;
}

/* Recorded steps 10, 20, 30; the newest (live) is step 34. */
static int step_trace(void *ctx, int stage, long step, int dir, unsigned long have, TuiStep *out,
                      TuiStepInfo *info, char *msg, size_t cap) {
    Fake *f = ctx;
    if (f->n_asked < 16) {
        f->asked_step[f->n_asked] = step;
        f->asked_dir[f->n_asked++] = dir;
    }
    long s = step == TUI_STEP_NEWEST ? 34 : step + 10 * dir;
    if (s < 10 || s > 34) {
        snprintf(msg, cap, "no recorded step %s step %ld", dir < 0 ? "before" : "after", step);
        return -1;
    }
    if (step == TUI_STEP_NEWEST && have == 34) return 0;
    make_trace(out, s, 0.04f);
    *info = (TuiStepInfo){.index = step == TUI_STEP_NEWEST ? -1 : (int)(s / 10 - 1),
                          .count = 3,
                          .live = step == TUI_STEP_NEWEST,
                          .seq = (unsigned long)s};
    (void)stage;
    return 1;
}

static void view_asks_for_steps(void **state) {
    (void)state;
    Fake *f = calloc(1, sizeof *f);
    const char *names[] = {"r1-zero", "eval"}, *kinds[] = {"grpo", "eval"};
    for (int i = 0; i < 2; i++) {
        TuiStageView *v = &f->m.stages[f->m.n_stages++];
        snprintf(v->name, sizeof v->name, "%s", names[i]);
        snprintf(v->kind, sizeof v->kind, "%s", kinds[i]);
        v->state = i ? TUI_STAGE_WAITING : TUI_STAGE_RUNNING;
    }
    f->m.edges[0] = (TuiLayoutEdge){0, 1};
    f->m.n_edges = 1;
    f->m.graph_gen = 1;
    TuiView *v = calloc(1, sizeof *v);
    tui_view_init(v, (TuiSource){f, snapshot, command, step_trace});
    tui_view_resize(v, 120, 36);
    TuiCanvas c;
    assert_int_equal(tui_canvas_init(&c, 120, 36, &tui_glyphs_utf8), 0);
    tui_view_poll(v);
#define KEY(k)                                                                                     \
    do {                                                                                           \
        tui_view_key(v, (TuiKey){(k), 0, 0});                                                      \
        tui_view_poll(v);                                                                          \
        tui_view_render(v, &c);                                                                    \
    } while (0)
    v->follow = true; /* as tui_view_run sets it */
    KEY('i');
    assert_int_equal(v->screen, TUI_SCREEN_INSPECT);
    /* the run moving on to the eval does not take the inspector with it */
    f->m.stages[0].state = TUI_STAGE_DONE;
    f->m.stages[1].state = TUI_STAGE_RUNNING;
    f->m.data_gen++;
    tui_view_poll(v);
    assert_int_equal(v->selected, 0);
    f->m.stages[0].state = TUI_STAGE_RUNNING;
    f->m.stages[1].state = TUI_STAGE_WAITING;
    f->m.data_gen++;
    assert_int_equal(f->asked_step[0], TUI_STEP_NEWEST);
    assert_true(shows(&c, "step inspector: r1-zero, step 34 (live, newest)"));
    /* a new step trained: the view asks again, and the source says unchanged */
    f->m.data_gen++;
    int before = f->n_asked;
    KEY('x'); /* any key: the view polls after it */
    assert_true(f->n_asked > before);
    assert_true(shows(&c, "step 34"));
    KEY(',');
    assert_int_equal(f->asked_step[f->n_asked - 1], 34);
    assert_int_equal(f->asked_dir[f->n_asked - 1], -1);
    assert_true(shows(&c, "step inspector: r1-zero, step 24"));
    assert_false(v->inspect.live); /* stepping back stops following */
    KEY('.');
    assert_int_equal(f->asked_dir[f->n_asked - 1], 1);
    assert_true(shows(&c, "step 34"));
    KEY('.'); /* past the newest: said, and the step stays */
    assert_true(shows(&c, "step 34"));
    assert_true(shows(&c, "no recorded step after step 34"));
    KEY(TUI_KEY_LEFT); /* the next key clears it */
    assert_false(shows(&c, "no recorded step after"));
    KEY('l');
    assert_true(v->inspect.live);
    assert_int_equal(f->asked_step[f->n_asked - 1], TUI_STEP_NEWEST);
    /* arrows move the cursor, not the stage selection */
    KEY(TUI_KEY_RIGHT);
    assert_int_equal(v->selected, 0);
    assert_int_equal(v->inspect.pos, 1);
    /* another stage: not a GRPO one, said so */
    KEY(TUI_KEY_TAB);
    assert_true(shows(&c, "eval is a eval stage: the step inspector looks inside GRPO steps"));
    KEY(TUI_KEY_ESC);
    assert_int_equal(v->screen, TUI_SCREEN_DETAIL);
#undef KEY
    tui_canvas_free(&c);
    tui_view_free(v);
    free(v);
    free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sorted_by_advantage),
        cmocka_unit_test(tokens_coloured_by_push),
        cmocka_unit_test(monochrome_says_what_attributes_mean),
        cmocka_unit_test(a_changed_knob_is_named),
        cmocka_unit_test(u_walks_the_passes),
        cmocka_unit_test(view_asks_for_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
