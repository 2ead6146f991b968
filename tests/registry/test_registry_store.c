/* test_registry_store.c - keys, layers, persistence, enumeration. */
#include "reg_test.h"

TEST(layer_precedence_default_then_persisted)
{
    reg_store *st = rt_open(t_tmpdir());
    reg_key *k = rt_key(st, "Adapters\\virt0", REG_CREATE_DEFAULT);
    reg_value *v;

    T_EQ(reg_get_value(k, "*JumboPacket", &v), -ENOENT);
    T_ASSERT(v == NULL);
    rt_set(k, "*JumboPacket", reg_value_sz("1514"), true);
    char buf[64];
    T_STREQ(rt_sz(k, "*JumboPacket", buf, sizeof(buf)), "1514");

    /* A driver or the operator writes: the persisted layer wins. */
    rt_set(k, "*JumboPacket", reg_value_dword(9014), false);
    T_EQ(rt_dword(k, "*JumboPacket"), 9014);
    T_EQ(reg_get_layer_value(k, "*JumboPacket", REG_LAYER_DEFAULT, &v), 0);
    T_STREQ(v->u.sz, "1514");
    reg_value_free(v);
    T_EQ(reg_get_layer_value(k, "*JumboPacket", REG_LAYER_PERSIST, &v), 0);
    T_EQ(v->u.dword, 9014);
    reg_value_free(v);

    /* A new default under a persisted value does not show. */
    rt_set(k, "*JumboPacket", reg_value_sz("4088"), true);
    T_EQ(rt_dword(k, "*JumboPacket"), 9014);

    /* Deleting the persisted value falls back to the default. */
    T_EQ(reg_delete_value(k, "*jumbopacket"), 0);
    T_STREQ(rt_sz(k, "*JumboPacket", buf, sizeof(buf)), "4088");
    T_EQ(reg_delete_value(k, "*JumboPacket"), -ENOENT); /* only a default left */
    T_EQ(reg_get_layer_value(k, "*JumboPacket", REG_LAYER_PERSIST, &v), -ENOENT);
    T_EQ(reg_get_layer_value(k, "*JumboPacket", (reg_layer)7, &v), -EINVAL);

    /* A persisted-only value deleted is gone. */
    rt_set(k, "Extra", reg_value_dword(1), false);
    T_EQ(reg_delete_value(k, "Extra"), 0);
    T_EQ(reg_get_value(k, "Extra", &v), -ENOENT);
    uint32_t nk, nv;
    T_EQ(reg_key_info(k, &nk, &nv), 0);
    T_EQ(nv, 1);
    reg_key_close(k);
    reg_store_close(st);
}

TEST(persisted_values_survive_reopen_defaults_do_not)
{
    const char *dir = t_tmpdir();
    static const uint8_t blob[] = {0x00, 0x0A, 0x22, 0x5C, 0xFF, 0x80, 0x7F};
    static const char *items[] = {"first", "with space", "\xE6\x97\xA5\xE6\x9C\xAC",
                                  "quote\" back\\slash"};
    const char *odd_sz = "line1\nline2\r\ttab \"q\" \\ \x01\x1F\x7F caf\xC3\xA9 \xF0\x9F\x98\x80";
    const char *odd_name = "na\"me\\ with\nnewline \xCE\xA9";

    reg_store *st = rt_open(dir);
    reg_key *k = rt_key(st, "Adapters\\virt0\\Params", REG_CREATE);
    rt_set(k, "Dword", reg_value_dword(0xFFFFFFFF), false);
    rt_set(k, "Qword", reg_value_qword(0x0123456789ABCDEFull), false);
    rt_set(k, "Sz", reg_value_sz(odd_sz), false);
    rt_set(k, "Empty", reg_value_sz(""), false);
    rt_set(k, "Expand", reg_value_expand_sz("%SystemRoot%\\drivers"), false);
    rt_set(k, "Multi", reg_value_multi_sz(items, 4), false);
    rt_set(k, "NoItems", reg_value_multi_sz(NULL, 0), false);
    rt_set(k, "Blob", reg_value_binary(blob, sizeof(blob)), false);
    rt_set(k, "NoBytes", reg_value_binary(NULL, 0), false);
    rt_set(k, "", reg_value_sz("unnamed value"), false);
    rt_set(k, odd_name, reg_value_dword(3), false);
    rt_set(k, "DefaultOnly", reg_value_dword(5), true);
    reg_key *d = rt_key(st, "Adapters\\virt0\\Ndi", REG_CREATE_DEFAULT);
    reg_key_close(d);
    reg_key_close(k);
    reg_store_close(st);

    st = rt_open(dir);
    k = rt_key(st, "Adapters\\virt0\\Params", REG_OPEN_EXISTING);
    reg_value *v;
    T_EQ(rt_dword(k, "Dword"), 0xFFFFFFFF);
    T_EQ(reg_get_value(k, "Qword", &v), 0);
    T_EQ(v->type, REG_T_QWORD);
    T_ASSERT(v->u.qword == 0x0123456789ABCDEFull);
    reg_value_free(v);
    char buf[256];
    T_STREQ(rt_sz(k, "Sz", buf, sizeof(buf)), odd_sz);
    T_STREQ(rt_sz(k, "Empty", buf, sizeof(buf)), "");
    T_STREQ(rt_sz(k, "", buf, sizeof(buf)), "unnamed value");
    T_EQ(rt_dword(k, odd_name), 3);
    T_EQ(reg_get_value(k, "Expand", &v), 0);
    T_EQ(v->type, REG_T_EXPAND_SZ);
    T_STREQ(v->u.sz, "%SystemRoot%\\drivers");
    reg_value_free(v);
    T_EQ(reg_get_value(k, "Multi", &v), 0);
    T_EQ(v->type, REG_T_MULTI_SZ);
    T_EQ(v->u.multi.count, 4);
    for (size_t i = 0; i < 4; i++)
        T_STREQ(v->u.multi.items[i], items[i]);
    reg_value_free(v);
    T_EQ(reg_get_value(k, "NoItems", &v), 0);
    T_EQ(v->type, REG_T_MULTI_SZ);
    T_EQ(v->u.multi.count, 0);
    reg_value_free(v);
    T_EQ(reg_get_value(k, "Blob", &v), 0);
    T_EQ(v->type, REG_T_BINARY);
    T_EQ(v->u.bin.len, sizeof(blob));
    T_EQ(memcmp(v->u.bin.data, blob, sizeof(blob)), 0);
    reg_value_free(v);
    T_EQ(reg_get_value(k, "NoBytes", &v), 0);
    T_EQ(v->type, REG_T_BINARY);
    T_EQ(v->u.bin.len, 0);
    reg_value_free(v);
    /* The defaults layer is rebuilt at each start, never read from disk. */
    T_EQ(reg_get_value(k, "DefaultOnly", &v), -ENOENT);
    reg_key_close(k);
    T_EQ(reg_key_open(st, "Adapters\\virt0\\Ndi", 0, &d), -ENOENT);
    reg_store_close(st);
}

TEST(case_insensitive_keys_and_values_preserve_case)
{
    reg_store *st = rt_open(t_tmpdir());
    reg_key *a = rt_key(st, "Adapters\\Virt0", REG_CREATE);
    reg_key *b = rt_key(st, "ADAPTERS\\virt0", REG_OPEN_EXISTING);
    rt_set(a, "JumboPacket", reg_value_dword(1), false);
    T_EQ(rt_dword(b, "jumbopacket"), 1);
    rt_set(b, "JUMBOPACKET", reg_value_dword(2), false);
    T_EQ(rt_dword(a, "JumboPacket"), 2);
    uint32_t nk, nv;
    T_EQ(reg_key_info(a, &nk, &nv), 0);
    T_EQ(nv, 1); /* one value, not two */
    char name[64];
    T_EQ(reg_enum_value(a, 0, name, sizeof(name), NULL, NULL), 0);
    T_STREQ(name, "JumboPacket"); /* the first spelling stays */

    reg_key *root = rt_key(st, "", REG_OPEN_EXISTING);
    T_EQ(reg_enum_subkey(root, 0, name, sizeof(name)), 0);
    T_STREQ(name, "Adapters");
    reg_key_close(root);

    /* Non-ASCII names fold too: Ωμέγα / ΩΜΈΓΑ */
    reg_key *g = rt_key(st, "\xCE\xA9\xCE\xBC\xCE\xAD\xCE\xB3\xCE\xB1", REG_CREATE);
    reg_key *G = rt_key(st, "\xCE\xA9\xCE\x9C\xCE\x88\xCE\x93\xCE\x91", REG_OPEN_EXISTING);
    rt_set(g, "x", reg_value_dword(3), false);
    T_EQ(rt_dword(G, "X"), 3);
    reg_key_close(g);
    reg_key_close(G);
    reg_key_close(a);
    reg_key_close(b);
    reg_store_close(st);

    /* ... and after a reload from the file. */
    st = rt_open(t_tmpdir());
    b = rt_key(st, "adapters\\VIRT0", REG_OPEN_EXISTING);
    T_EQ(rt_dword(b, "jumboPACKET"), 2);
    reg_key_close(b);
    reg_store_close(st);
}

static void expect_order(reg_key *k, const char *const *want, size_t n, bool values)
{
    char name[64];
    for (size_t i = 0; i < n; i++) {
        int rc = values ? reg_enum_value(k, (uint32_t)i, name, sizeof(name), NULL, NULL)
                        : reg_enum_subkey(k, (uint32_t)i, name, sizeof(name));
        T_ASSERT_MSG(rc == 0, "index %zu: %d", i, rc);
        T_STREQ(name, want[i]);
    }
    int rc = values ? reg_enum_value(k, (uint32_t)n, name, sizeof(name), NULL, NULL)
                    : reg_enum_subkey(k, (uint32_t)n, name, sizeof(name));
    T_EQ(rc, -ENOENT);
}

TEST(enumeration_is_sorted_case_insensitively)
{
    static const char *create[] = {"b", "_z", "C", "a1", "*x", "A", "\xC3\xA9t\xC3\xA9"};
    static const char *sorted[] = {"*x", "A", "a1", "b", "C", "_z", "\xC3\xA9t\xC3\xA9"};
    size_t n = sizeof(create) / sizeof(create[0]);
    reg_store *st = rt_open(t_tmpdir());
    reg_key *p = rt_key(st, "P", REG_CREATE);
    for (size_t i = 0; i < n; i++) {
        reg_key *k;
        /* Half persisted, half defaults: one order for both layers. */
        T_EQ(reg_key_open_sub(p, create[i], i % 2 ? REG_CREATE : REG_CREATE_DEFAULT, &k), 0);
        reg_key_close(k);
        rt_set(p, create[i], reg_value_dword((uint32_t)i), i % 2 == 0);
    }
    expect_order(p, sorted, n, false);
    expect_order(p, sorted, n, true);

    char small[2];
    T_EQ(reg_enum_subkey(p, 1, small, sizeof(small)), 0); /* "A" fits */
    T_EQ(reg_enum_subkey(p, 2, small, sizeof(small)), -ERANGE);
    T_EQ(reg_enum_value(p, 2, small, sizeof(small), NULL, NULL), -ERANGE);

    reg_value *v;
    reg_layer src;
    char name[64];
    T_EQ(reg_enum_value(p, 0, name, sizeof(name), &v, &src), 0); /* "*x", i = 4: default */
    T_EQ(src, REG_LAYER_DEFAULT);
    T_EQ(v->u.dword, 4);
    reg_value_free(v);
    T_EQ(reg_enum_value(p, 3, name, sizeof(name), &v, &src), 0); /* "b", i = 0: default */
    T_EQ(src, REG_LAYER_DEFAULT);
    reg_value_free(v);
    T_EQ(reg_enum_value(p, 4, name, sizeof(name), &v, &src), 0); /* "C", i = 2: default */
    T_EQ(reg_enum_value(p, 5, name, sizeof(name), NULL, &src), 0); /* "_z", i = 1 */
    T_EQ(src, REG_LAYER_PERSIST);
    reg_value_free(v);
    reg_key_close(p);
    reg_store_close(st);

    /* After a restart only the persisted ones remain, still in order. */
    st = rt_open(t_tmpdir());
    p = rt_key(st, "p", 0);
    static const char *persisted[] = {"A", "a1", "_z"};
    expect_order(p, persisted, 3, false);
    expect_order(p, persisted, 3, true);
    reg_key_close(p);
    reg_store_close(st);
}

TEST(key_open_checks_paths_and_flags)
{
    reg_store *st = rt_open(t_tmpdir());
    reg_key *k = (reg_key *)1;
    T_EQ(reg_key_open(st, "Missing", REG_OPEN_EXISTING, &k), -ENOENT);
    T_ASSERT(k == NULL);
    T_EQ(reg_key_open(st, "a\\\\b", REG_CREATE, &k), -EINVAL);
    T_EQ(reg_key_open(st, "\\a", REG_CREATE, &k), -EINVAL);
    T_EQ(reg_key_open(st, "a\\", REG_CREATE, &k), -EINVAL);
    T_EQ(reg_key_open(st, "a\xC0\xAF", REG_CREATE, &k), -EILSEQ);
    T_EQ(reg_key_open(st, "a", 4, &k), -EINVAL);
    T_EQ(reg_key_open(st, "a", REG_CREATE | REG_CREATE_DEFAULT, &k), -EINVAL);
    T_EQ(reg_key_open(st, NULL, 0, &k), -EINVAL);
    char longname[300];
    memset(longname, 'x', 256);
    longname[256] = 0;
    T_EQ(reg_key_open(st, longname, REG_CREATE, &k), -ENAMETOOLONG);
    longname[255] = 0;
    T_EQ(reg_key_open(st, longname, REG_CREATE, &k), 0);
    reg_key_close(k);
    /* 255 characters that take 3 bytes each are fine too: the limit is units. */
    char wide[255 * 3 + 1];
    for (int i = 0; i < 255; i++)
        memcpy(wide + 3 * i, "\xE6\x97\xA5", 3);
    wide[255 * 3] = 0;
    T_EQ(reg_key_open(st, wide, REG_CREATE, &k), 0);
    reg_key_close(k);

    /* A failed open that would have created keys leaves none behind. */
    T_EQ(reg_key_open(st, "x\\y\\z", REG_OPEN_EXISTING, &k), -ENOENT);
    uint32_t nk;
    reg_key *root = rt_key(st, "", 0);
    T_EQ(reg_key_info(root, &nk, NULL), 0);
    T_EQ(nk, 2);

    reg_value *v = reg_value_dword(1);
    T_EQ(reg_set_value(root, "bad\xFF", v), -EILSEQ);
    reg_value bogus = {.type = (reg_type)42};
    T_EQ(reg_set_value(root, "x", &bogus), -EINVAL);
    reg_value nul_sz = {.type = REG_T_SZ};
    T_EQ(reg_set_default(root, "x", &nul_sz), -EINVAL);
    reg_value_free(v);
    reg_key_close(root);
    reg_store_close(st);
}

TEST(relative_open_and_root_values)
{
    const char *dir = t_tmpdir();
    reg_store *st = rt_open(dir);
    reg_key *root = rt_key(st, "", 0);
    rt_set(root, "RootValue", reg_value_dword(11), false);
    reg_key *a = NULL, *b = NULL;
    T_EQ(reg_key_open_sub(root, "A\\B", REG_CREATE, &a), 0);
    T_EQ(reg_key_open_sub(a, "C", REG_CREATE, &b), 0);
    rt_set(b, "Deep", reg_value_dword(12), false);
    reg_key_close(b);
    T_EQ(reg_key_open_sub(a, "", 0, &b), 0); /* "" is the key itself */
    reg_key *c;
    T_EQ(reg_key_open_sub(b, "c", 0, &c), 0);
    T_EQ(rt_dword(c, "deep"), 12);
    reg_key_close(c);
    reg_key_close(b);
    reg_key_close(a);
    reg_key_close(root);
    reg_store_close(st);

    st = rt_open(dir);
    root = rt_key(st, "", 0);
    T_EQ(rt_dword(root, "rootvalue"), 11);
    reg_key_close(root);
    a = rt_key(st, "a\\b\\c", 0);
    T_EQ(rt_dword(a, "Deep"), 12);
    reg_key_close(a);
    reg_store_close(st);
}

TEST(empty_keys_persist_only_when_created_persisted)
{
    const char *dir = t_tmpdir();
    reg_store *st = rt_open(dir);
    reg_key_close(rt_key(st, "Adapters\\virt0\\Persisted", REG_CREATE));
    reg_key_close(rt_key(st, "Adapters\\virt0\\DefaultOnly", REG_CREATE_DEFAULT));
    reg_key_close(rt_key(st, "Adapters\\virt1", REG_CREATE));
    reg_store_close(st);

    st = rt_open(dir);
    reg_key *k = rt_key(st, "Adapters", 0);
    static const char *want[] = {"virt0", "virt1"};
    expect_order(k, want, 2, false);
    reg_key_close(k);
    k = rt_key(st, "Adapters\\virt0", 0);
    static const char *want0[] = {"Persisted"};
    expect_order(k, want0, 1, false);
    reg_key_close(k);
    reg_store_close(st);
}

TEST(delete_key_removes_persisted_subtree_keeps_defaults)
{
    const char *dir = t_tmpdir();
    reg_store *st = rt_open(dir);
    reg_key *a = rt_key(st, "Adapters\\virt0\\Params", REG_CREATE);
    rt_set(a, "Speed", reg_value_dword(100), false);
    rt_set(a, "Duplex", reg_value_sz("full"), true);
    reg_key *deep = rt_key(st, "Adapters\\virt0\\Params\\Sub\\Deeper", REG_CREATE);
    rt_set(deep, "X", reg_value_dword(1), false);
    reg_key *other = rt_key(st, "Adapters\\virt1", REG_CREATE);
    rt_set(other, "Keep", reg_value_dword(2), false);
    reg_key *adapters = rt_key(st, "Adapters", 0);

    T_EQ(reg_delete_key(adapters, "virt0"), 0);
    /* Handles on removed keys fail cleanly... */
    reg_value *v;
    T_EQ(reg_get_value(deep, "X", &v), -ENOENT);
    T_EQ(reg_set_value(deep, "X", &(reg_value){.type = REG_T_DWORD}), -ENOENT);
    T_EQ(reg_enum_subkey(deep, 0, NULL, 0), -ENOENT);
    reg_key *sub;
    T_EQ(reg_key_open_sub(deep, "", 0, &sub), -ENOENT);
    /* ... while a key with defaults stays, with only its defaults. */
    T_EQ(reg_get_value(a, "Speed", &v), -ENOENT);
    char buf[32];
    T_STREQ(rt_sz(a, "Duplex", buf, sizeof(buf)), "full");
    T_EQ(reg_key_open_sub(a, "Sub", 0, &sub), -ENOENT);
    T_EQ(rt_dword(other, "Keep"), 2);
    T_EQ(reg_delete_key(adapters, "virt0"), -ENOENT); /* nothing persisted left */
    T_EQ(reg_delete_key(adapters, ""), -EINVAL);
    reg_key_close(deep);
    reg_key_close(a);
    reg_key_close(other);
    reg_key_close(adapters);
    reg_store_close(st);

    st = rt_open(dir);
    T_EQ(reg_key_open(st, "Adapters\\virt0", 0, &a), -ENOENT);
    other = rt_key(st, "Adapters\\virt1", 0);
    T_EQ(rt_dword(other, "Keep"), 2);
    reg_key_close(other);
    /* Deleting the last persisted child leaves its parent persisted. */
    adapters = rt_key(st, "Adapters", 0);
    T_EQ(reg_delete_key(adapters, "VIRT1"), 0);
    reg_key_close(adapters);
    reg_store_close(st);
    st = rt_open(dir);
    adapters = rt_key(st, "Adapters", 0);
    T_EQ(reg_enum_subkey(adapters, 0, buf, sizeof(buf)), -ENOENT);
    reg_key_close(adapters);
    reg_store_close(st);
}

TEST(clear_defaults_keeps_persisted)
{
    reg_store *st = rt_open(t_tmpdir());
    reg_key *k = rt_key(st, "Adapters\\virt0", REG_CREATE);
    rt_set(k, "Both", reg_value_dword(1), true);
    rt_set(k, "Both", reg_value_dword(2), false);
    rt_set(k, "DefOnly", reg_value_dword(3), true);
    reg_key *nd = rt_key(st, "Adapters\\virt0\\Ndi\\params\\Speed", REG_CREATE_DEFAULT);
    rt_set(nd, "Default", reg_value_sz("0"), true);
    reg_key *other = rt_key(st, "Drivers\\x", REG_CREATE_DEFAULT);

    T_EQ(reg_clear_defaults(st), 0);
    T_EQ(rt_dword(k, "Both"), 2);
    reg_value *v;
    T_EQ(reg_get_layer_value(k, "Both", REG_LAYER_DEFAULT, &v), -ENOENT);
    T_EQ(reg_get_value(k, "DefOnly", &v), -ENOENT);
    T_EQ(reg_get_value(nd, "Default", &v), -ENOENT);
    reg_key *x;
    T_EQ(reg_key_open(st, "Adapters\\virt0\\Ndi", 0, &x), -ENOENT);
    T_EQ(reg_key_open(st, "Drivers", 0, &x), -ENOENT);
    uint32_t nk, nv;
    T_EQ(reg_key_info(k, &nk, &nv), 0);
    T_EQ(nk, 0);
    T_EQ(nv, 1);
    /* Rebuild, as after reloading the INF files. */
    rt_set(k, "DefOnly", reg_value_dword(4), true);
    T_EQ(rt_dword(k, "DefOnly"), 4);
    reg_key_close(nd);
    reg_key_close(other);
    reg_key_close(k);
    reg_store_close(st);
}

TEST(keys_outlive_their_store)
{
    const char *dir = t_tmpdir();
    reg_store *st = rt_open(dir);
    reg_key *k = rt_key(st, "A", REG_CREATE);
    rt_set(k, "v", reg_value_dword(1), false);
    reg_store_close(st);
    /* The lock is released at close, even with a key still open. */
    reg_store *st2 = rt_open(dir);
    reg_value *v;
    T_EQ(reg_get_value(k, "v", &v), -EBADF);
    T_EQ(reg_set_value(k, "v", &(reg_value){.type = REG_T_DWORD}), -EBADF);
    T_EQ(reg_delete_value(k, "v"), -EBADF);
    reg_key *sub;
    T_EQ(reg_key_open_sub(k, "", 0, &sub), -EBADF);
    char name[8];
    T_EQ(reg_enum_subkey(k, 0, name, sizeof(name)), -EBADF);
    reg_key_close(k); /* frees the first store */
    k = rt_key(st2, "A", 0);
    T_EQ(rt_dword(k, "v"), 1);
    reg_key_close(k);
    reg_store_close(st2);
    reg_store_close(NULL);
    reg_key_close(NULL);
}

TEST(file_is_the_documented_text_format)
{
    const char *dir = t_tmpdir();
    reg_store *st = rt_open(dir);
    reg_key *k = rt_key(st, "Adapters\\virt0", REG_CREATE);
    rt_set(k, "*JumboPacket", reg_value_dword(9014), false);
    rt_set(k, "Desc", reg_value_sz("say \"hi\"\n\\ caf\xC3\xA9\x01"), false);
    static const char *items[] = {"a", "b c"};
    rt_set(k, "Names", reg_value_multi_sz(items, 2), false);
    rt_set(k, "Blob", reg_value_binary("\x00\xff\x10", 3), false);
    rt_set(k, "Big", reg_value_qword(4294967296ull), false);
    rt_set(k, "Path", reg_value_expand_sz("%x%"), false);
    rt_set(k, "NotOnDisk", reg_value_dword(1), true);
    reg_key_close(rt_key(st, "Adapters\\virt1\\Empty", REG_CREATE));
    reg_key_close(k);
    reg_store_close(st);

    char *text = rt_read_file(rt_path(dir, REG_FILE_NAME), NULL);
    T_ASSERT(strncmp(text, "ndis-registry 1\n", 16) == 0);
    T_CONTAINS(text, "\n\nkey \"Adapters\" \"virt0\"\n"
                     "  dword \"*JumboPacket\" 9014\n"
                     "  qword \"Big\" 4294967296\n"
                     "  binary \"Blob\" 3 00ff10\n"
                     "  sz \"Desc\" \"say \\\"hi\\\"\\n\\\\ caf\xC3\xA9\\x01\"\n"
                     "  multi_sz \"Names\" 2 \"a\" \"b c\"\n"
                     "  expand_sz \"Path\" \"%x%\"\n"
                     "\nkey \"Adapters\" \"virt1\" \"Empty\"\n"
                     "end crc32 ");
    T_ASSERT(strstr(text, "NotOnDisk") == NULL);
    /* The checksum line is last, and covers everything before it. */
    char *end = strstr(text, "end crc32 ");
    T_EQ(strlen(end), strlen("end crc32 12345678\n"));
    free(text);
    T_ASSERT(rt_exists(rt_path(dir, REG_LOCK_NAME)));
    T_ASSERT(!rt_exists(rt_path(dir, REG_TMP_NAME)));
}

static unsigned steps_seen;
static int count_steps(const char *step)
{
    if (strcmp(step, "done") == 0)
        steps_seen++;
    return 0;
}

TEST(each_change_is_one_write_and_same_value_is_none)
{
    reg_store *st = rt_open(t_tmpdir());
    reg_test_hook = count_steps;
    reg_key *k = rt_key(st, "A\\B", REG_CREATE);
    T_EQ(steps_seen, 1);
    reg_key_close(rt_key(st, "a\\b", REG_CREATE)); /* already persisted */
    T_EQ(steps_seen, 1);
    rt_set(k, "x", reg_value_dword(1), false);
    T_EQ(steps_seen, 2);
    rt_set(k, "x", reg_value_dword(1), false);
    T_EQ(steps_seen, 2);
    rt_set(k, "x", reg_value_dword(2), false);
    T_EQ(steps_seen, 3);
    rt_set(k, "y", reg_value_dword(2), true);
    T_EQ(steps_seen, 3);
    T_EQ(reg_delete_value(k, "x"), 0);
    T_EQ(steps_seen, 4);
    reg_test_hook = NULL;
    reg_key_close(k);
    reg_store_close(st);
}
