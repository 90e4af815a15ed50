/* ferry: fault injection for the crash-safety tests.
 *
 * With FERRY_FAULT=NAME in its environment, ferry kills itself with
 * SIGKILL when it reaches the point NAME, as an operator's kill -9 or a
 * power cut would stop it there; the tests then check that the next
 * command settles what it left (tests/system/047-crash-safety.bats).
 * Without the variable a point costs one comparison.  */
#ifndef FERRY_UTIL_FAULT_H
#define FERRY_UTIL_FAULT_H

void ferry_fault_point (const char *name);

#endif
