/* Built with -DNDEBUG: ASSERT and KdPrint compile to nothing. */
#include <wdm.h>

#include "headers_base_test.h"

int hb_assert_disabled(int cond)
{
    ASSERT(cond);
    NT_ASSERT(cond);
    KdPrint(("not printed %d\n", cond));
    return NT_VERIFY(cond) ? 1 : 0;
}
