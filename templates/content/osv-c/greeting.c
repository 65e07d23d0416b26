#include <stdio.h>

#include "greeting.h"

void greet(const char *name)
{
    printf("Hello, %s, from OSv!\n", name);
}
