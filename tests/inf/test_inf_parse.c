/* test_inf_parse.c - the generic INF syntax: src/inf/inf_text.c, inf_parse.c,
 * inf_addreg.c and inf_util.c. */
#include "test.h"

#include "inf/inf.h"

#include <errno.h>
#include <sys/stat.h>

static struct inf_file *parse_ok(const char *text)
{
    struct inf_file *inf = NULL;
    struct inf_error err = {0};
    int rc = inf_parse_buffer("t.inf", text, strlen(text), &inf, &err);
    T_ASSERT_MSG(rc == 0, "parse failed (%d): %s:%u: %s", rc, err.file, err.line, err.reason);
    T_ASSERT(inf != NULL);
    return inf;
}

static void parse_bad_len(const void *data, size_t len, int rc_want, unsigned line,
                          const char *reason)
{
    struct inf_file *inf = (struct inf_file *)&inf; /* must be reset to NULL */
    struct inf_error err = {0};
    int rc = inf_parse_buffer("bad.inf", data, len, &inf, &err);
    T_ASSERT_MSG(rc == rc_want, "rc %d, want %d (%s:%u: %s)", rc, rc_want, err.file, err.line,
                 err.reason);
    T_ASSERT(inf == NULL);
    T_STREQ(err.file, "bad.inf");
    T_ASSERT_MSG(err.line == line, "error line %u, want %u (%s)", err.line, line, err.reason);
    T_CONTAINS(err.reason, reason);
}

static void parse_bad(const char *text, unsigned line, const char *reason)
{
    parse_bad_len(text, strlen(text), -EINVAL, line, reason);
}

static const struct inf_line *line_of(const struct inf_file *inf, const char *sec, size_t i)
{
    const struct inf_section *s = inf_find_section(inf, sec);
    T_ASSERT_MSG(s != NULL, "no section [%s]", sec);
    T_ASSERT_MSG(i < s->nlines, "[%s] has %zu lines, want line %zu", sec, s->nlines, i);
    return &s->lines[i];
}

TEST(sections_keys_values_and_line_numbers)
{
    struct inf_file *inf = parse_ok("; leading comment\n"
                                    "\n"
                                    "[Version]\n"
                                    "Signature = \"$Windows NT$\"\n"
                                    "  Class=Net   \n"
                                    "[SourceDisksFiles]\n"
                                    "e1t.sys = 1,,\n"
                                    "[e1t.CopyFiles]\n"
                                    "e1t.sys,,,2\n");
    T_EQ(inf_section_count(inf), 3);
    T_STREQ(inf_name(inf), "t.inf");
    const struct inf_section *v = inf_find_section(inf, "VERSION");
    T_ASSERT(v == inf_section_at(inf, 0));
    T_STREQ(v->name, "Version");
    T_EQ(v->lineno, 3);
    T_EQ(v->nlines, 2);
    T_STREQ(v->lines[0].key, "Signature");
    T_EQ(v->lines[0].nvalues, 1);
    T_STREQ(v->lines[0].values[0], "$Windows NT$");
    T_EQ(v->lines[0].lineno, 4);
    T_STREQ(v->lines[0].raw, "Signature = \"$Windows NT$\"");
    T_STREQ(v->lines[1].key, "Class");
    T_STREQ(v->lines[1].values[0], "Net");
    T_EQ(v->lines[1].lineno, 5);
    T_STREQ(inf_get_value(inf, "version", "class", 0), "Net");
    T_ASSERT(inf_get_value(inf, "version", "class", 1) == NULL);
    T_ASSERT(inf_get_value(inf, "nosuch", "class", 0) == NULL);
    T_ASSERT(inf_find_section(inf, "Versio") == NULL);
    T_ASSERT(inf_section_at(inf, 3) == NULL);

    /* "e1t.sys = 1,," has three values, the last two empty. */
    const struct inf_line *l = line_of(inf, "sourcedisksfiles", 0);
    T_STREQ(l->key, "e1t.sys");
    T_EQ(l->nvalues, 3);
    T_STREQ(l->values[0], "1");
    T_STREQ(l->values[1], "");
    T_STREQ(l->values[2], "");
    /* A line without '=' has no key: every field is a value. */
    l = line_of(inf, "E1T.COPYFILES", 0);
    T_ASSERT(l->key == NULL);
    T_EQ(l->nvalues, 4);
    T_STREQ(l->values[0], "e1t.sys");
    T_STREQ(l->values[3], "2");
    T_ASSERT(inf_find_line(inf_find_section(inf, "e1t.copyfiles"), "e1t.sys") == NULL);
    inf_free(inf);
}

TEST(comments_and_semicolons_in_quotes)
{
    struct inf_file *inf = parse_ok("[S] ; comment after a header\n"
                                    ";;; a whole-line comment\n"
                                    "   ; an indented comment\n"
                                    "A = one ; two, three\n"
                                    "B = \"one ; two\", three;four\n"
                                    "C = \"x\";\"y\"\n");
    const struct inf_section *s = inf_find_section(inf, "s");
    T_EQ(s->nlines, 3);
    T_EQ(s->lines[0].nvalues, 1);
    T_STREQ(s->lines[0].values[0], "one");
    T_STREQ(s->lines[0].raw, "A = one");
    T_EQ(s->lines[1].nvalues, 2);
    T_STREQ(s->lines[1].values[0], "one ; two");
    T_STREQ(s->lines[1].values[1], "three");
    T_STREQ(s->lines[2].values[0], "x");
    T_EQ(s->lines[2].nvalues, 1);
    inf_free(inf);
}

TEST(quotes_doubled_quotes_blanks_and_separators)
{
    struct inf_file *inf = parse_ok("[S]\n"
                                    "K1 = \"say \"\"hi\"\"\", \"\"\"\"\n"
                                    "K2 = \"  padded  \" ,   inner   blanks  \n"
                                    "K3 = \"a,b=c\", d=e\n"
                                    "K4 = pre\"quoted\"post , \"\"\n"
                                    "\"Quoted Key\" = v\n"
                                    "K5 =\n"
                                    "K6 = ,\n"
                                    "= orphan\n"
                                    "HKR, Ndi, X, , a=b\n");
    const struct inf_section *s = inf_find_section(inf, "S");
    T_STREQ(s->lines[0].values[0], "say \"hi\"");
    T_STREQ(s->lines[0].values[1], "\"");
    T_STREQ(s->lines[1].values[0], "  padded  ");
    T_STREQ(s->lines[1].values[1], "inner   blanks");
    T_EQ(s->lines[2].nvalues, 2);
    T_STREQ(s->lines[2].values[0], "a,b=c");
    T_STREQ(s->lines[2].values[1], "d=e"); /* only the first '=' splits */
    T_STREQ(s->lines[3].values[0], "prequotedpost");
    T_EQ(s->lines[3].nvalues, 2);
    T_STREQ(s->lines[3].values[1], "");
    T_STREQ(s->lines[4].key, "Quoted Key");
    T_STREQ(s->lines[5].key, "K5");
    T_EQ(s->lines[5].nvalues, 0);
    T_EQ(s->lines[6].nvalues, 2);
    T_STREQ(s->lines[7].key, "");
    T_STREQ(s->lines[7].values[0], "orphan");
    /* An '=' after a ',' does not make a key. */
    T_ASSERT(s->lines[8].key == NULL);
    T_EQ(s->lines[8].nvalues, 5);
    T_STREQ(s->lines[8].values[4], "a=b");
    inf_free(inf);
}

TEST(line_continuation)
{
    struct inf_file *inf = parse_ok("[S]\n"
                                    "AddReg = a.reg, \\\n"
                                    "         b.reg,\\   \n"
                                    "         c.reg\n"
                                    "Path = \"C:\\dir\\\" ; a quoted backslash does not continue\n"
                                    "Next = x \\\n"
                                    "; a comment line ends the continuation\n"
                                    "Last = y\n");
    const struct inf_section *s = inf_find_section(inf, "S");
    T_EQ(s->nlines, 4);
    T_EQ(s->lines[0].lineno, 2);
    T_EQ(s->lines[0].nvalues, 3);
    T_STREQ(s->lines[0].values[0], "a.reg");
    T_STREQ(s->lines[0].values[1], "b.reg");
    T_STREQ(s->lines[0].values[2], "c.reg");
    T_STREQ(s->lines[1].values[0], "C:\\dir\\");
    T_EQ(s->lines[1].lineno, 5);
    T_STREQ(s->lines[2].key, "Next");
    T_STREQ(s->lines[2].values[0], "x");
    T_STREQ(s->lines[3].key, "Last");
    T_EQ(s->lines[3].lineno, 8);
    inf_free(inf);
}

TEST(string_substitution)
{
    struct inf_file *inf = parse_ok("[Strings]\n"
                                    "Provider = \"Contoso, Ltd.\"\n"
                                    "Desc     = Unquoted text, with a comma\n"
                                    "Quote    = \"a \"\"b\"\" c\"\n"
                                    "Pct      = \"100%\"\n"
                                    "Empty    =\n"
                                    "[Version]\n"
                                    "Provider = %provider%\n"
                                    "%Desc% = x%Quote%y, %pct%\n"
                                    "Path = \"%%SystemRoot%%\\System32\\netevent.dll\", 100%%\n"
                                    "Bin = %13%\\e1t.sys, %empty%, %%\n"
                                    "InQuotes = \"[%Provider%]\"\n");
    const struct inf_section *v = inf_find_section(inf, "Version");
    /* A substituted value with a comma stays one value. */
    T_EQ(v->lines[0].nvalues, 1);
    T_STREQ(v->lines[0].values[0], "Contoso, Ltd.");
    T_STREQ(v->lines[0].raw, "Provider = %provider%");
    T_STREQ(v->lines[1].key, "Unquoted text, with a comma");
    T_STREQ(v->lines[1].values[0], "xa \"b\" cy");
    /* [Strings] values are literal: no %% processing in them. */
    T_STREQ(v->lines[1].values[1], "100%");
    T_STREQ(v->lines[2].values[0], "%SystemRoot%\\System32\\netevent.dll");
    T_STREQ(v->lines[2].values[1], "100%");
    /* %13% is a DIRID and stays for the consumer. */
    T_STREQ(v->lines[3].values[0], "%13%\\e1t.sys");
    T_STREQ(v->lines[3].values[1], "");
    T_STREQ(v->lines[3].values[2], "%");
    T_STREQ(v->lines[4].values[0], "[Contoso, Ltd.]");
    /* The [Strings] lines themselves are kept, unsubstituted. */
    T_STREQ(inf_get_value(inf, "Strings", "Pct", 0), "100%");
    inf_free(inf);
}

TEST(string_locales)
{
    struct inf_file *inf = parse_ok("[Strings.0407]\n"
                                    "A = \"Deutsch\"\n"
                                    "OnlyGerman = \"nur deutsch\"\n"
                                    "[Strings]\n"
                                    "A = \"neutral\"\n"
                                    "B = \"neutral b\"\n"
                                    "B = \"second definition\"\n"
                                    "[strings.0409]\n"
                                    "A = \"English\"\n"
                                    "[S]\n"
                                    "V = %A%, %B%\n");
    T_STREQ(inf_get_value(inf, "S", "V", 0), "English");
    T_STREQ(inf_get_value(inf, "S", "V", 1), "neutral b");
    inf_free(inf);
    /* Keys of other locales are not visible. */
    parse_bad("[Strings.0407]\nX = \"y\"\n[S]\nV = %X%\n", 4, "unknown string key %X%");
}

TEST(duplicate_sections_merge_in_order)
{
    struct inf_file *inf = parse_ok("[Install]\n"
                                    "A = 1\n"
                                    "[Other]\n"
                                    "X = 0\n"
                                    "[  INSTALL  ]\n"
                                    "B = 2\n"
                                    "[install]\n"
                                    "[Empty]\n");
    T_EQ(inf_section_count(inf), 3);
    const struct inf_section *s = inf_find_section(inf, "install");
    T_STREQ(s->name, "Install");
    T_EQ(s->index, 0);
    T_EQ(s->nlines, 2);
    T_STREQ(s->lines[0].key, "A");
    T_STREQ(s->lines[1].key, "B");
    T_EQ(s->lines[1].lineno, 6);
    const struct inf_section *e = inf_find_section(inf, "empty");
    T_EQ(e->nlines, 0);
    T_EQ(e->index, 2);
    T_ASSERT(inf_find_line(e, "A") == NULL);
    inf_free(inf);
}

/* Appends code point cp to a UTF-16LE buffer. */
static size_t put16(unsigned char *b, size_t n, unsigned cp)
{
    if (cp >= 0x10000) {
        cp -= 0x10000;
        n = put16(b, n, 0xD800 + (cp >> 10));
        return put16(b, n, 0xDC00 + (cp & 0x3FF));
    }
    b[n] = (unsigned char)(cp & 0xFF);
    b[n + 1] = (unsigned char)(cp >> 8);
    return n + 2;
}

/* UTF-8 text to UTF-16LE with a BOM (the test input is valid UTF-8). */
static size_t to_utf16le(const char *s, unsigned char *out)
{
    size_t n = put16(out, 0, 0xFEFF);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp;
        if (*p < 0x80) {
            cp = *p++;
        } else if (*p < 0xE0) {
            cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
            p += 2;
        } else if (*p < 0xF0) {
            cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            p += 3;
        } else {
            cp = (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3F) << 12 |
                 (unsigned)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
            p += 4;
        }
        n = put16(out, n, cp);
    }
    return n;
}

TEST(utf16le_with_bom)
{
    const char *text = "; Gerätetreiber\r\n"
                       "[Version]\r\n"
                       "Signature = \"$Windows NT$\"\r\n"
                       "Provider = %Prov%\r\n"
                       "[Strings]\r\n"
                       "Prov = \"Société Générale 😀 €\"\r\n";
    unsigned char buf[1024];
    size_t n = to_utf16le(text, buf);
    struct inf_file *inf = NULL;
    struct inf_error err = {0};
    int rc = inf_parse_buffer("u16.inf", buf, n, &inf, &err);
    T_ASSERT_MSG(rc == 0, "%s:%u: %s", err.file, err.line, err.reason);
    T_STREQ(inf_get_value(inf, "version", "provider", 0), "Société Générale 😀 €");
    T_EQ(inf_find_line(inf_find_section(inf, "Version"), "Provider")->lineno, 4);
    inf_free(inf);

    /* Broken UTF-16: a lone high surrogate on line 2, a lone low one on line 1. */
    n = to_utf16le("[S]\nA = x", buf);
    n = put16(buf, n, 0xD800);
    n = put16(buf, n, 'y');
    parse_bad_len(buf, n, -EINVAL, 2, "unpaired high surrogate");
    n = to_utf16le("[S] ", buf);
    n = put16(buf, n, 0xDC00);
    parse_bad_len(buf, n, -EINVAL, 1, "unpaired low surrogate");
    n = to_utf16le("[S]\n\nA = 1", buf);
    n = put16(buf, n, 0);
    parse_bad_len(buf, n, -EINVAL, 3, "NUL character");
    n = to_utf16le("[S]\n", buf);
    parse_bad_len(buf, n - 1, -EINVAL, 0, "odd number of bytes");
    /* Big-endian BOM. */
    parse_bad_len("\xFE\xFF\0[", 4, -EINVAL, 0, "UTF-16BE is not supported");
}

TEST(utf8_bom_and_line_ends)
{
    /* BOM, CRLF, a lone CR and LF: four line ends, four lines. */
    const char text[] = "\xEF\xBB\xBF[S]\r\nA = 1\rB = 2\nC = \"caf\xC3\xA9\"\r\n";
    struct inf_file *inf = parse_ok(text);
    const struct inf_section *s = inf_find_section(inf, "S");
    T_EQ(s->lineno, 1);
    T_EQ(s->nlines, 3);
    T_EQ(s->lines[1].lineno, 3);
    T_EQ(s->lines[2].lineno, 4);
    T_STREQ(s->lines[2].values[0], "caf\xC3\xA9");
    inf_free(inf);

    inf = parse_ok("");
    T_EQ(inf_section_count(inf), 0);
    T_ASSERT(inf_find_section(inf, "Version") == NULL);
    inf_free(inf);
}

TEST(malformed_syntax_is_refused_with_line)
{
    parse_bad("[S]\nA = \"open\n", 2, "unterminated quote");
    parse_bad("[S]\nA = \"a\", \\\n  \"b\" \"c\n", 3, "unterminated quote");
    parse_bad("[Strings]\nX = \"y\"\n[S]\nA = %X\n", 4, "unterminated %strkey%");
    parse_bad("[S]\nA = 100%\n", 2, "unterminated %strkey%");
    parse_bad("[S]\n\nA = %Nope%\n", 3, "unknown string key %Nope%");
    parse_bad("[S]\n%Nope% = 1\n", 2, "unknown string key %Nope%");
    parse_bad("[Version\nA = 1\n", 1, "section header without closing ']'");
    parse_bad("[S]\n[   ]\n", 2, "empty section name");
    parse_bad("[S]\n[]\n", 2, "empty section name");
    parse_bad("[S] x\n", 1, "text after the ']'");
    parse_bad("; comment\n\nSignature = x\n[Version]\n", 3, "text before the first section");
    parse_bad("[S]\nA = 1, \\\n", 2, "line continuation at end of file");
    parse_bad("[S]\nA = 1, \\", 2, "line continuation at end of file");
    parse_bad("[Strings]\nJustText\n", 2, "line without '=' in [Strings]");
    static const char nul[] = "[S]\nA = 1\nB = \0\n";
    parse_bad_len(nul, sizeof(nul) - 1, -EINVAL, 3, "NUL character");
    parse_bad("[S]\nA = 1\n\nB = \xC3\x28\n", 4, "invalid UTF-8 byte 0xc3");
    parse_bad("[S]\nA = \xE0\x80\xAF\n", 2, "invalid UTF-8"); /* overlong '/' */
    parse_bad("[S]\nA = \xED\xA0\x80\n", 2, "invalid UTF-8"); /* a surrogate */
    parse_bad("[S]\nA = \xF4\x90\x80\x80\n", 2, "invalid UTF-8"); /* > U+10FFFF */
    parse_bad("[S]\nA = \xF0\x8F\xBF\xBF\n", 2, "invalid UTF-8"); /* overlong U+FFFF */
    parse_bad("[S]\nA = \xF8\x88\x80\x80\x80\n", 2, "invalid UTF-8 byte 0xf8");
    parse_bad("[S]\nA = \xE2\x82\n", 2, "invalid UTF-8");        /* truncated */
}

TEST(size_limits)
{
    /* A logical line over INF_MAX_LINE, across a continuation: the first line is reported. */
    size_t n = INF_MAX_LINE + 64;
    char *big = malloc(n + 64);
    T_ASSERT(big);
    strcpy(big, "[S]\n\nA = x, \\\n");
    size_t o = strlen(big);
    memset(big + o, 'y', n - o);
    strcpy(big + n, "\n");
    parse_bad(big, 3, "line longer than 4096 bytes");
    /* A long comment is fine: only the content counts. */
    strcpy(big, "[S]\nA = 1 ;");
    o = strlen(big);
    memset(big + o, 'c', n - o);
    strcpy(big + n, "\n");
    struct inf_file *inf = parse_ok(big);
    T_STREQ(inf_get_value(inf, "S", "A", 0), "1");
    inf_free(inf);
    free(big);

    /* Over INF_MAX_FILE_SIZE bytes: refused before parsing. */
    char *huge = malloc(INF_MAX_FILE_SIZE + 1);
    T_ASSERT(huge);
    memset(huge, ';', INF_MAX_FILE_SIZE + 1);
    parse_bad_len(huge, INF_MAX_FILE_SIZE + 1, -EFBIG, 0, "file too big");
    /* Exactly the limit is accepted. */
    struct inf_error err;
    T_EQ(inf_parse_buffer("max.inf", huge, INF_MAX_FILE_SIZE, &inf, &err), 0);
    T_EQ(inf_section_count(inf), 0);
    inf_free(inf);
    free(huge);
}

TEST(substitution_limits)
{
    /* One value over INF_MAX_VALUE after substitution. */
    char *text = malloc(64 * 1024);
    T_ASSERT(text);
    strcpy(text, "[Strings]\nK = \"");
    size_t o = strlen(text);
    memset(text + o, 'k', 4000);
    strcpy(text + o + 4000, "\"\n[S]\nOk = %K%%K%%K%%K%\nBad = %K%%K%%K%%K%%K%\n");
    parse_bad(text, 5, "value longer than 16384 bytes after %strkey% substitution");

    /* Many lines, each within the limits, over INF_MAX_EXPANDED in total. */
    strcpy(text + o + 4000, "\"\n[S]\n");
    o = strlen(text);
    for (int i = 0; i < 600; i++)
        o += (size_t)sprintf(text + o, "A = %%K%%%%K%%%%K%%%%K%%\n");
    parse_bad_len(text, o, -EFBIG, 4 + 524, "more than 8388608 bytes of text");
    free(text);
}

TEST(parse_file)
{
    struct inf_file *inf = NULL;
    struct inf_error err = {0};
    int rc = inf_parse_file(INF_TEST_DATA "/miniport.inf", &inf, &err);
    T_ASSERT_MSG(rc == 0, "%s:%u: %s", err.file, err.line, err.reason);
    T_STREQ(inf_name(inf), INF_TEST_DATA "/miniport.inf");
    /* Line continuation in a real file: AddReg spans lines 44-45. */
    const struct inf_line *l = inf_find_line(inf_find_section(inf, "e1t.ndi.nt"), "addreg");
    T_EQ(l->lineno, 44);
    T_EQ(l->nvalues, 2);
    T_STREQ(l->values[1], "E1T.Params.Reg");
    /* %% in a quoted value. */
    l = &inf_find_section(inf, "E1T.AddEventLog.reg")->lines[0];
    T_STREQ(l->values[4], "%SystemRoot%\\System32\\netevent.dll");
    inf_free(inf);

    inf = (struct inf_file *)&inf;
    rc = inf_parse_file(INF_TEST_DATA "/no-such-file.inf", &inf, &err);
    T_EQ(rc, -ENOENT);
    T_ASSERT(inf == NULL);
    T_EQ(err.line, 0);
    T_CONTAINS(err.reason, "cannot open");
    T_CONTAINS(err.file, "no-such-file.inf");
    rc = inf_parse_file(INF_TEST_DATA, &inf, &err);
    T_EQ(rc, -EINVAL);
    T_CONTAINS(err.reason, "not a regular file");

    /* A file over the size limit. */
    char path[512];
    snprintf(path, sizeof(path), "%s/big.inf", t_tmpdir());
    FILE *f = fopen(path, "w");
    T_ASSERT(f);
    for (unsigned i = 0; i < INF_MAX_FILE_SIZE / 8 + 1; i++)
        fputs(";;;;;;;\n", f);
    fclose(f);
    rc = inf_parse_file(path, &inf, &err);
    T_EQ(rc, -EFBIG);
    T_CONTAINS(err.reason, "file too big");
}

static struct inf_addreg decode_ok(struct inf_file *inf, size_t i)
{
    struct inf_addreg r;
    struct inf_error err = {0};
    const struct inf_line *l = line_of(inf, "Reg", i);
    int rc = inf_addreg_decode(inf, l, &r, &err);
    T_ASSERT_MSG(rc == 0, "line %zu: %s:%u: %s", i, err.file, err.line, err.reason);
    return r;
}

TEST(addreg_lines)
{
    struct inf_file *inf = parse_ok("[Reg]\n"
                                    "HKR, Ndi, Service, 0, \"e1t\"\n"
                                    "hkr, Ndi\\Interfaces, UpperRange, , ndis5\n"
                                    "HKR, Ndi, CoServices, 0x00010000, \"a\", \"b\"\n"
                                    "HKR, , TypesSupported, 0x00010001, 7\n"
                                    "HKR, , EventMessageFile, 0x00020000, \"%%SystemRoot%%\\x.dll\"\n"
                                    "HKR, , Mac, 1, 00, 1b, FF\n"
                                    "HKR, , Nothing, 0x00020001\n"
                                    "HKR, , Q, 0x000B0001, 01, 02, 03, 04, 05, 06, 07, 08\n"
                                    "HKR, Ndi\\params\\X\\enum\n"
                                    "HKLM, System\\Foo, Bar, 0x10, \n"
                                    "HKR, , Empty\n"
                                    "HKR, , Dec, 65537, 4294967295\n"
                                    "HKR, Ndi, NoClobber, 0x00000002, \"v\"\n");
    struct inf_addreg r = decode_ok(inf, 0);
    T_STREQ(r.root, "HKR");
    T_STREQ(r.subkey, "Ndi");
    T_STREQ(r.value_name, "Service");
    T_EQ(r.reg_type, INF_REG_SZ);
    T_EQ(r.ndata, 1);
    T_STREQ(r.data[0], "e1t");
    T_EQ(r.lineno, 2);
    T_ASSERT(!r.key_only);
    r = decode_ok(inf, 1);
    T_STREQ(r.root, "hkr");
    T_EQ(r.reg_type, INF_REG_SZ);
    T_EQ(r.flags, 0);
    T_STREQ(r.data[0], "ndis5");
    r = decode_ok(inf, 2);
    T_EQ(r.reg_type, INF_REG_MULTI_SZ);
    T_EQ(r.ndata, 2);
    T_STREQ(r.data[1], "b");
    r = decode_ok(inf, 3);
    T_EQ(r.reg_type, INF_REG_DWORD);
    T_EQ(r.dword, 7);
    r = decode_ok(inf, 4);
    T_EQ(r.reg_type, INF_REG_EXPAND_SZ);
    T_STREQ(r.data[0], "%SystemRoot%\\x.dll");
    r = decode_ok(inf, 5);
    T_EQ(r.reg_type, INF_REG_BINARY);
    T_EQ(r.ndata, 3);
    T_STREQ(r.data[2], "FF");
    r = decode_ok(inf, 6);
    T_EQ(r.reg_type, INF_REG_NONE);
    T_EQ(r.ndata, 0);
    r = decode_ok(inf, 7);
    T_EQ(r.reg_type, 11); /* REG_QWORD as raw bytes */
    T_EQ(r.ndata, 8);
    r = decode_ok(inf, 8);
    T_ASSERT(r.key_only);
    T_STREQ(r.subkey, "Ndi\\params\\X\\enum");
    T_STREQ(r.value_name, "");
    r = decode_ok(inf, 9);
    T_ASSERT(r.key_only);
    T_EQ(r.flags, FLG_ADDREG_KEYONLY);
    r = decode_ok(inf, 10);
    T_EQ(r.reg_type, INF_REG_SZ);
    T_EQ(r.ndata, 0);
    r = decode_ok(inf, 11);
    T_EQ(r.reg_type, INF_REG_DWORD);
    T_EQ(r.dword, 4294967295u);
    r = decode_ok(inf, 12);
    T_EQ(r.flags, FLG_ADDREG_NOCLOBBER);
    inf_free(inf);
}

static void addreg_bad(const char *line, const char *reason)
{
    char text[512];
    snprintf(text, sizeof(text), "[Strings]\nS = \"x\"\n[Reg]\n%s\n", line);
    struct inf_file *inf = parse_ok(text);
    struct inf_addreg r;
    struct inf_error err = {0};
    int rc = inf_addreg_decode(inf, line_of(inf, "Reg", 0), &r, &err);
    T_ASSERT_MSG(rc == -EINVAL, "'%s' was accepted", line);
    T_STREQ(err.file, "t.inf");
    T_EQ(err.line, 4);
    T_CONTAINS(err.reason, reason);
    inf_free(inf);
}

TEST(addreg_malformed_lines)
{
    addreg_bad("HKXX, Ndi, Service, 0, x", "unknown registry root 'HKXX'");
    addreg_bad(", Ndi, Service, 0, x", "without a registry root");
    addreg_bad("Key = HKR, Ndi, Service, 0, x", "unexpected '='");
    addreg_bad("HKR, Ndi, Service, zero, x", "invalid add-registry flags 'zero'");
    addreg_bad("HKR, Ndi, Service, 0, ndis5, ndis4", "quote a value that contains commas");
    addreg_bad("HKR, Ndi, FilterType, 0x00010001, two", "invalid REG_DWORD value 'two'");
    addreg_bad("HKR, Ndi, FilterType, 0x00010001, 4294967296", "invalid REG_DWORD");
    addreg_bad("HKR, Ndi, FilterType, 0x00010001", "needs exactly one number");
    addreg_bad("HKR, Ndi, FilterType, 0x00010001, 1, 2", "needs exactly one number");
    addreg_bad("HKR, , Mac, 1, 0x1b", "invalid binary byte '0x1b'");
    addreg_bad("HKR, , Mac, 1, 100", "invalid binary byte");
    addreg_bad("HKR, , X, 0x00030000, y", "unsupported add-registry value type 0x00030000");
}

TEST(numbers)
{
    uint32_t u;
    int64_t i;
    T_EQ(inf_parse_u32("0x84", &u), 0);
    T_EQ(u, 0x84);
    T_EQ(inf_parse_u32("0X40000", &u), 0);
    T_EQ(u, 0x40000);
    T_EQ(inf_parse_u32("14", &u), 0);
    T_EQ(u, 14);
    T_EQ(inf_parse_u32("4294967295", &u), 0);
    T_EQ(u, UINT32_MAX);
    T_NE(inf_parse_u32("4294967296", &u), 0);
    T_NE(inf_parse_u32("0x100000000", &u), 0);
    T_NE(inf_parse_u32("", &u), 0);
    T_NE(inf_parse_u32("0x", &u), 0);
    T_NE(inf_parse_u32("-1", &u), 0);
    T_NE(inf_parse_u32("12a", &u), 0);
    T_NE(inf_parse_u32(" 1", &u), 0);
    T_EQ(inf_parse_i64("-100", 10, &i), 0);
    T_EQ(i, -100);
    T_EQ(inf_parse_i64("+7", 10, &i), 0);
    T_EQ(i, 7);
    T_EQ(inf_parse_i64("ff", 16, &i), 0);
    T_EQ(i, 255);
    T_NE(inf_parse_i64("ff", 10, &i), 0);
    T_EQ(inf_parse_i64("-0x10", 10, &i), 0);
    T_EQ(i, -16);
    T_EQ(inf_parse_i64("-9223372036854775808", 10, &i), 0);
    T_ASSERT(i == INT64_MIN);
    T_NE(inf_parse_i64("9223372036854775808", 10, &i), 0);
    T_NE(inf_parse_i64("-", 10, &i), 0);
    T_ASSERT(inf_streq("Ndi\\Interfaces", "NDI\\interfaces"));
    T_ASSERT(!inf_streq("Ndi", "Ndi2"));
}

TEST(many_sections_and_lines)
{
    /* 3000 sections named twice each, one section of 5000 lines: the section map
     * grows many times and the line arrays outgrow the arena's 64 KiB blocks. */
    size_t cap = 512 * 1024, o = 0;
    char *text = malloc(cap);
    T_ASSERT(text);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 3000; i++)
            o += (size_t)snprintf(text + o, cap - o, "[Sec%d]\nK%d = %d\n", i, round, i);
    o += (size_t)snprintf(text + o, cap - o, "[Big]\n");
    for (int i = 0; i < 5000; i++)
        o += (size_t)snprintf(text + o, cap - o, "Line%d = v%d, w\n", i, i);
    T_ASSERT(o < cap);
    struct inf_file *inf = NULL;
    struct inf_error err;
    T_EQ(inf_parse_buffer(NULL, text, o, &inf, &err), 0);
    free(text);
    T_STREQ(inf_name(inf), "<buffer>");
    T_EQ(inf_section_count(inf), 3001);
    char name[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "SEC%d", i);
        const struct inf_section *s = inf_find_section(inf, name);
        T_ASSERT(s && s->index == (size_t)i && s->nlines == 2);
        T_STREQ(s->lines[1].key, "K1");
    }
    const struct inf_section *big = inf_find_section(inf, "big");
    T_EQ(big->nlines, 5000);
    T_STREQ(big->lines[4999].values[0], "v4999");
    T_EQ(big->lines[4999].lineno, 12000 + 2 + 4999);
    inf_free(inf);

    T_EQ(inf_parse_buffer("null.inf", NULL, 0, &inf, &err), 0);
    T_EQ(inf_section_count(inf), 0);
    inf_free(inf);
    parse_bad_len(NULL, 1, -EINVAL, 0, "no data");
}
