/* ferry: fault injection for the crash-safety tests.
 *
 * With FERRY_FAULT=NAME in its environment, ferry kills itself with
 * SIGKILL when it reaches the point NAME, as an operator's kill -9 or a
 * power cut would stop it there; the tests then check that the next
 * command settles what it left (tests/system/047-crash-safety.bats).
 * With FERRY_FAULT=NAME:stop it stops itself there (SIGSTOP), for tests
 * of what others see of an operation in progress.  Without the variable
 * a point costs one test.  */
#ifndef FERRY_UTIL_FAULT_H
#define FERRY_UTIL_FAULT_H

void ferry_fault_point (const char *name);

#endif
