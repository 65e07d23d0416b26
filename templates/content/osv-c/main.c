/*
 * OSv loads the linked shared object into its own address space and calls main() with the
 * arguments from the image's command line, so this is an ordinary C program.
 */
#include "greeting.h"

int main(int argc, char **argv)
{
    greet(argc > 1 ? argv[1] : "world");
    return 0;
}
