/* table.h - aligned text tables for ndisctl's human-readable output. */
#ifndef NDISCTL_TABLE_H
#define NDISCTL_TABLE_H

#include <stdio.h>

struct table;

/* Columns named by a NULL-terminated list of headers; a header starting with
   '>' is right-aligned (the '>' is not printed). */
struct table *table_new(const char *const *headers);
/* Adds a row of as many cells as there are columns (copied; NULL prints "-"). */
void table_row(struct table *t, const char *const *cells);
void table_print(struct table *t, FILE *out);
void table_free(struct table *t);

#endif /* NDISCTL_TABLE_H */
