/* Uses an ARMv8.1 atomic (LSE: ldadd): runs on a CPU that has it, dies with SIGILL on an ARMv8.0 one. */
#include <stdio.h>
static long counter;
int main(void) {
    long before = __atomic_fetch_add(&counter, 5, __ATOMIC_SEQ_CST);
    printf("lse: %ld -> %ld\n", before, counter);
    return 0;
}
