/* fsm.c - checked state transitions (see fsm.h). */
#include "core/fsm.h"

#include "core/verifier.h"

bool ndisi_fsm_allowed(const struct ndisi_fsm *fsm, int state, unsigned event)
{
    if ((unsigned)state >= fsm->nstates || event >= fsm->nevents)
        return false;
    return fsm->table[event * fsm->nstates + (unsigned)state] != NDISI_FSM_INVALID;
}

bool ndisi_fsm_apply(const struct ndisi_fsm *fsm, atomic_int *state, unsigned event,
                     const char *objname, const char *ddi)
{
    int cur = atomic_load(state);
    for (;;) {
        if (!ndisi_fsm_allowed(fsm, cur, event)) {
            ndisi_report(NDISI_V_STATE, ddi, fsm->page,
                         "%s '%s': event '%s' is not valid in state %s", fsm->kind, objname,
                         event < fsm->nevents ? fsm->event_names[event] : "?",
                         ndisi_fsm_state_name(fsm, cur));
            return false;
        }
        int next = fsm->table[event * fsm->nstates + (unsigned)cur];
        if (atomic_compare_exchange_weak(state, &cur, next))
            return true;
    }
}
