#pragma once

#include <string>

// Builds the greeting line for a name.
std::string make_greeting(const std::string &name);
