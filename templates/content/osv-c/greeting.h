#ifndef GREETING_H
#define GREETING_H

/* Prints one greeting line for name to standard output, which OSv sends to the serial console. */
void greet(const char *name);

#endif
