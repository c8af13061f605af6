#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include "pipeline/graph.h"
#include "script/pipeline.h"
#include "tui/layout.h"

/* The layout's promises, checked over graphs shaped like the shipped pipelines
 * and over random DAGs, at every terminal size of a grid from 80x24 to 250x80. */

typedef struct {
    const char *name;
    int n, ne;
    TuiLayoutNode nodes[GRAPH_MAX_STAGES];
    TuiLayoutEdge edges[GRAPH_MAX_STAGES * GRAPH_MAX_INPUTS];
} LGraph;

/* evals are reports, as run_view.c marks them (eval makes no checkpoint) */
static void add_node(LGraph *g, const char *name, const char *kind) {
    g->nodes[g->n++] = (TuiLayoutNode){name, kind, 12, !strcmp(kind, "eval")};
}

static int find(const LGraph *g, const char *name) {
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->nodes[i].name, name)) return i;
    fail_msg("no node %s", name);
    return -1;
}

static void add_edge(LGraph *g, const char *a, const char *b) {
    g->edges[g->ne++] = (TuiLayoutEdge){find(g, a), find(g, b)};
}

static LGraph quick(void) {
    LGraph g = {.name = "quick"};
    add_node(&g, "pretrain", "pretrain");
    add_node(&g, "eval-base", "eval");
    add_node(&g, "cold-start-sft", "sft");
    add_node(&g, "eval", "eval");
    add_edge(&g, "pretrain", "eval-base");
    add_edge(&g, "pretrain", "cold-start-sft");
    add_edge(&g, "cold-start-sft", "eval");
    return g;
}

static LGraph r1_zero(void) {
    LGraph g = {.name = "r1_zero"};
    add_node(&g, "pretrain", "pretrain");
    add_node(&g, "r1-zero", "grpo");
    add_node(&g, "eval", "eval");
    add_edge(&g, "pretrain", "r1-zero");
    add_edge(&g, "r1-zero", "eval");
    return g;
}

/* docs/design.md's figure: R1-Zero beside the R1 chain, R1-Zero's samples feeding the
 * cold start, SFT of the base, distilled students, evals of every model. */
static LGraph r1_full(void) {
    LGraph g = {.name = "r1"};
    add_node(&g, "pretrain", "pretrain");
    add_node(&g, "r1-zero", "grpo");
    add_node(&g, "zero-samples", "sample");
    add_node(&g, "cold-start-sft", "sft");
    add_node(&g, "reasoning-rl", "grpo");
    add_node(&g, "rejection", "sample");
    add_node(&g, "sft", "sft");
    add_node(&g, "reward-model", "reward_model");
    add_node(&g, "rl-all", "grpo");
    add_node(&g, "r1-samples", "sample");
    add_node(&g, "student-pretrain", "pretrain");
    add_node(&g, "distill-small", "distill");
    add_node(&g, "student-grpo", "grpo");
    add_node(&g, "eval", "eval");
    add_edge(&g, "pretrain", "r1-zero");
    add_edge(&g, "pretrain", "cold-start-sft");
    add_edge(&g, "r1-zero", "zero-samples");
    add_edge(&g, "zero-samples", "cold-start-sft");
    add_edge(&g, "cold-start-sft", "reasoning-rl");
    add_edge(&g, "reasoning-rl", "rejection");
    add_edge(&g, "rejection", "sft");
    add_edge(&g, "pretrain", "sft");
    add_edge(&g, "sft", "rl-all");
    add_edge(&g, "pretrain", "reward-model");
    add_edge(&g, "reward-model", "rl-all");
    add_edge(&g, "rl-all", "r1-samples");
    add_edge(&g, "r1-samples", "distill-small");
    add_edge(&g, "student-pretrain", "distill-small");
    add_edge(&g, "student-pretrain", "student-grpo");
    add_edge(&g, "pretrain", "eval");
    add_edge(&g, "r1-zero", "eval");
    add_edge(&g, "rl-all", "eval");
    add_edge(&g, "distill-small", "eval");
    add_edge(&g, "student-grpo", "eval");
    return g;
}

/* lua/r1.lua's graph: R1-Zero, then Dev1 (cold start on R1-Zero's samples),
 * Dev2 (reasoning RL), Dev3 (SFT of the base on Dev2's samples). */
static void add_r1(LGraph *g) {
    add_node(g, "pretrain", "pretrain");
    add_node(g, "eval-base", "eval");
    add_node(g, "r1-zero", "grpo");
    add_node(g, "eval-r1-zero", "eval");
    add_node(g, "sample-r1-zero", "sample");
    add_node(g, "cold-start", "sft");
    add_node(g, "eval-dev1", "eval");
    add_node(g, "reasoning-rl", "grpo");
    add_node(g, "eval-dev2", "eval");
    add_node(g, "sample-dev2", "sample");
    add_node(g, "sft-dev3", "sft");
    add_node(g, "eval-dev3", "eval");
    add_edge(g, "pretrain", "eval-base");
    add_edge(g, "pretrain", "r1-zero");
    add_edge(g, "r1-zero", "eval-r1-zero");
    add_edge(g, "r1-zero", "sample-r1-zero");
    add_edge(g, "pretrain", "cold-start");
    add_edge(g, "sample-r1-zero", "cold-start");
    add_edge(g, "cold-start", "eval-dev1");
    add_edge(g, "cold-start", "reasoning-rl");
    add_edge(g, "reasoning-rl", "eval-dev2");
    add_edge(g, "reasoning-rl", "sample-dev2");
    add_edge(g, "pretrain", "sft-dev3");
    add_edge(g, "sample-dev2", "sft-dev3");
    add_edge(g, "sft-dev3", "eval-dev3");
}

static LGraph r1(void) {
    LGraph g = {.name = "r1.lua"};
    add_r1(&g);
    return g;
}

/* r1.lua once later issues land: RL of all scenarios with a reward model, the
 * final eval, and distillation into two students (25 stages). */
static LGraph r1_later(void) {
    LGraph g = {.name = "r1.lua later"};
    add_r1(&g);
    add_node(&g, "reward-model", "reward_model");
    add_node(&g, "rl-all", "grpo");
    add_node(&g, "eval-r1", "eval");
    add_node(&g, "sample-r1", "sample");
    add_edge(&g, "sft-dev3", "reward-model");
    add_edge(&g, "sft-dev3", "rl-all");
    add_edge(&g, "reward-model", "rl-all");
    add_edge(&g, "rl-all", "eval-r1");
    add_edge(&g, "rl-all", "sample-r1");
    static const char *const st[2][5] = {
        {"student-s", "eval-student-s", "distill-s", "eval-distill-s", "rl-student-s"},
        {"student-m", "eval-student-m", "distill-m", "eval-distill-m", NULL}};
    for (int i = 0; i < 2; i++) {
        add_node(&g, st[i][0], "pretrain");
        add_node(&g, st[i][1], "eval");
        add_node(&g, st[i][2], "distill");
        add_node(&g, st[i][3], "eval");
        add_edge(&g, st[i][0], st[i][1]);
        add_edge(&g, st[i][0], st[i][2]);
        add_edge(&g, "sample-r1", st[i][2]);
        add_edge(&g, st[i][2], st[i][3]);
        if (st[i][4]) {
            add_node(&g, st[i][4], "grpo");
            add_edge(&g, st[i][0], st[i][4]);
        }
    }
    assert_int_equal(g.n, 25);
    return g;
}

static uint64_t rng_state;
static uint32_t rnd(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

static const char *NAMES[] = {"pretrain",
                              "r1-zero",
                              "cold-start-sft",
                              "reasoning-rl",
                              "rejection-sampling",
                              "sft",
                              "rl-all",
                              "distill-student-s",
                              "eval",
                              "x",
                              "a-rather-long-stage-name-here",
                              "rm"};

static LGraph random_dag(uint64_t seed) {
    LGraph g = {.name = "random"};
    rng_state = seed;
    int n = 1 + (int)(rnd() % 20);
    int density = 5 + (int)(rnd() % 30); /* percent */
    for (int i = 0; i < n; i++)
        g.nodes[g.n++] =
            (TuiLayoutNode){NAMES[rnd() % 12], "grpo", (int)(rnd() % 30), rnd() % 3 == 0};
    for (int j = 1; j < n; j++)
        for (int i = 0; i < j; i++)
            if ((int)(rnd() % 100) < density && g.ne < 80) g.edges[g.ne++] = (TuiLayoutEdge){i, j};
    return g;
}

static int inside(TuiRect r, int x, int y) {
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

/* Two edges running along the same cells would read as one line. Edges may
 * cross; edges from one source may split from a shared run, and edges into one
 * target may merge into one (narrow boxes have fewer ports than edges). */
static int shared_runs(const TuiLayout *lo, const LGraph *g, char *where, size_t cap) {
    static int own[2][128][512];
    memset(own, -1, sizeof own);
    int bad = 0;
    for (int e = 0; e < g->ne; e++) {
        const TuiLayoutPath *p = &lo->edges[e];
        for (int k = 0; k + 1 < p->npts; k++) {
            TuiPoint u = p->pts[k], v = p->pts[k + 1];
            int dx = (v.x > u.x) - (v.x < u.x), dy = (v.y > u.y) - (v.y < u.y);
            for (int x = u.x, y = u.y;; x += dx, y += dy) {
                if (y < 128 && x < 512 && !(x == u.x && y == u.y && k > 0)) {
                    int *o = &own[dy != 0][y][x];
                    if (*o >= 0 && *o != e && g->edges[*o].from != g->edges[e].from &&
                        g->edges[*o].to != g->edges[e].to) {
                        if (!bad) {
                            size_t n = strlen(where);
                            snprintf(where + n, cap - n, " (edges %d,%d at %d,%d)", *o, e, x, y);
                        }
                        bad++;
                    }
                    *o = e;
                }
                if (x == v.x && y == v.y) break;
            }
        }
    }
    return bad;
}

static void check(const LGraph *g, int rows, int cols) {
    TuiLayout lo;
    assert_int_equal(tui_layout(&lo, g->nodes, g->n, g->edges, g->ne, rows, cols), 0);
    char where[160];
    snprintf(where, sizeof where, "%s n=%d e=%d at %dx%d", g->name, g->n, g->ne, cols, rows);
    if (lo.canvas_w < cols || lo.canvas_h < rows) fail_msg("%s: canvas smaller than area", where);
    for (int i = 0; i < g->n; i++) {
        TuiRect a = lo.boxes[i];
        if (a.x < 0 || a.y < 0 || a.x + a.w > lo.canvas_w || a.y + a.h > lo.canvas_h || a.w < 3 ||
            a.h < 3)
            fail_msg("%s: box %d (%d,%d %dx%d) outside the canvas", where, i, a.x, a.y, a.w, a.h);
        for (int j = i + 1; j < g->n; j++) {
            TuiRect b = lo.boxes[j];
            if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
                fail_msg("%s: boxes %d and %d overlap", where, i, j);
        }
    }
    for (int e = 0; e < g->ne; e++) {
        const TuiLayoutPath *p = &lo.edges[e];
        if (p->from != g->edges[e].from || p->to != g->edges[e].to)
            fail_msg("%s: edge %d dropped", where, e);
        if (p->npts < 2) fail_msg("%s: edge %d has %d points", where, e, p->npts);
        TuiRect s = lo.boxes[p->from], t = lo.boxes[p->to];
        TuiPoint a = p->pts[0], z = p->pts[p->npts - 1];
        if (p->beside) {
            /* one run on the first inner row, side border to facing side border */
            int right = t.x > s.x;
            if (!g->nodes[p->to].report || p->npts != 2 || s.y != t.y || a.y != s.y + 1 ||
                z.y != a.y || a.x != (right ? s.x + s.w - 1 : s.x) ||
                z.x != (right ? t.x : t.x + t.w - 1) || abs(z.x - a.x) < 3)
                fail_msg("%s: edge %d is not a run to a report beside its source", where, e);
        } else {
            if (a.y != s.y + s.h - 1 || a.x <= s.x || a.x >= s.x + s.w - 1)
                fail_msg("%s: edge %d does not leave its source's bottom border", where, e);
            if (z.y != t.y || z.x <= t.x || z.x >= t.x + t.w - 1)
                fail_msg("%s: edge %d does not reach its target's top border", where, e);
        }
        for (int k = 0; k + 1 < p->npts; k++) {
            TuiPoint u = p->pts[k], v = p->pts[k + 1];
            if (u.x != v.x && u.y != v.y) fail_msg("%s: edge %d has a diagonal run", where, e);
            int dx = (v.x > u.x) - (v.x < u.x), dy = (v.y > u.y) - (v.y < u.y);
            for (int x = u.x, y = u.y;; x += dx, y += dy) {
                if (x < 0 || y < 0 || x >= lo.canvas_w || y >= lo.canvas_h)
                    fail_msg("%s: edge %d leaves the canvas", where, e);
                int end =
                    (k == 0 && x == a.x && y == a.y) || (k + 2 == p->npts && x == z.x && y == z.y);
                for (int b = 0; b < g->n && !end; b++)
                    if (inside(lo.boxes[b], x, y))
                        fail_msg("%s: edge %d (%d->%d) crosses box %d at (%d,%d)", where, e,
                                 p->from, p->to, b, x, y);
                if (x == v.x && y == v.y) break;
            }
        }
    }
    if (shared_runs(&lo, g, where, sizeof where)) fail_msg("%s: edges run along each other", where);
    tui_layout_free(&lo);
}

static void sweep(const LGraph *g) {
    for (int rows = 24; rows <= 80; rows += 7)
        for (int cols = 80; cols <= 250; cols += 17) check(g, rows, cols);
    check(g, 80, 250);
}

static void shipped_pipelines_hold_at_every_size(void **state) {
    LGraph q = quick(), z = r1_zero(), f = r1_full(), a = r1(), b = r1_later();
    sweep(&q);
    sweep(&z);
    sweep(&f);
    sweep(&a);
    sweep(&b);
}

/* Every pipeline script in lua/ as the view would lay it out (modules such
 * as rewards.lua declare no stage and are skipped). */
static void shipped_scripts_hold_at_every_size(void **state) {
    DIR *d = opendir("lua");
    assert_non_null(d);
    int scripts = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".lua")) continue;
        static Graph pg;
        graph_init(&pg);
        char path[512], err[2048];
        snprintf(path, sizeof path, "lua/%s", e->d_name);
        ScriptOptions o = {.lua_path = "lua"};
        ScriptPipeline *sp = script_pipeline_load(path, NULL, &o, &pg, err, sizeof err);
        if (!sp) {
            if (!strstr(err, "declares no stage")) fail_msg("%s", err);
            continue;
        }
        int order[GRAPH_MAX_STAGES];
        assert_int_equal(graph_resolve(&pg, order, err, sizeof err), 0);
        LGraph g = {.name = e->d_name};
        for (int i = 0; i < pg.n; i++)
            g.nodes[g.n++] = (TuiLayoutNode){pg.stages[i].name, pg.stages[i].kind->name, 14,
                                             !pg.stages[i].kind->makes_checkpoint &&
                                                 !pg.stages[i].kind->makes_dataset};
        for (int i = 0; i < pg.n; i++)
            for (int k = 0; k < pg.stages[i].n_inputs; k++)
                if (pg.stages[i].input_stage[k] >= 0)
                    g.edges[g.ne++] = (TuiLayoutEdge){pg.stages[i].input_stage[k], i};
        assert_true(g.ne >= g.n - 1); /* a pipeline is connected */
        sweep(&g);
        script_pipeline_free(sp);
        scripts++;
    }
    closedir(d);
    assert_true(scripts >= 2);
}

static void random_dags_hold_at_every_size(void **state) {
    for (uint64_t seed = 1; seed <= 60; seed++) {
        LGraph g = random_dag(seed);
        sweep(&g);
    }
}

static int center_x(TuiRect r) {
    return r.x + (r.w - 1) / 2;
}

static const TuiLayoutPath *edge_of(const TuiLayout *lo, const LGraph *g, const char *a,
                                    const char *b) {
    int u = find(g, a), v = find(g, b);
    for (int e = 0; e < g->ne; e++)
        if (g->edges[e].from == u && g->edges[e].to == v) return &lo->edges[e];
    fail_msg("no edge %s -> %s", a, b);
    return NULL;
}

/* Evals sit beside what they evaluate: same row, reached by a run. */
static void evals_beside(const TuiLayout *lo, const LGraph *g) {
    for (int e = 0; e < g->ne; e++) {
        int u = g->edges[e].from, v = g->edges[e].to;
        if (!g->nodes[v].report) continue;
        if (!lo->edges[e].beside || lo->boxes[u].y != lo->boxes[v].y)
            fail_msg("%s: %s is not beside %s", g->name, g->nodes[v].name, g->nodes[u].name);
    }
}

static void small_pipelines_fit_80x24_with_full_boxes(void **state) {
    LGraph q = quick(), z = r1_zero();
    TuiLayout lo;
    assert_int_equal(tui_layout(&lo, q.nodes, q.n, q.edges, q.ne, 24, 80), 0);
    assert_int_equal(lo.mode, TUI_BOX_FULL);
    assert_int_equal(lo.canvas_w, 80);
    assert_int_equal(lo.canvas_h, 24);
    /* the evals beside their models: two layers, the SFT under the base */
    assert_int_equal(lo.n_layers, 2);
    evals_beside(&lo, &q);
    assert_int_equal(lo.layer[2], 1);
    assert_int_equal(center_x(lo.boxes[0]), lo.spine_x);
    assert_int_equal(center_x(lo.boxes[2]), lo.spine_x);
    tui_layout_free(&lo);
    assert_int_equal(tui_layout(&lo, z.nodes, z.n, z.edges, z.ne, 24, 80), 0);
    assert_int_equal(lo.mode, TUI_BOX_FULL);
    evals_beside(&lo, &z);
    /* a chain stands in one column, so its edges are straight */
    for (int e = 0; e < z.ne; e++) assert_int_equal(lo.edges[e].npts, 2);
    tui_layout_free(&lo);
}

/* r1.lua in the flowchart's area at 120x36 (80x33 beside the side panel) and
 * at 80x24 (80x21): the shape of the DeepSeek-R1 figure, names in full. */
static void r1_takes_the_figures_shape(void **state) {
    LGraph g = r1();
    const int sizes[2][2] = {{33, 80}, {21, 80}};
    const char *spine[] = {"pretrain", "cold-start", "reasoning-rl", "sample-dev2", "sft-dev3"};
    for (int k = 0; k < 2; k++) {
        int rows = sizes[k][0], cols = sizes[k][1];
        check(&g, rows, cols);
        TuiLayout lo;
        assert_int_equal(tui_layout(&lo, g.nodes, g.n, g.edges, g.ne, rows, cols), 0);
        assert_int_equal(lo.mode, TUI_BOX_TINY);
        assert_int_equal(lo.canvas_w, cols);                 /* no sideways scrolling */
        if (rows == 33) assert_int_equal(lo.canvas_h, rows); /* all of it at once */
        for (int i = 0; i < g.n; i++)                        /* "│● name│": nothing cut */
            assert_true(lo.boxes[i].w >= (int)strlen(g.nodes[i].name) + 4);
        assert_int_equal(lo.n_layers, 7);
        evals_beside(&lo, &g);
        /* R1's chain in one column, its edges straight down it */
        assert_true(lo.spine_x >= 0);
        for (size_t i = 0; i < sizeof spine / sizeof *spine; i++) {
            if (center_x(lo.boxes[find(&g, spine[i])]) != lo.spine_x)
                fail_msg("%s is off the spine", spine[i]);
            if (i == 0) continue;
            const TuiLayoutPath *p = edge_of(&lo, &g, spine[i - 1], spine[i]);
            assert_int_equal(p->npts, 2);
            assert_int_equal(p->pts[0].x, lo.spine_x);
        }
        /* R1-Zero a side branch: off the column, both boxes on one side of it,
         * above the cold start its samples feed */
        TuiRect z = lo.boxes[find(&g, "r1-zero")], s = lo.boxes[find(&g, "sample-r1-zero")];
        int zl = z.x + z.w <= lo.spine_x, sl = s.x + s.w <= lo.spine_x;
        assert_true(zl || z.x > lo.spine_x);
        assert_true(sl || s.x > lo.spine_x);
        assert_int_equal(zl, sl);
        assert_true(z.y < s.y && s.y < lo.boxes[find(&g, "cold-start")].y);
        tui_layout_free(&lo);
    }
}

/* 25 stages at 80x21: still no sideways scrolling, and every box can be
 * scrolled into view; with room, names in full and the spine kept. */
static void a_25_stage_graph_stays_usable(void **state) {
    LGraph g = r1_later();
    TuiLayout lo;
    assert_int_equal(tui_layout(&lo, g.nodes, g.n, g.edges, g.ne, 21, 80), 0);
    assert_int_equal(lo.canvas_w, 80);
    for (int i = 0; i < g.n; i++) {
        int sx = 0, sy = 0;
        tui_layout_scroll_to(&lo, i, 80, 21, &sx, &sy);
        TuiRect r = lo.boxes[i];
        assert_true(r.x >= sx && r.x + r.w <= sx + 80 && r.y >= sy && r.y + r.h <= sy + 21);
        assert_int_equal(tui_layout_hit(&lo, r.x + 1, r.y + 1), i);
    }
    tui_layout_free(&lo);
    assert_int_equal(tui_layout(&lo, g.nodes, g.n, g.edges, g.ne, 45, 160), 0);
    for (int i = 0; i < g.n; i++) assert_true(lo.boxes[i].w >= (int)strlen(g.nodes[i].name) + 4);
    assert_true(lo.spine_x >= 0);
    assert_int_equal(center_x(lo.boxes[find(&g, "rl-all")]), lo.spine_x);
    evals_beside(&lo, &g);
    /* the students' bases sit just above their distillation, not at the top */
    assert_int_equal(lo.layer[find(&g, "student-m")] + 1, lo.layer[find(&g, "distill-m")]);
    tui_layout_free(&lo);
}

/* Scrolling to a box shows the rows around it too, when the view has room. */
static void scrolling_keeps_context(void **state) {
    LGraph g = r1();
    TuiLayout lo;
    assert_int_equal(tui_layout(&lo, g.nodes, g.n, g.edges, g.ne, 21, 80), 0);
    int sx = 0, sy = 0, last = find(&g, "sft-dev3");
    tui_layout_scroll_to(&lo, last, 80, 12, &sx, &sy);
    TuiRect r = lo.boxes[last];
    assert_true(r.y >= sy + 4 || sy + 12 == lo.canvas_h);
    assert_true(r.y + r.h <= sy + 12);
    sy = lo.canvas_h;
    tui_layout_scroll_to(&lo, 0, 80, 12, &sx, &sy);
    assert_int_equal(sy, 0);
    tui_layout_free(&lo);
}

static void big_graph_compacts_then_scrolls(void **state) {
    LGraph f = r1_full();
    TuiLayout lo;
    assert_int_equal(tui_layout(&lo, f.nodes, f.n, f.edges, f.ne, 24, 80), 0);
    assert_true(lo.mode != TUI_BOX_FULL);
    assert_true(lo.canvas_h > 24 || lo.canvas_w > 80);
    int sx = 0, sy = 0, last = find(&f, "eval");
    tui_layout_scroll_to(&lo, last, 80, 24, &sx, &sy);
    TuiRect r = lo.boxes[last];
    assert_true(r.x >= sx && r.x + r.w <= sx + 80 && r.y >= sy && r.y + r.h <= sy + 24);
    assert_true(sx + 80 <= lo.canvas_w && sy + 24 <= lo.canvas_h);
    assert_int_equal(tui_layout_hit(&lo, r.x + 1, r.y + 1), last);
    assert_int_equal(tui_layout_hit(&lo, -1, -1), -1);
    tui_layout_free(&lo);
    assert_int_equal(tui_layout(&lo, f.nodes, f.n, f.edges, f.ne, 80, 250), 0);
    assert_int_equal(lo.canvas_w, 250);
    assert_int_equal(lo.canvas_h, 80);
    tui_layout_free(&lo);
}

static void arrows_move_between_layers(void **state) {
    LGraph q = quick(); /* pretrain ▶ eval-base over cold-start-sft ▶ eval */
    TuiLayout lo;
    assert_int_equal(tui_layout(&lo, q.nodes, q.n, q.edges, q.ne, 24, 80), 0);
    assert_int_equal(tui_layout_neighbor(&lo, 0, 0, 1), 2);
    assert_int_equal(tui_layout_neighbor(&lo, 2, 0, -1), 0);
    assert_int_equal(tui_layout_neighbor(&lo, 0, 1, 0), 1); /* to the eval beside */
    assert_int_equal(tui_layout_neighbor(&lo, 1, -1, 0), 0);
    assert_int_equal(tui_layout_neighbor(&lo, 2, 1, 0), 3);
    assert_int_equal(tui_layout_neighbor(&lo, 3, 0, 1), 3); /* nothing below */
    assert_int_equal(tui_layout_neighbor(&lo, 0, -1, 0), 0);
    tui_layout_free(&lo);
}

static void cycles_and_bad_edges_are_dropped(void **state) {
    TuiLayoutNode n[3] = {{"a", "sft", 0, false}, {"b", "sft", 0, false}, {"c", "sft", 0, false}};
    TuiLayoutEdge e[5] = {{0, 1}, {1, 2}, {2, 0}, {1, 1}, {0, 7}};
    TuiLayout lo;
    assert_int_equal(tui_layout(&lo, n, 3, e, 5, 24, 80), 0);
    assert_int_equal(lo.edges[0].from, 0);
    assert_int_equal(lo.edges[1].from, 1);
    assert_int_equal(lo.edges[2].from, -1);
    assert_int_equal(lo.edges[3].from, -1);
    assert_int_equal(lo.edges[4].from, -1);
    tui_layout_free(&lo);
    assert_int_equal(tui_layout(&lo, NULL, 0, NULL, 0, 24, 80), 0);
    assert_int_equal(lo.canvas_w, 80);
    tui_layout_free(&lo);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_pipelines_hold_at_every_size),
        cmocka_unit_test(shipped_scripts_hold_at_every_size),
        cmocka_unit_test(random_dags_hold_at_every_size),
        cmocka_unit_test(small_pipelines_fit_80x24_with_full_boxes),
        cmocka_unit_test(r1_takes_the_figures_shape),
        cmocka_unit_test(a_25_stage_graph_stays_usable),
        cmocka_unit_test(scrolling_keeps_context),
        cmocka_unit_test(big_graph_compacts_then_scrolls),
        cmocka_unit_test(arrows_move_between_layers),
        cmocka_unit_test(cycles_and_bad_edges_are_dropped),
    };
    return cmocka_run_group_tests_name("tui_layout", tests, NULL, NULL);
}
