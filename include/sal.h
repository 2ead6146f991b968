/* sal.h placeholder - replaced by the full SAL no-op list */
#ifndef _SAL_H_LIBNDIS_
#define _SAL_H_LIBNDIS_
#define _In_
#define _Out_
#define _Inout_
#define _In_opt_
#define _Out_opt_
#endif
