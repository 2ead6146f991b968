/*
 * reg_internal.h - shared internals of the registry module (src/registry).
 * Nothing outside src/registry includes this; the API is registry.h.
 */
#ifndef NDIS_REG_INTERNAL_H
#define NDIS_REG_INTERNAL_H

#include "registry/registry.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- reg_utf16.c ---------------------------------------------------------- */

/* One code point of s[*i..len), advancing *i; -1 if ill-formed. */
int32_t reg_utf8_decode(const char *s, size_t len, size_t *i);
/* Writes cp as UTF-8 (at most 4 bytes) to out; returns the byte count. */
size_t reg_utf8_encode(uint32_t cp, char *out);
uint32_t reg_fold_upper(uint32_t cp);

/* ---- reg_value.c ---------------------------------------------------------- */

/* 0 if v is a well-formed value (known type, valid UTF-8 strings, no empty
 * MULTI_SZ item, non-NULL buffers where lengths are non-zero), else -EINVAL
 * or -EILSEQ. */
int reg_value_check(const reg_value *v);

/* 0 if name is a valid name: UTF-8 without NUL (and without '\' for keys),
 * within the unit limit, and non-empty for keys. */
int reg_name_check(const char *name, size_t len, bool is_key);

/* ---- reg_tree.c: the in-memory tree --------------------------------------- */

typedef struct reg_entry {
    char *name;
    reg_value *v[2]; /* indexed by reg_layer; at least one is set */
} reg_entry;

typedef struct reg_node {
    char *name; /* "" for the root; case as first created */
    struct reg_node *parent;
    struct reg_node **kids; /* sorted by reg_name_cmp */
    size_t nkids, capkids;
    reg_entry *vals; /* sorted by reg_name_cmp */
    size_t nvals, capvals;
    bool in[2];        /* the key exists in this layer (implies its parents do) */
    bool detached;     /* removed from the tree; kept alive by open handles */
    bool seen;         /* loader: an explicit "key" line named this node */
    unsigned handles;  /* open reg_key handles on this node */
} reg_node;

reg_node *reg_node_new(const char *name);
/* Frees n and its whole subtree, ignoring handles (store teardown). */
void reg_node_free_tree(reg_node *n);
/* Binary search; returns the match or NULL, with *pos the insertion point. */
reg_node *reg_node_child(const reg_node *n, const char *name, size_t *pos);
int reg_node_insert_child(reg_node *n, size_t pos, reg_node *child);
/* Unlinks child from its parent and detaches its subtree: values freed,
 * nodes without handles freed, the rest marked detached. */
void reg_node_remove_child(reg_node *n, reg_node *child);
reg_entry *reg_node_value(const reg_node *n, const char *name, size_t *pos);
/* Inserts an entry with a copy of name and no values at pos. */
int reg_node_insert_value(reg_node *n, size_t pos, const char *name, reg_entry **out);
/* Removes vals[pos] and frees it (and any values it still holds). */
void reg_node_remove_value(reg_node *n, size_t pos);
/* Sets in[layer] on n and its ancestors. Returns the topmost node whose flag
 * changed (NULL if none did), for reg_node_unmark. */
reg_node *reg_node_mark(reg_node *n, reg_layer layer);
/* Clears in[layer] on n and its ancestors up to and including top. */
void reg_node_unmark(reg_node *n, reg_node *top, reg_layer layer);
/* Removes layer from n's subtree (flags and values), then removes the
 * nodes of the subtree that no longer exist in any layer. n itself is not
 * removed (the caller decides, as it may be the root). */
void reg_node_clear_layer(reg_node *n, reg_layer layer);
/* Drops one handle; frees n if it was detached and that was the last. */
void reg_node_release(reg_node *n);

/* ---- reg_format.c: the file format ---------------------------------------- */

typedef struct reg_buf {
    char *p;
    size_t len, cap;
} reg_buf;

uint32_t reg_crc32(const void *data, size_t len);
/* Serializes the persisted layer of the tree at root, leaving out the
 * subtree at skip (may be NULL). -ENOMEM. */
int reg_format_write(const reg_node *root, const reg_node *skip, reg_buf *out);
/* Parses a whole file into the persisted layer of an empty tree. On error
 * returns -EBADMSG with "<path>:<line>: <what>" in err. */
int reg_format_parse(const char *data, size_t len, reg_node *root, const char *path,
                     char *err, size_t errlen);

/* ---- reg_persist.c: directory, lock and atomic replace -------------------- */

typedef struct reg_disk {
    char *dir;
    int dirfd;
    int lockfd;
    char *crash_step; /* NDIS_REG_CRASH_AT at open time, or NULL */
} reg_disk;

/* Creates dir if needed, opens it and takes the lock. */
int reg_disk_open(reg_disk *d, const char *dir, char *err, size_t errlen);
void reg_disk_close(reg_disk *d);
/* Removes a leftover temporary file and loads REG_FILE_NAME (if present). */
int reg_disk_load(reg_disk *d, reg_node *root, char *err, size_t errlen);
/* Writes the persisted layer (minus skip) with write-temp, fsync, rename,
 * fsync-dir. *committed tells whether the rename happened, i.e. whether the
 * new content is the file now, even when the call then fails. */
int reg_disk_save(reg_disk *d, const reg_node *root, const reg_node *skip, bool *committed,
                  char *err, size_t errlen);

#endif /* NDIS_REG_INTERNAL_H */
