/*
 * The example binary of the osv-prebuilt template. Templates.csproj compiles it with the host gcc into
 * content/osv-prebuilt/prebuilt/hello.so while packing, so the package carries a binary built from this
 * source and the repository carries none.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("Hello from a prebuilt shared object on OSv!\n");
    for (int i = 1; i < argc; i++) {
        printf("argument %d: %s\n", i, argv[i]);
    }
    return 0;
}
