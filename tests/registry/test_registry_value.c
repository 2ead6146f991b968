/* test_registry_value.c - value constructors, copies and the DDI views. */
#include "reg_test.h"

TEST(value_constructors_copy_equal)
{
    static const uint8_t blob[] = {0, 1, 0xFF, 0x80};
    static const char *items[] = {"one", "tw\xC3\xB6"};
    reg_value *vals[] = {
        reg_value_dword(0xDEADBEEF),
        reg_value_qword(UINT64_MAX),
        reg_value_sz("hello"),
        reg_value_expand_sz("%SystemRoot%\\x"),
        reg_value_multi_sz(items, 2),
        reg_value_binary(blob, sizeof(blob)),
        reg_value_binary(NULL, 0),
        reg_value_multi_sz(NULL, 0),
        reg_value_sz(""),
    };
    static const char *names[] = {"dword", "qword", "sz", "expand_sz", "multi_sz", "binary",
                                  "binary", "multi_sz", "sz"};
    size_t n = sizeof(vals) / sizeof(vals[0]);
    for (size_t i = 0; i < n; i++) {
        T_ASSERT(vals[i] != NULL);
        T_STREQ(reg_type_name(vals[i]->type), names[i]);
        reg_value *c = reg_value_copy(vals[i]);
        T_ASSERT(c != NULL);
        T_ASSERT(reg_value_equal(c, vals[i]));
        /* The copy is deep: it does not share buffers. */
        if (c->type == REG_T_SZ || c->type == REG_T_EXPAND_SZ)
            T_ASSERT(c->u.sz != vals[i]->u.sz);
        if (c->type == REG_T_BINARY && c->u.bin.len)
            T_ASSERT(c->u.bin.data != vals[i]->u.bin.data);
        for (size_t j = 0; j < n; j++)
            T_ASSERT_MSG(reg_value_equal(vals[i], vals[j]) == (i == j),
                         "values %zu and %zu: equal is wrong", i, j);
        reg_value_free(c);
    }
    T_EQ(vals[0]->u.dword, 0xDEADBEEF);
    T_ASSERT(vals[1]->u.qword == UINT64_MAX);
    T_STREQ(vals[4]->u.multi.items[1], "tw\xC3\xB6");
    T_EQ(vals[5]->u.bin.len, 4);
    T_EQ(vals[5]->u.bin.data[2], 0xFF);
    /* The constructor copied its input. */
    T_ASSERT(vals[4]->u.multi.items[0] != items[0]);
    for (size_t i = 0; i < n; i++)
        reg_value_free(vals[i]);
    reg_value_free(NULL);
    T_ASSERT(reg_type_name((reg_type)99) == NULL);
}

TEST(value_constructors_reject_bad_input)
{
    static const char *with_empty[] = {"a", ""};
    errno = 0;
    T_ASSERT(reg_value_multi_sz(with_empty, 2) == NULL);
    T_EQ(errno, EINVAL);
    static const char *with_bad[] = {"a", "\xC0\x80"};
    T_ASSERT(reg_value_multi_sz(with_bad, 2) == NULL);
    T_EQ(errno, EILSEQ);
    T_ASSERT(reg_value_sz(NULL) == NULL);
    T_EQ(errno, EINVAL);
    T_ASSERT(reg_value_binary(NULL, 3) == NULL);
    T_EQ(errno, EINVAL);
}

static int u32_of(reg_value *v, unsigned base, uint32_t *out)
{
    int rc = reg_value_to_u32(v, base, out);
    reg_value_free(v);
    return rc;
}

TEST(value_to_u32_like_ndis_read_configuration)
{
    uint32_t x = 0;
    T_EQ(u32_of(reg_value_dword(7), 10, &x), 0);
    T_EQ(x, 7);
    T_EQ(u32_of(reg_value_qword(0xFFFFFFFFull), 10, &x), 0);
    T_EQ(x, 0xFFFFFFFF);
    T_EQ(u32_of(reg_value_qword(0x100000000ull), 10, &x), -ERANGE);
    /* INF defaults are strings: "1514" as NdisParameterInteger */
    T_EQ(u32_of(reg_value_sz("1514"), 10, &x), 0);
    T_EQ(x, 1514);
    T_EQ(u32_of(reg_value_sz(" 42 "), 10, &x), 0);
    T_EQ(x, 42);
    T_EQ(u32_of(reg_value_sz("-1"), 10, &x), 0);
    T_EQ(x, 0xFFFFFFFF);
    T_EQ(u32_of(reg_value_sz("-2147483648"), 10, &x), 0);
    T_EQ(x, 0x80000000);
    T_EQ(u32_of(reg_value_sz("-2147483649"), 10, &x), -ERANGE);
    T_EQ(u32_of(reg_value_sz("4294967295"), 10, &x), 0);
    T_EQ(x, 0xFFFFFFFF);
    T_EQ(u32_of(reg_value_sz("4294967296"), 10, &x), -ERANGE);
    /* ... and as NdisParameterHexInteger */
    T_EQ(u32_of(reg_value_sz("5ea"), 16, &x), 0);
    T_EQ(x, 0x5EA);
    T_EQ(u32_of(reg_value_expand_sz("0xFFFF"), 16, &x), 0);
    T_EQ(x, 0xFFFF);
    T_EQ(u32_of(reg_value_sz("1FFFFFFFF"), 16, &x), -ERANGE);
    x = 99;
    T_EQ(u32_of(reg_value_sz("12a"), 10, &x), -EINVAL);
    T_EQ(x, 99);
    T_EQ(u32_of(reg_value_sz(""), 10, &x), -EINVAL);
    T_EQ(u32_of(reg_value_sz("0x"), 16, &x), -EINVAL);
    T_EQ(u32_of(reg_value_sz("1 2"), 10, &x), -EINVAL);
    T_EQ(u32_of(reg_value_binary("\1\0\0\0", 4), 10, &x), -EINVAL);
    T_EQ(u32_of(reg_value_dword(1), 8, &x), -EINVAL);
}

static int mac_of(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    reg_value *v = reg_value_sz(s);
    int rc = reg_value_to_netaddr(v, out, cap, len);
    reg_value_free(v);
    return rc;
}

TEST(value_to_netaddr_like_ndis_read_network_address)
{
    uint8_t mac[6];
    size_t len;
    static const uint8_t want[] = {0x02, 0x00, 0x4C, 0x4F, 0x4F, 0x50};
    T_EQ(mac_of("02-00-4C-4F-4F-50", mac, 6, &len), 0);
    T_EQ(len, 6);
    T_EQ(memcmp(mac, want, 6), 0);
    memset(mac, 0, sizeof(mac));
    T_EQ(mac_of("02004c4f4f50", mac, 6, &len), 0);
    T_EQ(len, 6);
    T_EQ(memcmp(mac, want, 6), 0);
    T_EQ(mac_of("0200", mac, 6, &len), 0); /* NDIS does not check the length */
    T_EQ(len, 2);
    T_EQ(mac_of("02-00-4C-4F-4F-50-11", mac, 6, &len), -ENOSPC);
    T_EQ(mac_of("02:00:4C:4F:4F:50", mac, 6, &len), -EINVAL);
    T_EQ(mac_of("020", mac, 6, &len), -EINVAL);
    T_EQ(mac_of("", mac, 6, &len), -EINVAL);
    T_EQ(mac_of("0g", mac, 6, &len), -EINVAL);
    reg_value *v = reg_value_dword(1);
    T_EQ(reg_value_to_netaddr(v, mac, 6, &len), -EINVAL);
    reg_value_free(v);
}
