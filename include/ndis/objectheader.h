/*
 * ndis/objectheader.h - NDIS_OBJECT_HEADER
 * (ddi/ndis-split/objectheader/ns-objectheader-ndis_object_header.md).
 * The NDIS_OBJECT_TYPE_* values live in ntddndis.h, as in the WDK.
 */
#ifndef _NDIS_OBJECTHEADER_H_
#define _NDIS_OBJECTHEADER_H_

#include <ntdef.h>

typedef struct _NDIS_OBJECT_HEADER {
    UCHAR Type;     /* NDIS_OBJECT_TYPE_* */
    UCHAR Revision; /* structure-specific *_REVISION_n */
    USHORT Size;    /* NDIS_SIZEOF_*_REVISION_n, or sizeof the structure */
} NDIS_OBJECT_HEADER, *PNDIS_OBJECT_HEADER;

/* True when the header describes a structure of at least revision R and size S. */
#define NDIS_CHECK_HEADER(_hdr, _type, _rev, _size)                             \
    ((_hdr).Type == (_type) && (_hdr).Revision >= (_rev) && (_hdr).Size >= (_size))

#define NDIS_SIZEOF_OBJECT_HEADER sizeof(NDIS_OBJECT_HEADER)

#endif /* _NDIS_OBJECTHEADER_H_ */
