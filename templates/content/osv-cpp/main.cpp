// OSv loads the linked shared object into its own address space and calls main() with the
// arguments from the image's command line, so this is an ordinary C++ program.
#include <iostream>

#include "greeting.hpp"

int main(int argc, char **argv)
{
    std::cout << make_greeting(argc > 1 ? argv[1] : "world") << std::endl;
    return 0;
}
