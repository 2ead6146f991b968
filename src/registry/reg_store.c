/*
 * reg_store.c - the public store and key API: locking, layers, rollback.
 *
 * One mutex per store guards the tree and the directory. A persisted change
 * is applied to the tree, the tree is written out (reg_disk_save), and the
 * change is undone if the write failed before its rename: memory and disk
 * never disagree about what the store holds.
 */
#include "registry/registry.h"
#include "registry/reg_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reg_store {
    pthread_mutex_t mu;
    reg_disk disk;
    reg_node *root;
    bool memory; /* reg_store_open_memory: no directory, nothing written */
    bool closed;
    unsigned refs; /* 1 until reg_store_close, plus one per open key */
    char last_err[512];
};

struct reg_key {
    reg_store *st;
    reg_node *n;
};

static void store_destroy(reg_store *st)
{
    reg_node_free_tree(st->root);
    reg_disk_close(&st->disk);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

int reg_store_open(const char *dir, reg_store **out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!dir || !*dir) {
        if (err && errlen)
            snprintf(err, errlen, "registry directory not given");
        return -EINVAL;
    }
    reg_store *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->disk.dirfd = st->disk.lockfd = -1;
    pthread_mutex_init(&st->mu, NULL);
    st->refs = 1;
    int rc = -ENOMEM;
    st->root = reg_node_new("");
    if (!st->root) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        goto fail;
    }
    st->root->in[REG_LAYER_DEFAULT] = st->root->in[REG_LAYER_PERSIST] = true;
    rc = reg_disk_open(&st->disk, dir, err, errlen);
    if (rc)
        goto fail;
    rc = reg_disk_load(&st->disk, st->root, err, errlen);
    if (rc)
        goto fail;
    *out = st;
    return 0;
fail:
    store_destroy(st);
    return rc;
}

int reg_store_open_memory(reg_store **out)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    reg_store *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->disk.dirfd = st->disk.lockfd = -1;
    pthread_mutex_init(&st->mu, NULL);
    st->refs = 1;
    st->memory = true;
    st->root = reg_node_new("");
    if (!st->root) {
        store_destroy(st);
        return -ENOMEM;
    }
    st->root->in[REG_LAYER_DEFAULT] = st->root->in[REG_LAYER_PERSIST] = true;
    *out = st;
    return 0;
}

void reg_store_close(reg_store *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    bool last = false;
    if (!st->closed) {
        st->closed = true;
        reg_disk_close(&st->disk);
        last = --st->refs == 0;
    }
    pthread_mutex_unlock(&st->mu);
    if (last)
        store_destroy(st);
}

void reg_store_last_error(reg_store *st, char *buf, size_t len)
{
    if (!st || !buf || !len)
        return;
    pthread_mutex_lock(&st->mu);
    snprintf(buf, len, "%s", st->last_err);
    pthread_mutex_unlock(&st->mu);
}

int reg_clear_defaults(reg_store *st)
{
    if (!st)
        return -EINVAL;
    pthread_mutex_lock(&st->mu);
    int rc = st->closed ? -EBADF : 0;
    if (!rc)
        reg_node_clear_layer(st->root, REG_LAYER_DEFAULT);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

/* Writes the persisted layer; caller holds the mutex. A memory store has
 * nothing to write: every change is committed as soon as it is made. */
static int save(reg_store *st, const reg_node *skip, bool *committed)
{
    if (st->memory) {
        *committed = true;
        return 0;
    }
    return reg_disk_save(&st->disk, st->root, skip, committed, st->last_err,
                         sizeof(st->last_err));
}

/* Caller holds the mutex. */
static int key_usable(const reg_key *k)
{
    if (k->st->closed)
        return -EBADF;
    return k->n->detached ? -ENOENT : 0;
}

/*
 * Copies path into a buffer of NUL-separated components, checking each.
 * "" is zero components.
 */
static int path_parse(const char *path, char **buf, size_t *ncomp)
{
    *buf = NULL;
    *ncomp = 0;
    if (!path)
        return -EINVAL;
    size_t len = strlen(path);
    char *b = malloc(len + 1);
    if (!b)
        return -ENOMEM;
    memcpy(b, path, len + 1);
    size_t n = 0;
    if (len) {
        for (char *p = b;;) {
            char *e = strchr(p, '\\');
            if (e)
                *e = 0;
            int rc = reg_name_check(p, strlen(p), true);
            if (rc) {
                free(b);
                return rc;
            }
            n++;
            if (!e)
                break;
            p = e + 1;
        }
    }
    *buf = b;
    *ncomp = n;
    return 0;
}

static int key_open_at(reg_store *st, reg_node *base, const char *path, unsigned flags,
                       reg_key **out)
{
    char *buf;
    size_t ncomp;
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (flags & ~(REG_CREATE | REG_CREATE_DEFAULT) ||
        flags == (REG_CREATE | REG_CREATE_DEFAULT))
        return -EINVAL;
    int rc = path_parse(path, &buf, &ncomp);
    if (rc)
        return rc;
    reg_key *k = malloc(sizeof(*k));
    if (!k) {
        free(buf);
        return -ENOMEM;
    }

    pthread_mutex_lock(&st->mu);
    reg_node *n = base, *first_new = NULL;
    if (st->closed) {
        rc = -EBADF;
        goto unlock;
    }
    if (base->detached) {
        rc = -ENOENT;
        goto unlock;
    }
    const char *comp = buf;
    for (size_t i = 0; i < ncomp; i++, comp += strlen(comp) + 1) {
        size_t pos;
        reg_node *child = reg_node_child(n, comp, &pos);
        if (!child) {
            if (!flags) {
                rc = -ENOENT;
                goto undo;
            }
            child = reg_node_new(comp);
            if (!child || reg_node_insert_child(n, pos, child) < 0) {
                reg_node_free_tree(child);
                rc = -ENOMEM;
                goto undo;
            }
            if (!first_new)
                first_new = child;
        }
        n = child;
    }
    if (flags == REG_CREATE) {
        reg_node *top = reg_node_mark(n, REG_LAYER_PERSIST);
        if (top) {
            bool committed;
            rc = save(st, NULL, &committed);
            if (rc && !committed) {
                reg_node_unmark(n, top, REG_LAYER_PERSIST);
                goto undo;
            }
            if (rc)
                goto unlock; /* the key exists now, but the write was not durable */
        }
    } else if (flags == REG_CREATE_DEFAULT) {
        reg_node_mark(n, REG_LAYER_DEFAULT);
    }
    n->handles++;
    st->refs++;
    k->st = st;
    k->n = n;
    *out = k;
    k = NULL;
    goto unlock;
undo:
    if (first_new)
        reg_node_remove_child(first_new->parent, first_new);
unlock:
    pthread_mutex_unlock(&st->mu);
    free(k);
    free(buf);
    return rc;
}

int reg_key_open(reg_store *st, const char *path, unsigned flags, reg_key **out)
{
    if (!st) {
        if (out)
            *out = NULL;
        return -EINVAL;
    }
    return key_open_at(st, st->root, path, flags, out);
}

int reg_key_open_sub(reg_key *parent, const char *path, unsigned flags, reg_key **out)
{
    if (!parent) {
        if (out)
            *out = NULL;
        return -EINVAL;
    }
    return key_open_at(parent->st, parent->n, path, flags, out);
}

void reg_key_close(reg_key *key)
{
    if (!key)
        return;
    reg_store *st = key->st;
    pthread_mutex_lock(&st->mu);
    reg_node_release(key->n);
    bool last = --st->refs == 0;
    pthread_mutex_unlock(&st->mu);
    free(key);
    if (last)
        store_destroy(st);
}

static int get_value(reg_key *key, const char *name, int layer, reg_value **out)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!key || !name)
        return -EINVAL;
    pthread_mutex_lock(&key->st->mu);
    int rc = key_usable(key);
    if (!rc) {
        reg_entry *e = reg_node_value(key->n, name, NULL);
        const reg_value *v = NULL;
        if (e)
            v = layer < 0 ? (e->v[REG_LAYER_PERSIST] ? e->v[REG_LAYER_PERSIST]
                                                     : e->v[REG_LAYER_DEFAULT])
                          : e->v[layer];
        if (!v)
            rc = -ENOENT;
        else if (!(*out = reg_value_copy(v)))
            rc = -ENOMEM;
    }
    pthread_mutex_unlock(&key->st->mu);
    return rc;
}

int reg_get_value(reg_key *key, const char *name, reg_value **out)
{
    return get_value(key, name, -1, out);
}

int reg_get_layer_value(reg_key *key, const char *name, reg_layer layer, reg_value **out)
{
    if (layer != REG_LAYER_DEFAULT && layer != REG_LAYER_PERSIST) {
        if (out)
            *out = NULL;
        return -EINVAL;
    }
    return get_value(key, name, (int)layer, out);
}

/* Checks name and value and returns a private copy of v in *copy. */
static int prepare(reg_key *key, const char *name, const reg_value *v, reg_value **copy)
{
    if (!key || !name || !v)
        return -EINVAL;
    int rc = reg_name_check(name, strlen(name), false);
    if (!rc)
        rc = reg_value_check(v);
    if (rc)
        return rc;
    *copy = reg_value_copy(v);
    return *copy ? 0 : -ENOMEM;
}

int reg_set_value(reg_key *key, const char *name, const reg_value *v)
{
    reg_value *copy;
    int rc = prepare(key, name, v, &copy);
    if (rc)
        return rc;
    reg_store *st = key->st;
    pthread_mutex_lock(&st->mu);
    rc = key_usable(key);
    if (rc)
        goto out;
    reg_node *n = key->n;
    size_t pos;
    reg_entry *e = reg_node_value(n, name, &pos);
    bool created = false;
    if (e && e->v[REG_LAYER_PERSIST] && reg_value_equal(e->v[REG_LAYER_PERSIST], copy))
        goto out; /* already on disk as asked */
    if (!e) {
        rc = reg_node_insert_value(n, pos, name, &e);
        if (rc)
            goto out;
        created = true;
    }
    reg_value *old = e->v[REG_LAYER_PERSIST];
    e->v[REG_LAYER_PERSIST] = copy;
    reg_node *top = reg_node_mark(n, REG_LAYER_PERSIST);
    bool committed;
    rc = save(st, NULL, &committed);
    if (rc && !committed) {
        reg_node_unmark(n, top, REG_LAYER_PERSIST);
        e->v[REG_LAYER_PERSIST] = old;
        reg_value_free(copy);
        if (created)
            reg_node_remove_value(n, pos);
    } else {
        reg_value_free(old);
    }
    copy = NULL;
out:
    pthread_mutex_unlock(&st->mu);
    reg_value_free(copy);
    return rc;
}

int reg_set_default(reg_key *key, const char *name, const reg_value *v)
{
    reg_value *copy;
    int rc = prepare(key, name, v, &copy);
    if (rc)
        return rc;
    pthread_mutex_lock(&key->st->mu);
    rc = key_usable(key);
    if (!rc) {
        size_t pos;
        reg_entry *e = reg_node_value(key->n, name, &pos);
        if (!e)
            rc = reg_node_insert_value(key->n, pos, name, &e);
        if (!rc) {
            reg_value_free(e->v[REG_LAYER_DEFAULT]);
            e->v[REG_LAYER_DEFAULT] = copy;
            copy = NULL;
            reg_node_mark(key->n, REG_LAYER_DEFAULT);
        }
    }
    pthread_mutex_unlock(&key->st->mu);
    reg_value_free(copy);
    return rc;
}

int reg_delete_value(reg_key *key, const char *name)
{
    if (!key || !name)
        return -EINVAL;
    reg_store *st = key->st;
    pthread_mutex_lock(&st->mu);
    int rc = key_usable(key);
    if (rc)
        goto out;
    size_t pos;
    reg_entry *e = reg_node_value(key->n, name, &pos);
    if (!e || !e->v[REG_LAYER_PERSIST]) {
        rc = -ENOENT;
        goto out;
    }
    reg_value *old = e->v[REG_LAYER_PERSIST];
    e->v[REG_LAYER_PERSIST] = NULL;
    bool committed;
    rc = save(st, NULL, &committed);
    if (rc && !committed) {
        e->v[REG_LAYER_PERSIST] = old;
    } else {
        reg_value_free(old);
        if (!e->v[REG_LAYER_DEFAULT])
            reg_node_remove_value(key->n, pos);
    }
out:
    pthread_mutex_unlock(&st->mu);
    return rc;
}

int reg_delete_default(reg_key *key, const char *name)
{
    if (!key || !name)
        return -EINVAL;
    pthread_mutex_lock(&key->st->mu);
    int rc = key_usable(key);
    if (!rc) {
        size_t pos;
        reg_entry *e = reg_node_value(key->n, name, &pos);
        if (!e || !e->v[REG_LAYER_DEFAULT]) {
            rc = -ENOENT;
        } else {
            reg_value_free(e->v[REG_LAYER_DEFAULT]);
            e->v[REG_LAYER_DEFAULT] = NULL;
            if (!e->v[REG_LAYER_PERSIST])
                reg_node_remove_value(key->n, pos);
        }
    }
    pthread_mutex_unlock(&key->st->mu);
    return rc;
}

int reg_delete_key(reg_key *key, const char *path)
{
    char *buf;
    size_t ncomp;
    if (!key)
        return -EINVAL;
    int rc = path_parse(path, &buf, &ncomp);
    if (rc)
        return rc;
    if (ncomp == 0) {
        free(buf);
        return -EINVAL;
    }
    reg_store *st = key->st;
    pthread_mutex_lock(&st->mu);
    rc = key_usable(key);
    if (rc)
        goto out;
    reg_node *n = key->n;
    const char *comp = buf;
    for (size_t i = 0; n && i < ncomp; i++, comp += strlen(comp) + 1)
        n = reg_node_child(n, comp, NULL);
    if (!n || !n->in[REG_LAYER_PERSIST]) {
        rc = -ENOENT;
        goto out;
    }
    bool committed;
    rc = save(st, n, &committed);
    if (rc && !committed)
        goto out;
    reg_node_clear_layer(n, REG_LAYER_PERSIST);
    n->in[REG_LAYER_PERSIST] = false;
    if (!n->in[REG_LAYER_DEFAULT])
        reg_node_remove_child(n->parent, n);
out:
    pthread_mutex_unlock(&st->mu);
    free(buf);
    return rc;
}

int reg_enum_subkey(reg_key *key, uint32_t index, char *name, size_t len)
{
    if (!key || (!name && len))
        return -EINVAL;
    pthread_mutex_lock(&key->st->mu);
    int rc = key_usable(key);
    if (!rc) {
        if (index >= key->n->nkids) {
            rc = -ENOENT;
        } else {
            const char *s = key->n->kids[index]->name;
            size_t l = strlen(s);
            if (l + 1 > len)
                rc = -ERANGE;
            else
                memcpy(name, s, l + 1);
        }
    }
    pthread_mutex_unlock(&key->st->mu);
    return rc;
}

int reg_enum_value(reg_key *key, uint32_t index, char *name, size_t len, reg_value **val,
                   reg_layer *src)
{
    if (val)
        *val = NULL;
    if (!key || (!name && len))
        return -EINVAL;
    pthread_mutex_lock(&key->st->mu);
    int rc = key_usable(key);
    if (!rc && index >= key->n->nvals)
        rc = -ENOENT;
    if (!rc) {
        const reg_entry *e = &key->n->vals[index];
        size_t l = strlen(e->name);
        reg_layer layer = e->v[REG_LAYER_PERSIST] ? REG_LAYER_PERSIST : REG_LAYER_DEFAULT;
        if (l + 1 > len) {
            rc = -ERANGE;
        } else {
            memcpy(name, e->name, l + 1);
            if (src)
                *src = layer;
            if (val && !(*val = reg_value_copy(e->v[layer])))
                rc = -ENOMEM;
        }
    }
    pthread_mutex_unlock(&key->st->mu);
    return rc;
}

int reg_key_info(reg_key *key, uint32_t *nsubkeys, uint32_t *nvalues)
{
    if (!key)
        return -EINVAL;
    pthread_mutex_lock(&key->st->mu);
    int rc = key_usable(key);
    if (!rc) {
        if (nsubkeys)
            *nsubkeys = (uint32_t)key->n->nkids;
        if (nvalues)
            *nvalues = (uint32_t)key->n->nvals;
    }
    pthread_mutex_unlock(&key->st->mu);
    return rc;
}
