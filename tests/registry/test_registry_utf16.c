/* test_registry_utf16.c - UTF-8 <-> UTF-16 helpers and case-insensitive names. */
#include "reg_test.h"

static void roundtrip(const char *s, const uint16_t *want, size_t nwant)
{
    uint16_t *u;
    size_t n;
    T_EQ(reg_utf8_to_utf16(s, strlen(s), &u, &n), 0);
    T_EQ(n, nwant);
    T_EQ(reg_utf16_length(s, strlen(s)), nwant);
    for (size_t i = 0; i < n; i++)
        T_ASSERT_MSG(u[i] == want[i], "unit %zu: 0x%04x != 0x%04x", i, u[i], want[i]);
    T_EQ(u[n], 0); /* NUL-terminated */
    char *back;
    T_EQ(reg_utf16_to_utf8(u, n, &back), 0);
    T_STREQ(back, s);
    free(back);
    free(u);
}

TEST(utf16_ascii_and_empty)
{
    static const uint16_t abc[] = {'*', 'J', 'u', 'm', 'b', 'o'};
    roundtrip("*Jumbo", abc, 6);
    roundtrip("", NULL, 0);
}

TEST(utf16_non_ascii_bmp)
{
    /* é U+00E9, Ω U+03A9, П U+041F, 日 U+65E5, € U+20AC */
    static const uint16_t want[] = {'C', 'a', 'f', 0x00E9, ' ', 0x03A9, 0x041F, 0x65E5, 0x20AC};
    roundtrip("Caf\xC3\xA9 \xCE\xA9\xD0\x9F\xE6\x97\xA5\xE2\x82\xAC", want, 9);
}

TEST(utf16_surrogate_pairs)
{
    /* U+1F600 -> D83D DE00, U+1D11E -> D834 DD1E, U+10FFFF -> DBFF DFFF */
    static const uint16_t want[] = {0xD83D, 0xDE00, 'x', 0xD834, 0xDD1E, 0xDBFF, 0xDFFF};
    roundtrip("\xF0\x9F\x98\x80x\xF0\x9D\x84\x9E\xF4\x8F\xBF\xBF", want, 7);
}

TEST(utf16_rejects_unpaired_surrogates_and_nul)
{
    char *s = (char *)1;
    static const uint16_t lone_hi[] = {'a', 0xD800};
    static const uint16_t hi_then_char[] = {0xD800, 'a'};
    static const uint16_t lone_lo[] = {0xDC00, 'a'};
    static const uint16_t swapped[] = {0xDE00, 0xD83D};
    static const uint16_t nul[] = {'a', 0, 'b'};
    T_EQ(reg_utf16_to_utf8(lone_hi, 2, &s), -EILSEQ);
    T_ASSERT(s == NULL);
    T_EQ(reg_utf16_to_utf8(hi_then_char, 2, &s), -EILSEQ);
    T_EQ(reg_utf16_to_utf8(lone_lo, 2, &s), -EILSEQ);
    T_EQ(reg_utf16_to_utf8(swapped, 2, &s), -EILSEQ);
    T_EQ(reg_utf16_to_utf8(nul, 3, &s), -EINVAL);
    /* A pair cut by the length is unpaired too. */
    static const uint16_t pair[] = {0xD83D, 0xDE00};
    T_EQ(reg_utf16_to_utf8(pair, 1, &s), -EILSEQ);
    T_EQ(reg_utf16_to_utf8(pair, 2, &s), 0);
    T_STREQ(s, "\xF0\x9F\x98\x80");
    free(s);
}

TEST(utf8_validation_rejects_ill_formed)
{
    static const char *bad[] = {
        "\xC0\xAF",         /* overlong '/' */
        "\xE0\x80\xAF",     /* overlong, 3 bytes */
        "\xED\xA0\x80",     /* encoded surrogate U+D800 */
        "\xF4\x90\x80\x80", /* U+110000 */
        "\xE2\x82",         /* truncated */
        "a\x80",            /* stray continuation */
        "\xFF",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint16_t *u = (uint16_t *)1;
        T_ASSERT_MSG(!reg_utf8_valid(bad[i], strlen(bad[i])), "case %zu accepted", i);
        T_EQ(reg_utf8_to_utf16(bad[i], strlen(bad[i]), &u, NULL), -EILSEQ);
        T_ASSERT(u == NULL);
        errno = 0;
        T_ASSERT(reg_value_sz(bad[i]) == NULL);
        T_EQ(errno, EILSEQ);
    }
    T_ASSERT(!reg_utf8_valid("a\0b", 3)); /* NUL is not allowed inside */
    T_ASSERT(reg_utf8_valid("\xEF\xBF\xBD\xF4\x8F\xBF\xBF", 7));
}

TEST(name_cmp_folds_case)
{
    T_EQ(reg_name_cmp("NetworkAddress", "NETWORKADDRESS"), 0);
    T_EQ(reg_name_cmp("*jumbopacket", "*JumboPacket"), 0);
    T_EQ(reg_name_cmp("\xC3\xA4rger", "\xC3\x84RGER"), 0);               /* ärger / ÄRGER */
    T_EQ(reg_name_cmp("\xCE\xB1\xCF\x82", "\xCE\x91\xCE\xA3"), 0);       /* ας / ΑΣ (final sigma) */
    T_EQ(reg_name_cmp("\xCE\xAD", "\xCE\x88"), 0);                       /* έ / Έ */
    T_EQ(reg_name_cmp("\xD0\xBF\xD1\x80\xD0\xB8", "\xD0\x9F\xD0\xA0\xD0\x98"), 0); /* при / ПРИ */
    T_EQ(reg_name_cmp("\xD1\x91", "\xD0\x81"), 0);                       /* ё / Ё */
    T_EQ(reg_name_cmp("\xC5\x82", "\xC5\x81"), 0);                       /* ł / Ł (odd/even pair) */
    T_EQ(reg_name_cmp("\xC4\x81", "\xC4\x80"), 0);                       /* ā / Ā */
    T_EQ(reg_name_cmp("\xC3\xBF", "\xC5\xB8"), 0);                       /* ÿ / Ÿ */
    T_NE(reg_name_cmp("\xC3\xB7", "\xC3\x97"), 0);                       /* ÷ and × differ */
    T_NE(reg_name_cmp("a", "b"), 0);
}

TEST(name_cmp_order_is_upper_case_order)
{
    /* Folding to upper case puts '_' (0x5F) after the letters and '*' first. */
    T_ASSERT(reg_name_cmp("*RSS", "Alpha") < 0);
    T_ASSERT(reg_name_cmp("alpha", "_x") < 0);
    T_ASSERT(reg_name_cmp("Z", "_") < 0);
    T_ASSERT(reg_name_cmp("abc", "ABCD") < 0);
    T_ASSERT(reg_name_cmp("ABCD", "abc") > 0);
    T_ASSERT(reg_name_cmp("b", "A") > 0);
    T_ASSERT(reg_name_cmp("", "a") < 0);
    T_ASSERT(reg_name_cmp("z", "\xC3\xA9") < 0); /* by code point after folding */
}

TEST(value_from_utf16_sz_and_multi_sz)
{
    /* SZ: stops at the NUL even if the length says more. */
    static const uint16_t sz[] = {'1', '5', '1', '4', 0, 'x'};
    reg_value *v = reg_value_from_utf16(REG_T_SZ, sz, 6);
    T_ASSERT(v != NULL);
    T_EQ(v->type, REG_T_SZ);
    T_STREQ(v->u.sz, "1514");
    reg_value_free(v);

    /* MULTI_SZ "a", "Ω😀", "bc" then the double NUL; what follows is ignored. */
    static const uint16_t ms[] = {'a', 0, 0x03A9, 0xD83D, 0xDE00, 0, 'b', 'c', 0, 0, 'z', 0};
    v = reg_value_from_utf16(REG_T_MULTI_SZ, ms, 12);
    T_ASSERT(v != NULL);
    T_EQ(v->u.multi.count, 3);
    T_STREQ(v->u.multi.items[0], "a");
    T_STREQ(v->u.multi.items[1], "\xCE\xA9\xF0\x9F\x98\x80");
    T_STREQ(v->u.multi.items[2], "bc");

    uint16_t *u;
    size_t n;
    T_EQ(reg_value_to_utf16(v, &u, &n), 0);
    T_EQ(n, 10); /* everything up to and including the double NUL */
    T_EQ(memcmp(u, ms, n * sizeof(uint16_t)), 0);
    free(u);
    reg_value_free(v);

    /* Without a terminator the length ends the last string. */
    static const uint16_t open_end[] = {'x', 0, 'y', 'z'};
    v = reg_value_from_utf16(REG_T_MULTI_SZ, open_end, 4);
    T_ASSERT(v != NULL);
    T_EQ(v->u.multi.count, 2);
    T_STREQ(v->u.multi.items[1], "yz");
    reg_value_free(v);

    /* An empty list is one NUL. */
    v = reg_value_from_utf16(REG_T_MULTI_SZ, NULL, 0);
    T_ASSERT(v != NULL);
    T_EQ(v->u.multi.count, 0);
    T_EQ(reg_value_to_utf16(v, &u, &n), 0);
    T_EQ(n, 1);
    T_EQ(u[0], 0);
    free(u);
    reg_value_free(v);

    static const uint16_t bad[] = {'a', 0xDC00};
    errno = 0;
    T_ASSERT(reg_value_from_utf16(REG_T_SZ, bad, 2) == NULL);
    T_EQ(errno, EILSEQ);
    T_ASSERT(reg_value_from_utf16(REG_T_DWORD, bad, 2) == NULL);
    T_EQ(errno, EINVAL);
}

TEST(value_to_utf16_sz)
{
    reg_value *v = reg_value_sz("Caf\xC3\xA9\xF0\x9F\x98\x80");
    uint16_t *u;
    size_t n;
    T_EQ(reg_value_to_utf16(v, &u, &n), 0);
    static const uint16_t want[] = {'C', 'a', 'f', 0xE9, 0xD83D, 0xDE00, 0};
    T_EQ(n, 6);
    T_EQ(memcmp(u, want, sizeof(want)), 0);
    free(u);
    reg_value_free(v);

    v = reg_value_dword(5);
    T_EQ(reg_value_to_utf16(v, &u, &n), -EINVAL);
    T_ASSERT(u == NULL);
    reg_value_free(v);
}
