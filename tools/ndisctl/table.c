/* table.c - aligned text tables: widths from the widest cell, two spaces apart. */
#include "table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct table {
    unsigned ncols, nrows;
    char **headers;
    bool *right;
    char **cells; /* nrows * ncols */
};

struct table *table_new(const char *const *headers)
{
    struct table *t = calloc(1, sizeof(*t));
    if (!t)
        abort();
    while (headers[t->ncols])
        t->ncols++;
    t->headers = calloc(t->ncols, sizeof(char *));
    t->right = calloc(t->ncols, sizeof(bool));
    if (!t->headers || !t->right)
        abort();
    for (unsigned i = 0; i < t->ncols; i++) {
        t->right[i] = headers[i][0] == '>';
        t->headers[i] = strdup(headers[i] + (t->right[i] ? 1 : 0));
    }
    return t;
}

void table_row(struct table *t, const char *const *cells)
{
    char **n = realloc(t->cells, (size_t)(t->nrows + 1) * t->ncols * sizeof(char *));
    if (!n)
        abort();
    t->cells = n;
    for (unsigned i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = strdup(cells[i] ? cells[i] : "-");
    t->nrows++;
}

static void cell(FILE *out, const char *s, size_t width, bool right, bool last)
{
    size_t len = strlen(s);
    if (right)
        fprintf(out, "%*s%s", (int)(width - len), "", s);
    else if (last)
        fputs(s, out);
    else
        fprintf(out, "%s%*s", s, (int)(width - len), "");
}

void table_print(struct table *t, FILE *out)
{
    size_t *w = calloc(t->ncols, sizeof(size_t));
    if (!w)
        abort();
    for (unsigned c = 0; c < t->ncols; c++) {
        w[c] = strlen(t->headers[c]);
        for (unsigned r = 0; r < t->nrows; r++) {
            size_t l = strlen(t->cells[r * t->ncols + c]);
            if (l > w[c])
                w[c] = l;
        }
    }
    for (unsigned c = 0; c < t->ncols; c++) {
        cell(out, t->headers[c], w[c], t->right[c], c + 1 == t->ncols);
        fputs(c + 1 == t->ncols ? "\n" : "  ", out);
    }
    for (unsigned r = 0; r < t->nrows; r++)
        for (unsigned c = 0; c < t->ncols; c++) {
            cell(out, t->cells[r * t->ncols + c], w[c], t->right[c], c + 1 == t->ncols);
            fputs(c + 1 == t->ncols ? "\n" : "  ", out);
        }
    free(w);
}

void table_free(struct table *t)
{
    if (!t)
        return;
    for (unsigned i = 0; i < t->ncols; i++)
        free(t->headers[i]);
    for (unsigned i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->headers);
    free(t->right);
    free(t->cells);
    free(t);
}
