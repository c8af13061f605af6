/* r1sim paths: where this r1sim looks for scripts, Lua modules and input
 * files, so that "file not found" can be answered without reading code. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/share_dir.h"

static const char usage[] = "usage: r1sim paths\n"
                            "Prints where scripts, Lua modules and input files are looked for.\n";

int cli_paths(int argc, char **argv) {
    if (argc > 1) {
        bool help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");
        fputs(usage, help ? stdout : stderr);
        return help ? 0 : CLI_EXIT_USAGE;
    }
    const char *how;
    const char *share = cli_share_dir(&how);
    if (share)
        printf("share directory  %s (%s)\n", share, how);
    else if (getenv("R1SIM_SHARE") && *getenv("R1SIM_SHARE"))
        printf("share directory  none (R1SIM_SHARE=%s holds no lua/rewards.lua)\n",
               getenv("R1SIM_SHARE"));
    else
        printf("share directory  none (no lua/rewards.lua beside the binary; set R1SIM_SHARE)\n");
    const char *s = share ? share : "(none)";
    printf("scripts          SCRIPT as given; a bare NAME not found here: %s/lua/NAME.lua\n", s);
    printf("lua modules      the script's directory, ./lua, %s/lua\n", s);
    printf("input files      a relative PATH: ./PATH, the script's directory, %s/PATH\n", s);
    return 0;
}
