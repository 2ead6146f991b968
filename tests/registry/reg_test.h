/* reg_test.h - helpers shared by the registry tests. */
#ifndef NDIS_REG_TEST_H
#define NDIS_REG_TEST_H

#include "test.h"
#include "registry/registry.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens the store in dir; fails the case with the store's message. */
static inline reg_store *rt_open(const char *dir)
{
    char err[512];
    reg_store *st = NULL;
    int rc = reg_store_open(dir, &st, err, sizeof(err));
    T_ASSERT_MSG(rc == 0, "reg_store_open(%s) = %d: %s", dir, rc, err);
    return st;
}

static inline reg_key *rt_key(reg_store *st, const char *path, unsigned flags)
{
    reg_key *k = NULL;
    int rc = reg_key_open(st, path, flags, &k);
    T_ASSERT_MSG(rc == 0, "reg_key_open(%s) = %d", path, rc);
    return k;
}

/* Sets a value (persisted, or default) and frees the value. */
static inline void rt_set(reg_key *k, const char *name, reg_value *v, bool deflt)
{
    T_ASSERT(v != NULL);
    int rc = deflt ? reg_set_default(k, name, v) : reg_set_value(k, name, v);
    T_ASSERT_MSG(rc == 0, "set %s = %d", name, rc);
    reg_value_free(v);
}

/* The DWORD `name` of k, failing the case if it is missing or not a DWORD. */
static inline uint32_t rt_dword(reg_key *k, const char *name)
{
    reg_value *v;
    int rc = reg_get_value(k, name, &v);
    T_ASSERT_MSG(rc == 0, "get %s = %d", name, rc);
    T_EQ(v->type, REG_T_DWORD);
    uint32_t x = v->u.dword;
    reg_value_free(v);
    return x;
}

/* The string `name` of k into buf; fails if missing or not SZ. */
static inline const char *rt_sz(reg_key *k, const char *name, char *buf, size_t len)
{
    reg_value *v;
    int rc = reg_get_value(k, name, &v);
    T_ASSERT_MSG(rc == 0, "get %s = %d", name, rc);
    T_EQ(v->type, REG_T_SZ);
    snprintf(buf, len, "%s", v->u.sz);
    reg_value_free(v);
    return buf;
}

/* dir/name as a path in a static buffer (one at a time). */
static inline const char *rt_path(const char *dir, const char *name)
{
    static char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return p;
}

/* Reads a whole file into a malloc'ed NUL-terminated buffer. */
static inline char *rt_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    T_ASSERT_MSG(fd >= 0, "open %s: errno %d", path, errno);
    struct stat sb;
    T_ASSERT(fstat(fd, &sb) == 0);
    char *p = malloc((size_t)sb.st_size + 1);
    T_ASSERT(p != NULL);
    size_t got = 0;
    while (got < (size_t)sb.st_size) {
        ssize_t n = read(fd, p + got, (size_t)sb.st_size - got);
        T_ASSERT(n > 0);
        got += (size_t)n;
    }
    p[got] = 0;
    close(fd);
    if (len)
        *len = got;
    return p;
}

static inline void rt_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    T_ASSERT_MSG(fd >= 0, "open %s: errno %d", path, errno);
    T_ASSERT(write(fd, data, len) == (ssize_t)len);
    close(fd);
}

static inline bool rt_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

#endif /* NDIS_REG_TEST_H */
