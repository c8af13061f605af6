#include "cli/share_dir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int holds_scripts(const char *dir) {
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/lua/rewards.lua", dir);
    return access(p, R_OK) == 0;
}

/* Keeps dir when it holds the scripts and fits: 1, else 0. */
static int take(char *out, size_t cap, const char *dir) {
    size_t len = strlen(dir);
    if (len >= cap || !holds_scripts(dir)) return 0;
    memcpy(out, dir, len + 1);
    return 1;
}

/* dir/.. without a trailing slash, in place; "" when dir is "/". */
static void parent(char *dir) {
    char *s = strrchr(dir, '/');
    if (s) *s = '\0';
}

const char *cli_share_dir(const char **how) {
    static char dir[PATH_MAX];
    static const char *found_how;
    static int done;
    if (!done) {
        done = 1;
        const char *env = getenv("R1SIM_SHARE");
        char exe[PATH_MAX];
        ssize_t n;
        if (env && *env) {
            if (take(dir, sizeof dir, env)) found_how = "R1SIM_SHARE";
        } else if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
            exe[n] = '\0';
            parent(exe); /* PREFIX/bin, or the tree's build/ */
            parent(exe); /* PREFIX, or the tree */
            char installed[PATH_MAX + 16];
            snprintf(installed, sizeof installed, "%s/share/r1sim", exe);
            if (take(dir, sizeof dir, installed))
                found_how = "installed";
            else if (take(dir, sizeof dir, exe))
                found_how = "source tree";
        }
    }
    if (how) *how = found_how;
    return found_how ? dir : NULL;
}

int cli_find_script(const char *arg, char *buf, size_t cap) {
    const char *share = cli_share_dir(NULL);
    if (access(arg, F_OK) != 0 && !strchr(arg, '/') && share) {
        size_t len = strlen(arg);
        const char *ext = len > 4 && strcmp(arg + len - 4, ".lua") == 0 ? "" : ".lua";
        char p[PATH_MAX + 64];
        int w = snprintf(p, sizeof p, "%s/lua/%s%s", share, arg, ext);
        if (w > 0 && (size_t)w < sizeof p && access(p, F_OK) == 0) {
            if ((size_t)w >= cap) return -1;
            snprintf(buf, cap, "%s", p);
            return 0;
        }
    }
    if (strlen(arg) >= cap) return -1;
    snprintf(buf, cap, "%s", arg);
    return 0;
}

int cli_script_place(const char *cmd, const char *arg, ScriptPlace *p) {
    if (cli_find_script(arg, p->path, sizeof p->path)) {
        fprintf(stderr, "r1sim %s: %.80s...: the script's path is too long\n", cmd, arg);
        return 2;
    }
    p->share = cli_share_dir(NULL);
    if (access(p->path, F_OK) != 0 && !strchr(p->path, '/')) {
        fprintf(stderr, "r1sim %s: %s: no such file here%s%s%s\n", cmd, p->path,
                p->share ? ", nor a shipped script of that name in "
                         : " (and no shipped scripts: see r1sim paths)",
                p->share ? p->share : "", p->share ? "/lua" : "");
        return 2;
    }
    const char *slash = strrchr(p->path, '/');
    if (slash == p->path)
        snprintf(p->dir, sizeof p->dir, "/");
    else
        snprintf(p->dir, sizeof p->dir, "%.*s", slash ? (int)(slash - p->path) : 1,
                 slash ? p->path : ".");
    snprintf(p->lua_path, sizeof p->lua_path, "%s;lua%s%s%s", p->dir, p->share ? ";" : "",
             p->share ? p->share : "", p->share ? "/lua" : "");
    return 0;
}
