/*
 * The smallest OSv application: OSv loads hello.so (or the PIE build, hello) and calls main()
 * in the kernel's own address space, with the arguments from the image's command line.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("Hello from OSv!\n");
    for (int i = 1; i < argc; i++) {
        printf("argument %d: %s\n", i, argv[i]);
    }
    return 0;
}
