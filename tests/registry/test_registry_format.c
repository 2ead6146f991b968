/* test_registry_format.c - strict loading: corrupt files are refused with file:line. */
#include "reg_test.h"
#include "registry/reg_internal.h"

/* A store with a bit of everything; returns the file's bytes. */
static char *make_store(const char *dir, size_t *len)
{
    reg_store *st = rt_open(dir);
    reg_key *k = rt_key(st, "Adapters\\virt0", REG_CREATE);
    rt_set(k, "*JumboPacket", reg_value_dword(9014), false);
    rt_set(k, "NetworkAddress", reg_value_sz("02-00-4C-4F-4F-50"), false);
    static const char *items[] = {"x", "y"};
    rt_set(k, "List", reg_value_multi_sz(items, 2), false);
    rt_set(k, "Blob", reg_value_binary("\x01\x02", 2), false);
    reg_key_close(k);
    reg_store_close(st);
    return rt_read_file(rt_path(dir, REG_FILE_NAME), len);
}

/* Opening must fail with -EBADMSG and a message starting "<file>:<line>: ". */
static void expect_refused(const char *dir, unsigned line, const char *what)
{
    char err[512], want[600];
    reg_store *st = (reg_store *)1;
    int rc = reg_store_open(dir, &st, err, sizeof(err));
    T_ASSERT_MSG(rc == -EBADMSG, "open gave %d (%s), wanted -EBADMSG for %s", rc, err, what);
    T_ASSERT(st == NULL);
    snprintf(want, sizeof(want), "%s/%s:%u: ", dir, REG_FILE_NAME, line);
    T_ASSERT_MSG(strncmp(err, want, strlen(want)) == 0, "message \"%s\" does not start with \"%s\"",
                 err, want);
    if (what)
        T_CONTAINS(err, what);
}

static unsigned count_lines(const char *p, size_t len)
{
    unsigned n = 0;
    for (size_t i = 0; i < len; i++)
        n += p[i] == '\n';
    return n;
}

TEST(every_truncation_is_detected)
{
    const char *dir = t_tmpdir();
    size_t len;
    char *good = make_store(dir, &len);
    const char *file = rt_path(dir, REG_FILE_NAME);
    char path[512];
    snprintf(path, sizeof(path), "%s", file);
    for (size_t cut = 0; cut < len; cut++) {
        rt_write_file(path, good, cut);
        char err[512];
        reg_store *st;
        int rc = reg_store_open(dir, &st, err, sizeof(err));
        T_ASSERT_MSG(rc == -EBADMSG, "cut at %zu of %zu: open gave %d", cut, len, rc);
        T_CONTAINS(err, path);
        /* A cut right after a newline misses the end line; elsewhere the
         * last line lacks its newline. Both name the line. */
        unsigned line = count_lines(good, cut) + 1;
        char at[32];
        snprintf(at, sizeof(at), ":%u: ", line);
        T_ASSERT_MSG(strstr(err, at), "cut at %zu: \"%s\" lacks line %u", cut, err, line);
        if (cut == 0)
            T_CONTAINS(err, "empty file");
        else if (good[cut - 1] == '\n')
            T_CONTAINS(err, "missing \"end\" line: file truncated");
        else
            T_CONTAINS(err, "no newline: file truncated");
    }
    /* The file was refused, not rewritten or removed. */
    size_t l2;
    char *now = rt_read_file(path, &l2);
    T_EQ(l2, len - 1);
    T_EQ(memcmp(now, good, l2), 0);
    free(now);
    rt_write_file(path, good, len);
    reg_store *st = rt_open(dir);
    reg_store_close(st);
    free(good);
}

TEST(every_single_bit_flip_is_detected)
{
    const char *dir = t_tmpdir();
    size_t len;
    char *good = make_store(dir, &len);
    char path[512];
    snprintf(path, sizeof(path), "%s", rt_path(dir, REG_FILE_NAME));
    char *bad = malloc(len);
    T_ASSERT(bad != NULL);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, good, len);
            bad[i] ^= (char)(1 << bit);
            rt_write_file(path, bad, len);
            char err[512];
            reg_store *st;
            int rc = reg_store_open(dir, &st, err, sizeof(err));
            T_ASSERT_MSG(rc == -EBADMSG, "flip of bit %d at byte %zu ('%c') loaded (%d)", bit, i,
                         good[i], rc);
            T_CONTAINS(err, path);
        }
    }
    free(bad);
    free(good);
}

TEST(hand_edit_is_a_checksum_mismatch_on_the_end_line)
{
    const char *dir = t_tmpdir();
    size_t len;
    char *text = make_store(dir, &len);
    char *num = strstr(text, "9014");
    T_ASSERT(num != NULL);
    num[3] = '5'; /* 9015: still well-formed */
    rt_write_file(rt_path(dir, REG_FILE_NAME), text, len);
    expect_refused(dir, count_lines(text, len), "checksum mismatch");
    free(text);
}

/* Writes body plus a correct end line, so that only the parser can object. */
static void write_with_crc(const char *dir, const char *body)
{
    size_t n = strlen(body);
    char *f = malloc(n + 32);
    T_ASSERT(f != NULL);
    memcpy(f, body, n);
    n += (size_t)sprintf(f + n, "end crc32 %08x\n", reg_crc32(body, strlen(body)));
    rt_write_file(rt_path(dir, REG_FILE_NAME), f, n);
    free(f);
}

TEST(parser_errors_name_the_line)
{
    static const struct {
        const char *body;
        unsigned line;
        const char *what;
    } cases[] = {
        {"ndis-registry 2\n", 1, "unsupported format version \"2\""},
        {"[registry]\n", 1, "not a libndis registry file"},
        {"ndis-registry 1\n  dword \"x\" 1\n", 2, "value before the first \"key\" line"},
        {"ndis-registry 1\nkey \"a\"\n  word \"x\" 1\n", 3, "unknown value type \"word\""},
        {"ndis-registry 1\nkey \"a\"\n  dword \"x\" 1\n  dword \"X\" 2\n", 4, "duplicate value"},
        {"ndis-registry 1\nkey \"a\"\n\nkey \"A\"\n", 4, "duplicate key"},
        {"ndis-registry 1\nkey \"a\"\n  dword \"x\" 4294967296\n", 3, "out of range"},
        {"ndis-registry 1\nkey \"a\"\n  dword \"x\" 012\n", 3, "bad number"},
        {"ndis-registry 1\nkey \"a\"\n  dword \"x\"  1\n", 3, "expected one space"},
        {"ndis-registry 1\nkey \"a\"\n  dword \"x\" 1 \n", 3, "unexpected text"},
        {"ndis-registry 1\nkey \"a\"\n   dword \"x\" 1\n", 3, "exactly two spaces"},
        {"ndis-registry 1\nkey \"a\"\n  sz \"x\" \"abc\n", 3, "not closed"},
        {"ndis-registry 1\nkey \"a\"\n  sz \"x\" \"a\\qb\"\n", 3, "unknown escape"},
        {"ndis-registry 1\nkey \"a\"\n  sz \"x\" \"a\\x00b\"\n", 3, "bad \\x escape"},
        {"ndis-registry 1\nkey \"a\"\n  sz \"x\" \"a\tb\"\n", 3, "raw control byte 0x09"},
        {"ndis-registry 1\nkey \"a\"\n  sz \"x\" \"\xC3\x28\"\n", 3, "not valid UTF-8"},
        {"ndis-registry 1\nkey \"a\"\n  binary \"x\" 3 00ff\n", 3, "4 hex digits"},
        {"ndis-registry 1\nkey \"a\"\n  binary \"x\" 2 00FF\n", 3, "bad hex digit"},
        {"ndis-registry 1\nkey \"a\"\n  multi_sz \"x\" 3 \"a\" \"b\"\n", 3, "line ends early"},
        {"ndis-registry 1\nkey \"a\"\n  multi_sz \"x\" 1 \"\"\n", 3, "empty string in multi_sz"},
        {"ndis-registry 1\nkey \"a\\\\b\"\n", 2, "invalid key name"},
        {"ndis-registry 1\nkey \"\"\n", 2, "invalid key name"},
        {"ndis-registry 1\nkeys \"a\"\n", 2, "unrecognized line"},
        {"ndis-registry 1\nkey \"a\" b\n", 2, "expected '\"'"},
        {"ndis-registry 1\n# fine\nkey \"a\"\nend crc32 zzzzzzzz\n", 4, "bad \"end\" line"},
    };
    const char *dir = t_tmpdir();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_with_crc(dir, cases[i].body);
        expect_refused(dir, cases[i].line, cases[i].what);
    }

    /* Something after the end line. */
    write_with_crc(dir, "ndis-registry 1\nkey \"a\"\n");
    int fd = open(rt_path(dir, REG_FILE_NAME), O_WRONLY | O_APPEND);
    T_ASSERT(write(fd, "\n", 1) == 1);
    close(fd);
    expect_refused(dir, 4, "data after the \"end\" line");

    /* A NUL byte inside a line. */
    static const char nul[] = "ndis-registry 1\nkey \"a\"\0\n";
    rt_write_file(rt_path(dir, REG_FILE_NAME), nul, sizeof(nul) - 1);
    expect_refused(dir, 2, "NUL byte");

    /* The smallest valid file, comments and blank lines included, loads. */
    write_with_crc(dir, "ndis-registry 1\n# comment\n\nkey\n  dword \"\" 0\n");
    reg_store *st = rt_open(dir);
    reg_key *root = rt_key(st, "", 0);
    T_EQ(rt_dword(root, ""), 0);
    reg_key_close(root);
    reg_store_close(st);
}

TEST(crc32_is_the_standard_one)
{
    T_EQ(reg_crc32("123456789", 9), 0xCBF43926u);
    T_EQ(reg_crc32("", 0), 0);
}

TEST(not_a_regular_file_is_refused)
{
    const char *dir = t_tmpdir();
    char path[512];
    snprintf(path, sizeof(path), "%s", rt_path(dir, REG_FILE_NAME));
    T_EQ(mkdir(path, 0755), 0);
    char err[512];
    reg_store *st;
    T_EQ(reg_store_open(dir, &st, err, sizeof(err)), -EBADMSG);
    T_CONTAINS(err, "not a regular file");
}

TEST(stale_temp_file_is_removed_at_open)
{
    const char *dir = t_tmpdir();
    size_t len;
    char *good = make_store(dir, &len);
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s", rt_path(dir, REG_TMP_NAME));
    rt_write_file(tmp, "ndis-registry 1\nkey \"half", 25);
    reg_store *st = rt_open(dir);
    T_ASSERT(!rt_exists(tmp));
    reg_key *k = rt_key(st, "Adapters\\virt0", 0);
    T_EQ(rt_dword(k, "*JumboPacket"), 9014);
    reg_key_close(k);
    reg_store_close(st);
    free(good);
}

TEST(every_byte_survives_escaping)
{
    const char *dir = t_tmpdir();
    char all[128 + 8];
    size_t n = 0;
    for (int c = 1; c < 128; c++)
        all[n++] = (char)c;
    memcpy(all + n, "\xC3\xA9\xF0\x9F\x98\x80", 6); /* é and U+1F600 */
    n += 6;
    all[n] = 0;
    uint8_t bytes[256];
    for (int i = 0; i < 256; i++)
        bytes[i] = (uint8_t)i;

    reg_store *st = rt_open(dir);
    char keyname[sizeof(all)]; /* a key name cannot hold '\' */
    size_t kn = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i] != '\\')
            keyname[kn++] = all[i];
    keyname[kn] = 0;
    reg_key *k = rt_key(st, keyname, REG_CREATE);
    rt_set(k, all, reg_value_sz(all), false);
    rt_set(k, "bytes", reg_value_binary(bytes, sizeof(bytes)), false);
    const char *items[] = {all, "\n", "\\"};
    rt_set(k, "list", reg_value_multi_sz(items, 3), false);
    reg_key_close(k);
    reg_store_close(st);

    /* Each record is still one line: only the line ends are raw newlines. */
    size_t len;
    char *text = rt_read_file(rt_path(dir, REG_FILE_NAME), &len);
    T_EQ(count_lines(text, len), 9); /* magic, 2 comments, blank, key, 3 values, end */
    free(text);

    st = rt_open(dir);
    k = rt_key(st, keyname, 0);
    char buf[sizeof(all)];
    T_STREQ(rt_sz(k, all, buf, sizeof(buf)), all);
    reg_value *v;
    T_EQ(reg_get_value(k, "bytes", &v), 0);
    T_EQ(v->u.bin.len, 256);
    T_EQ(memcmp(v->u.bin.data, bytes, 256), 0);
    reg_value_free(v);
    T_EQ(reg_get_value(k, "LIST", &v), 0);
    T_EQ(v->u.multi.count, 3);
    T_STREQ(v->u.multi.items[0], all);
    T_STREQ(v->u.multi.items[1], "\n");
    T_STREQ(v->u.multi.items[2], "\\");
    reg_value_free(v);
    reg_key_close(k);
    reg_store_close(st);
}

TEST(open_reports_directory_errors)
{
    char err[512];
    reg_store *st;
    T_EQ(reg_store_open("", &st, err, sizeof(err)), -EINVAL);
    T_CONTAINS(err, "not given");
    const char *dir = t_tmpdir();
    char file[512];
    snprintf(file, sizeof(file), "%s", rt_path(dir, "plainfile"));
    rt_write_file(file, "x", 1);
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/store", file);
    int rc = reg_store_open(sub, &st, err, sizeof(err));
    T_EQ(rc, -ENOTDIR);
    T_CONTAINS(err, "cannot create directory");
    /* Parents are created as needed. */
    snprintf(sub, sizeof(sub), "%s/var/lib/ndis/registry", dir);
    st = rt_open(sub);
    reg_store_close(st);
    T_ASSERT(rt_exists(sub));
}
