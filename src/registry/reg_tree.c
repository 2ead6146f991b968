/* reg_tree.c - the in-memory key tree: sorted children and values, layers. */
#include "registry/registry.h"
#include "registry/reg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

reg_node *reg_node_new(const char *name)
{
    reg_node *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->name = strdup(name);
    if (!n->name) {
        free(n);
        return NULL;
    }
    return n;
}

static void free_values(reg_node *n)
{
    for (size_t i = 0; i < n->nvals; i++) {
        free(n->vals[i].name);
        reg_value_free(n->vals[i].v[0]);
        reg_value_free(n->vals[i].v[1]);
    }
    free(n->vals);
    n->vals = NULL;
    n->nvals = n->capvals = 0;
}

static void free_node(reg_node *n)
{
    free(n->name);
    free(n);
}

void reg_node_free_tree(reg_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        reg_node_free_tree(n->kids[i]);
    free(n->kids);
    free_values(n);
    free_node(n);
}

/* Takes n (already unlinked) and its subtree out of the tree for good. */
static void detach(reg_node *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        detach(n->kids[i]);
    free(n->kids);
    n->kids = NULL;
    n->nkids = n->capkids = 0;
    free_values(n);
    n->parent = NULL;
    n->in[0] = n->in[1] = false;
    n->detached = true;
    if (n->handles == 0)
        free_node(n);
}

void reg_node_release(reg_node *n)
{
    n->handles--;
    if (n->detached && n->handles == 0)
        free_node(n);
}

reg_node *reg_node_child(const reg_node *n, const char *name, size_t *pos)
{
    size_t lo = 0, hi = n->nkids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = reg_name_cmp(n->kids[mid]->name, name);
        if (c == 0) {
            if (pos)
                *pos = mid;
            return n->kids[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos)
        *pos = lo;
    return NULL;
}

int reg_node_insert_child(reg_node *n, size_t pos, reg_node *child)
{
    if (n->nkids == n->capkids) {
        size_t cap = n->capkids ? n->capkids * 2 : 4;
        reg_node **k = realloc(n->kids, cap * sizeof(*k));
        if (!k)
            return -ENOMEM;
        n->kids = k;
        n->capkids = cap;
    }
    memmove(n->kids + pos + 1, n->kids + pos, (n->nkids - pos) * sizeof(*n->kids));
    n->kids[pos] = child;
    n->nkids++;
    child->parent = n;
    return 0;
}

void reg_node_remove_child(reg_node *n, reg_node *child)
{
    for (size_t i = 0; i < n->nkids; i++) {
        if (n->kids[i] == child) {
            memmove(n->kids + i, n->kids + i + 1, (n->nkids - i - 1) * sizeof(*n->kids));
            n->nkids--;
            break;
        }
    }
    detach(child);
}

reg_entry *reg_node_value(const reg_node *n, const char *name, size_t *pos)
{
    size_t lo = 0, hi = n->nvals;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = reg_name_cmp(n->vals[mid].name, name);
        if (c == 0) {
            if (pos)
                *pos = mid;
            return &n->vals[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos)
        *pos = lo;
    return NULL;
}

int reg_node_insert_value(reg_node *n, size_t pos, const char *name, reg_entry **out)
{
    char *copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    if (n->nvals == n->capvals) {
        size_t cap = n->capvals ? n->capvals * 2 : 4;
        reg_entry *v = realloc(n->vals, cap * sizeof(*v));
        if (!v) {
            free(copy);
            return -ENOMEM;
        }
        n->vals = v;
        n->capvals = cap;
    }
    memmove(n->vals + pos + 1, n->vals + pos, (n->nvals - pos) * sizeof(*n->vals));
    n->vals[pos] = (reg_entry){.name = copy};
    n->nvals++;
    *out = &n->vals[pos];
    return 0;
}

void reg_node_remove_value(reg_node *n, size_t pos)
{
    reg_entry *e = &n->vals[pos];
    free(e->name);
    reg_value_free(e->v[0]);
    reg_value_free(e->v[1]);
    memmove(n->vals + pos, n->vals + pos + 1, (n->nvals - pos - 1) * sizeof(*n->vals));
    n->nvals--;
}

reg_node *reg_node_mark(reg_node *n, reg_layer layer)
{
    reg_node *top = NULL;
    for (; n && !n->in[layer]; n = n->parent) {
        n->in[layer] = true;
        top = n;
    }
    return top;
}

void reg_node_unmark(reg_node *n, reg_node *top, reg_layer layer)
{
    if (!top)
        return;
    for (; n; n = n->parent) {
        n->in[layer] = false;
        if (n == top)
            break;
    }
}

void reg_node_clear_layer(reg_node *n, reg_layer layer)
{
    for (size_t i = n->nvals; i-- > 0;) {
        reg_entry *e = &n->vals[i];
        reg_value_free(e->v[layer]);
        e->v[layer] = NULL;
        if (!e->v[0] && !e->v[1])
            reg_node_remove_value(n, i);
    }
    for (size_t i = n->nkids; i-- > 0;) {
        reg_node *k = n->kids[i];
        reg_node_clear_layer(k, layer);
        k->in[layer] = false;
        if (!k->in[0] && !k->in[1])
            reg_node_remove_child(n, k);
    }
}
