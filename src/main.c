#include <stdio.h>
int main(void) {
    fprintf(stderr, "r1sim: under construction\n");
    return 2;
}
