/* help.h - ndisctl's help texts (the same as ndisctl(8)). */
#ifndef NDISCTL_HELP_H
#define NDISCTL_HELP_H

#include <stdbool.h>
#include <stdio.h>

struct cmd_help {
    const char *name;
    const char *synopsis;
    const char *summary;
    const char *text; /* details */
};

void help_overview(FILE *out);
/* Prints the help of a command; false when there is no such command. */
bool help_command(FILE *out, const char *name);
const struct cmd_help *help_find(const char *name);

#endif /* NDISCTL_HELP_H */
