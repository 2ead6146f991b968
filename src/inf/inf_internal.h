/*
 * inf_internal.h - pieces shared by the files of src/inf/ only: the arena,
 * the case-insensitive hash map, error reporting, input decoding and the
 * Ndi registry interpreter used by the component extractor.
 */
#ifndef NDIS_INF_INTERNAL_H
#define NDIS_INF_INTERNAL_H

#include "inf/inf.h"

#include <stdarg.h>

/* ---- arena: many small allocations freed together (inf_util.c) ---------- */

struct inf_arena_block;
struct inf_arena {
    struct inf_arena_block *head;
};

/* Zeroed, aligned for any type; NULL on overflow or out of memory. */
void *inf_arena_alloc(struct inf_arena *a, size_t n);
char *inf_arena_strndup(struct inf_arena *a, const char *s, size_t n);
char *inf_arena_strdup(struct inf_arena *a, const char *s);
void inf_arena_free(struct inf_arena *a);

/* ---- case-insensitive string -> index map (inf_util.c) -------------------- */

struct inf_map_ent;
struct inf_map {
    size_t cap, count;
    struct inf_map_ent *ents;
};

/* Keys are borrowed and must outlive the map. Returns 1 when added, 0 when
 * the key was already there (the stored value is kept), -ENOMEM. */
int inf_map_put(struct inf_map *m, const char *key, size_t val);
bool inf_map_get(const struct inf_map *m, const char *key, size_t *val);
bool inf_map_getn(const struct inf_map *m, const char *key, size_t len, size_t *val);
void inf_map_free(struct inf_map *m);

bool inf_strneq(const char *a, const char *b, size_t n); /* ASCII, n bytes */
char inf_lower(char c);

/* ---- errors ------------------------------------------------------------------ */

int inf_fail(struct inf_error *err, const char *file, unsigned line, int rc, const char *fmt,
             ...) __attribute__((format(printf, 5, 6)));
int inf_vfail(struct inf_error *err, const char *file, unsigned line, int rc, const char *fmt,
              va_list ap) __attribute__((format(printf, 5, 0)));

/* ---- input decoding (inf_text.c) ---------------------------------------------- */

/* Turns raw file bytes into NUL-terminated UTF-8 with '\n' line ends only:
 * strips a UTF-8 BOM, converts UTF-16LE (BOM FF FE), validates UTF-8,
 * refuses NUL characters and input over INF_MAX_FILE_SIZE. *out is malloc'ed. */
int inf_text_decode(const char *name, const unsigned char *data, size_t len, char **out,
                    size_t *outlen, struct inf_error *err);

/* ---- Ndi registry interpreter (inf_ndi.c) -------------------------------------- */

struct inf_ndi; /* accumulates the HKR values of one DDInstall section */

struct inf_ndi *inf_ndi_new(void);
void inf_ndi_free(struct inf_ndi *n);
/* Applies one decoded AddReg line (registry semantics: later lines overwrite
 * earlier ones unless FLG_ADDREG_NOCLOBBER; FLG_ADDREG_APPEND appends). */
int inf_ndi_apply(struct inf_ndi *n, const struct inf_addreg *r, const char *file,
                  struct inf_error *err);
/* Checks the values and fills the Ndi-derived fields of c (service, ranges,
 * filter settings, params, static values), copying strings into arena. */
int inf_ndi_finish(struct inf_ndi *n, struct inf_arena *arena, struct inf_netcomp *c,
                   const char *file, struct inf_error *err);

#endif /* NDIS_INF_INTERNAL_H */
