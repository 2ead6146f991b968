/*
 * registry.h - libndis configuration store (the Windows registry's role).
 *
 * Internal to libndis; plain C and POSIX, no NDIS types. See docs/registry.md.
 *
 * A store is a tree of keys. Key names are case-insensitive (compared after
 * simple upper-case folding, like the Windows registry) and case-preserving;
 * paths use '\' as the separator ("Adapters\virt0\Params"). Each key holds
 * named values of the types in reg_type. All names and strings are UTF-8;
 * the reg_utf16_* helpers convert to and from UTF-16LE code units for the
 * DDIs, which speak UNICODE_STRING.
 *
 * Two layers, lowest precedence first:
 *   REG_LAYER_DEFAULT  values set with reg_set_default(): INF defaults, never
 *                      written to disk, rebuilt by the INF loader at each start;
 *   REG_LAYER_PERSIST  values set with reg_set_value(): by drivers
 *                      (NdisWriteConfiguration) or by the operator; written to
 *                      the store's directory atomically before the call returns.
 * A read sees the highest layer that has the value. reg_delete_value() removes
 * the persisted value only, so the key falls back to its default.
 *
 * Every function returns 0 or a negative errno value. All functions are
 * thread-safe (one mutex per store). Only one process may open a directory at
 * a time (flock); a second reg_store_open() fails with -EBUSY.
 */
#ifndef NDIS_REGISTRY_H
#define NDIS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- values ------------------------------------------------------------ */

typedef enum reg_type {
    REG_T_DWORD = 1,     /* u.dword */
    REG_T_QWORD = 2,     /* u.qword */
    REG_T_SZ = 3,        /* u.sz: NUL-terminated UTF-8 */
    REG_T_EXPAND_SZ = 4, /* u.sz, treated like REG_T_SZ (nothing is expanded) */
    REG_T_MULTI_SZ = 5,  /* u.multi: count non-empty UTF-8 strings */
    REG_T_BINARY = 6,    /* u.bin: len arbitrary bytes */
} reg_type;

/*
 * A value owns all of its memory. Make one with a reg_value_* constructor (or
 * get one from reg_get_value) and release it with reg_value_free(). Fields are
 * for reading; do not modify a value in place.
 */
typedef struct reg_value {
    reg_type type;
    union {
        uint32_t dword;
        uint64_t qword;
        char *sz;
        struct {
            char **items;
            size_t count;
        } multi;
        struct {
            uint8_t *data;
            size_t len;
        } bin;
    } u;
} reg_value;

/* Constructors copy their input. They return NULL with errno set to ENOMEM,
 * EILSEQ (string not valid UTF-8) or EINVAL (empty string in a MULTI_SZ). */
reg_value *reg_value_dword(uint32_t v);
reg_value *reg_value_qword(uint64_t v);
reg_value *reg_value_sz(const char *utf8);
reg_value *reg_value_expand_sz(const char *utf8);
reg_value *reg_value_multi_sz(const char *const *items, size_t count);
reg_value *reg_value_binary(const void *data, size_t len);
reg_value *reg_value_copy(const reg_value *v);
void reg_value_free(reg_value *v); /* NULL is fine */
bool reg_value_equal(const reg_value *a, const reg_value *b);
const char *reg_type_name(reg_type t); /* "dword", "sz", ...; NULL if invalid */

/*
 * UTF-16 views for the DDIs.
 *
 * reg_value_from_utf16: type is REG_T_SZ, REG_T_EXPAND_SZ or REG_T_MULTI_SZ;
 * units/nunits is the UNICODE_STRING buffer (Length / 2 units). For SZ the
 * string ends at nunits or at the first NUL. For MULTI_SZ the buffer holds
 * NUL-separated strings; it ends at nunits or at an empty string (double NUL).
 * On failure returns NULL with errno EILSEQ (unpaired surrogate), EINVAL or
 * ENOMEM.
 *
 * reg_value_to_utf16: for SZ/EXPAND_SZ, *out gets the string plus a NUL and
 * *nunits the count without the NUL (UNICODE_STRING Length = 2 * *nunits).
 * For MULTI_SZ, every item is followed by a NUL and the list by one more;
 * *nunits counts all of them. Free *out with free(). -EINVAL for other types.
 */
reg_value *reg_value_from_utf16(reg_type type, const uint16_t *units, size_t nunits);
int reg_value_to_utf16(const reg_value *v, uint16_t **out, size_t *nunits);

/*
 * Integer view, as NdisReadConfiguration gives NdisParameterInteger (base 10)
 * and NdisParameterHexInteger (base 16): a DWORD as is, a QWORD if it fits in
 * 32 bits (-ERANGE otherwise), a SZ/EXPAND_SZ parsed in `base`. Base 10
 * accepts an optional '-' down to -2^31 (two's complement, as a LONG stored
 * in a ULONG); base 16
 * accepts an optional "0x". Surrounding spaces are skipped. -EINVAL if the
 * string is not a number, -ERANGE if it overflows 32 bits, -EINVAL for
 * MULTI_SZ and BINARY.
 */
int reg_value_to_u32(const reg_value *v, unsigned base, uint32_t *out);

/*
 * Network address view, as NdisReadNetworkAddress: a SZ/EXPAND_SZ of hex
 * digit pairs, hyphens ignored ("02-00-4C-4F-4F-50" or "02004C4F4F50").
 * Writes the bytes to out (capacity cap) and their count to *len.
 * -EINVAL if not a string, if a character is not a hex digit or hyphen, if
 * the digit count is odd or zero; -ENOSPC if more than cap bytes.
 */
int reg_value_to_netaddr(const reg_value *v, uint8_t *out, size_t cap, size_t *len);

/* ---- UTF-8 / UTF-16 ---------------------------------------------------- */

/* True if s[0..len) is well-formed UTF-8 (shortest forms, no surrogates,
 * at most U+10FFFF) without NUL bytes. */
bool reg_utf8_valid(const char *s, size_t len);

/* UTF-8 (s[0..len), must be valid) to a malloc'ed, NUL-terminated UTF-16
 * buffer; *nunits excludes the NUL. -EILSEQ, -ENOMEM. */
int reg_utf8_to_utf16(const char *s, size_t len, uint16_t **out, size_t *nunits);

/* UTF-16 (units[0..nunits)) to a malloc'ed NUL-terminated UTF-8 string.
 * -EILSEQ on an unpaired surrogate, -EINVAL on an embedded NUL, -ENOMEM. */
int reg_utf16_to_utf8(const uint16_t *units, size_t nunits, char **out);

/* Number of UTF-16 units that valid UTF-8 s[0..len) needs. */
size_t reg_utf16_length(const char *s, size_t len);

/* Case-insensitive comparison of UTF-8 names, as the store compares key and
 * value names: code points are folded to upper case (ASCII, Latin-1,
 * Latin Extended-A, Greek and Cyrillic; others compare as they are) and then
 * compared by value. Returns <0, 0, >0. Names must be valid UTF-8. */
int reg_name_cmp(const char *a, const char *b);

/* ---- the store ----------------------------------------------------------- */

typedef struct reg_store reg_store;
typedef struct reg_key reg_key;

typedef enum reg_layer {
    REG_LAYER_DEFAULT = 0,
    REG_LAYER_PERSIST = 1,
} reg_layer;

/* Name limits, in UTF-16 units as on Windows. */
#define REG_MAX_KEY_NAME 255
#define REG_MAX_VALUE_NAME 16383

/* File names inside the store directory. */
#define REG_FILE_NAME "registry.txt"
#define REG_TMP_NAME "registry.txt.tmp"
#define REG_LOCK_NAME "lock"

/*
 * Opens (creating it and its parents if missing) the store directory `dir`,
 * takes its lock and loads REG_FILE_NAME into the persisted layer. The
 * defaults layer starts empty. On failure returns a negative errno and, if
 * err is not NULL, a message naming the cause:
 *   -EBUSY    another process (or another open in this one) holds the lock;
 *   -EBADMSG  the file is corrupt or truncated ("<path>:<line>: <what>"): the
 *             store refuses to start; the file is left untouched;
 *   others    from mkdir/open/read.
 * A leftover REG_TMP_NAME from an interrupted write is removed.
 */
int reg_store_open(const char *dir, reg_store **out, char *err, size_t errlen);

/*
 * Opens a store that lives in memory only (no directory, no lock): both
 * layers behave as in a directory store, but "persisted" values last only
 * until reg_store_close, and writes cannot fail for I/O reasons. For NDIS
 * instances created without a registry directory. -EINVAL, -ENOMEM.
 */
int reg_store_open_memory(reg_store **out);

/*
 * Releases the lock and the store. Keys still open stay valid to close, but
 * every other operation on them fails with -EBADF. NULL is fine.
 */
void reg_store_close(reg_store *st);

/* The message of the last failed write of st (empty if none): the step and
 * file that failed. Copies at most len bytes including the NUL. */
void reg_store_last_error(reg_store *st, char *buf, size_t len);

/* Removes every value and key of the defaults layer (for rebuilding it from
 * INF files); keys that then exist in no layer disappear. */
int reg_clear_defaults(reg_store *st);

/* reg_key_open flags. Without a create flag a missing key is -ENOENT. */
#define REG_OPEN_EXISTING 0u
#define REG_CREATE 1u         /* create missing keys; they persist (written at once) */
#define REG_CREATE_DEFAULT 2u /* create missing keys in the defaults layer only */

/*
 * Opens the key at `path` below the root ("" is the root itself). Each
 * component is 1..REG_MAX_KEY_NAME units, valid UTF-8 without '\'.
 * -EINVAL for a bad path or flags, -ENOENT, -EBADF after reg_store_close,
 * -ENOMEM, or a write error (REG_CREATE of a key not yet persisted writes the
 * store file; on failure nothing changes).
 */
int reg_key_open(reg_store *st, const char *path, unsigned flags, reg_key **out);

/* Same, relative to an open key (NdisOpenConfigurationKeyByName). */
int reg_key_open_sub(reg_key *parent, const char *path, unsigned flags, reg_key **out);

/* Releases a key handle. NULL is fine. */
void reg_key_close(reg_key *key);

/*
 * Reads the value `name` ("" is the key's unnamed value) as a new reg_value
 * the caller frees. reg_get_value reads the highest layer that has it;
 * reg_get_layer_value reads one layer. -ENOENT if absent; -ENOENT too if the
 * key was deleted since it was opened.
 */
int reg_get_value(reg_key *key, const char *name, reg_value **out);
int reg_get_layer_value(reg_key *key, const char *name, reg_layer layer, reg_value **out);

/*
 * Sets `name` in the persisted layer: the store file is rewritten atomically
 * and durably before this returns 0. The key (and its parents) become
 * persisted keys. On failure the store is unchanged (in memory and on disk)
 * and reg_store_last_error() says what failed. One exception: if only the
 * final fsync of the directory fails, the new file is already in place, so
 * the change is kept in memory to match it and the call still fails, as its
 * durability is not known (the message says "may not be durable").
 */
int reg_set_value(reg_key *key, const char *name, const reg_value *v);

/* Sets `name` in the defaults layer (memory only); the key becomes part of
 * the defaults layer too. */
int reg_set_default(reg_key *key, const char *name, const reg_value *v);

/* Removes the persisted value `name` (atomically, like reg_set_value); a
 * default for it shows through again. -ENOENT if there is no persisted value. */
int reg_delete_value(reg_key *key, const char *name);

/* Removes the default (defaults layer) of `name`; a persisted value stays.
 * -ENOENT if there is no default. Nothing is written. */
int reg_delete_default(reg_key *key, const char *name);

/*
 * Removes the persisted layer of the subkey at `path` below key and of all
 * its subkeys (atomically, like reg_set_value). Defaults stay: a key that
 * still has defaults stays visible with them. Open handles to keys that
 * disappear see -ENOENT. -ENOENT if no key at path is persisted.
 */
int reg_delete_key(reg_key *key, const char *path);

/*
 * Enumeration, in a stable order: names sorted with reg_name_cmp.
 * reg_enum_subkey copies the index-th subkey name to name (len bytes);
 * reg_enum_value also returns, if val/src are not NULL, a copy of the
 * effective value and the layer it comes from. -ENOENT past the end,
 * -ERANGE if len is too small (the name is not copied then).
 */
int reg_enum_subkey(reg_key *key, uint32_t index, char *name, size_t len);
int reg_enum_value(reg_key *key, uint32_t index, char *name, size_t len,
                   reg_value **val, reg_layer *src);

/* Number of subkeys and values (effective) of key. */
int reg_key_info(reg_key *key, uint32_t *nsubkeys, uint32_t *nvalues);

/*
 * Test hook (crash and failure injection). When set, the store calls it at
 * each step of a persisted write, with the step's name:
 *   "tmp-open"     before creating REG_TMP_NAME
 *   "tmp-partial"  after writing the first half of the new file
 *   "tmp-written"  after writing all of it, before fsync
 *   "tmp-synced"   after fsync of the file, before rename
 *   "renamed"      after rename, before fsync of the directory
 *   "done"         after fsync of the directory
 * A non-zero return (a negative errno) makes the write fail there, as an I/O
 * error would. The hook may also kill the process to simulate a crash. It
 * runs with the store's mutex held and must not call into the store.
 * Independently, the environment variable NDIS_REG_CRASH_AT=<step>, read at
 * reg_store_open, makes the process SIGKILL itself at that step.
 */
extern int (*reg_test_hook)(const char *step);

#ifdef __cplusplus
}
#endif

#endif /* NDIS_REGISTRY_H */
