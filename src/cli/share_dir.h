#ifndef R1SIM_CLI_SHARE_DIR_H
#define R1SIM_CLI_SHARE_DIR_H

/* Where the shipped scripts (lua/) and data (data/) are, so that an
 * installed r1sim runs its own pipelines from any directory:
 *   $R1SIM_SHARE when set;
 *   else PREFIX/share/r1sim beside an installed binary (PREFIX/bin/r1sim);
 *   else the source tree a built binary sits in (build/r1sim).
 * A directory counts only when it holds lua/rewards.lua. */

#include <stddef.h>

/* The directory, or NULL when there is none; how it was found goes to
 * *how ("R1SIM_SHARE", "installed", "source tree") when how is not NULL. */
const char *cli_share_dir(const char **how);

/* A script argument as the user gave it, or, when no such file exists and
 * the name has no '/', the shipped script of that name (NAME or NAME.lua in
 * the share directory's lua/). The path goes to buf; 0, or -1 when buf is
 * too small. */
int cli_find_script(const char *arg, char *buf, size_t cap);

/* A script found as above, with the places its modules and input files are
 * looked for: beside the script, then ./lua (modules), then the shipped
 * files. */
typedef struct {
    char path[4096];
    char dir[4096];          /* the script's directory */
    char lua_path[3 * 4096]; /* for ScriptOptions.lua_path */
    const char *share;       /* the share directory, or NULL */
} ScriptPlace;

/* 0; or, after a one-line message on stderr starting "r1sim CMD: ", the
 * exit status (2: no such script, or a path too long). */
int cli_script_place(const char *cmd, const char *arg, ScriptPlace *p);

#endif
