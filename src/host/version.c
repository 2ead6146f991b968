/* version.c - the library's own version string (host API). */
#include "ndishost.h"

const char *ndis_host_version(void)
{
    return "libndis " NDIS_HOST_VERSION_STRING;
}
