// prctl(2) is variadic, which Swift cannot call: a worker asks here to die with its supervisor.
#include <signal.h>
#include <sys/prctl.h>

static inline int nbrun_die_with_parent(void) {
    return prctl(PR_SET_PDEATHSIG, SIGKILL);
}
