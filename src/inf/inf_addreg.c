/*
 * inf_addreg.c - lines of add-registry sections (the targets of AddReg):
 *
 *   reg-root, [subkey], [value-entry-name], [flags], [value[, value...]]
 *
 * reg-root is HKR (the component's own key), HKLM, HKCU, HKCR or HKU. flags
 * is a number (hex with 0x, or decimal); its FLG_ADDREG_TYPE_* part selects
 * the value type: 0 REG_SZ, 0x10000 REG_MULTI_SZ, 0x20000 REG_EXPAND_SZ,
 * 0x10001 REG_DWORD, 1 REG_BINARY, 0x20001 REG_NONE, and 0xNNNN0001 raw bytes
 * of registry type NNNN. REG_SZ takes one value field (quote a value that
 * contains commas), REG_MULTI_SZ one string per field, REG_DWORD one number,
 * binary types one hex byte per field. A line with only a root and a subkey,
 * or with FLG_ADDREG_KEYONLY, creates the key alone.
 */
#include "inf/inf_internal.h"

#include <errno.h>
#include <string.h>

static const char *const reg_roots[] = {"HKR", "HKLM", "HKCU", "HKCR", "HKU"};

static bool hex_byte(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 2)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = inf_lower(s[i]);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

int inf_addreg_decode(const struct inf_file *inf, const struct inf_line *line,
                      struct inf_addreg *out, struct inf_error *err)
{
    const char *file = inf_name(inf);
    const unsigned ln = line->lineno;
    const char *const *f = line->values;
    const size_t nf = line->nvalues;

    *out = (struct inf_addreg){.lineno = ln, .subkey = "", .value_name = ""};
    if (line->key)
        return inf_fail(err, file, ln, -EINVAL,
                        "unexpected '=' in an add-registry line (quote the value)");
    if (nf == 0 || !f[0][0])
        return inf_fail(err, file, ln, -EINVAL, "add-registry line without a registry root");
    bool root_ok = false;
    for (size_t i = 0; i < sizeof(reg_roots) / sizeof(reg_roots[0]); i++)
        root_ok |= inf_streq(f[0], reg_roots[i]);
    if (!root_ok)
        return inf_fail(err, file, ln, -EINVAL,
                        "unknown registry root '%s' (HKR, HKLM, HKCU, HKCR or HKU)", f[0]);
    out->root = f[0];
    if (nf > 1)
        out->subkey = f[1];
    if (nf > 2)
        out->value_name = f[2];
    if (nf > 3 && f[3][0] && inf_parse_u32(f[3], &out->flags))
        return inf_fail(err, file, ln, -EINVAL, "invalid add-registry flags '%s'", f[3]);
    out->data = nf > 4 ? f + 4 : NULL;
    out->ndata = nf > 4 ? nf - 4 : 0;

    if (nf <= 2 || (out->flags & FLG_ADDREG_KEYONLY)) {
        out->key_only = true;
        out->reg_type = INF_REG_NONE;
        return 0;
    }

    uint32_t type = out->flags & FLG_ADDREG_TYPE_MASK;
    switch (type) {
    case FLG_ADDREG_TYPE_SZ:
    case FLG_ADDREG_TYPE_EXPAND_SZ:
        out->reg_type = type == FLG_ADDREG_TYPE_SZ ? INF_REG_SZ : INF_REG_EXPAND_SZ;
        if (out->ndata > 1)
            return inf_fail(err, file, ln, -EINVAL,
                            "string value '%s' has %zu fields: quote a value that contains commas",
                            out->value_name, out->ndata);
        return 0;
    case FLG_ADDREG_TYPE_MULTI_SZ:
        out->reg_type = INF_REG_MULTI_SZ;
        return 0;
    case FLG_ADDREG_TYPE_DWORD:
        out->reg_type = INF_REG_DWORD;
        if (out->ndata != 1)
            return inf_fail(err, file, ln, -EINVAL, "REG_DWORD value '%s' needs exactly one number",
                            out->value_name);
        if (inf_parse_u32(out->data[0], &out->dword))
            return inf_fail(err, file, ln, -EINVAL, "invalid REG_DWORD value '%s'", out->data[0]);
        return 0;
    default:
        break;
    }
    if (!(type & FLG_ADDREG_BINVALUETYPE))
        return inf_fail(err, file, ln, -EINVAL, "unsupported add-registry value type 0x%08x",
                        (unsigned)type);
    /* Binary data: FLG_ADDREG_TYPE_BINARY, _NONE, or a REG_ type in the high word. */
    out->reg_type = type == FLG_ADDREG_TYPE_BINARY ? INF_REG_BINARY : type >> 16;
    if (type == FLG_ADDREG_TYPE_NONE)
        out->reg_type = INF_REG_NONE;
    for (size_t i = 0; i < out->ndata; i++)
        if (!hex_byte(out->data[i]))
            return inf_fail(err, file, ln, -EINVAL, "invalid binary byte '%s' (hex, e.g. 0a)",
                            out->data[i]);
    return 0;
}
