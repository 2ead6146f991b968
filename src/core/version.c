/*
 * version.c - which NDIS versions drivers may declare.
 *
 * libndis accepts drivers built for NDIS 6.0 through 6.82 (the versions with a
 * NDIS_RUNTIME_VERSION_* value in constants.md 4.11) and reports 6.82 from
 * NdisGetVersion. Features a later version introduced are not offered: their
 * DDIs are absent from the headers, and their optional handlers are never
 * called. NDIS 5.x drivers are refused with NDIS_STATUS_BAD_VERSION.
 */
#include "core/core.h"

static const UCHAR supported_minors[] = {0, 1, 20, 30, 40, 50, 51, 60, 70, 80, 81, 82};

bool ndisi_version_supported(UCHAR major, UCHAR minor)
{
    if (major != 6)
        return false;
    for (size_t i = 0; i < sizeof(supported_minors); i++)
        if (supported_minors[i] == minor)
            return true;
    return false;
}

/* NDIS 6.1's minor number is 1, so comparisons work on the raw minor number. */
bool ndisi_version_at_least(UCHAR major, UCHAR minor, UCHAR want_major, UCHAR want_minor)
{
    return major > want_major || (major == want_major && minor >= want_minor);
}
