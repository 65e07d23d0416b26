#include "greeting.hpp"

std::string make_greeting(const std::string &name)
{
    return "Hello, " + name + ", from OSv!";
}
