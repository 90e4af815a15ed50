/* ferry CLI: aligned columns, laid out as Podman's tables (Go's
 * tabwriter with a minimum width of 12 and a padding of 2).  */
#ifndef FERRY_CLI_COLUMNS_H
#define FERRY_CLI_COLUMNS_H

#include <stddef.h>
#include <stdio.h>

/* Prints ROWS rows of COLS cells (row-major); every column but the last
 * is as wide as its widest cell plus two, and at least twelve.  */
void ferry_cli_print_columns (FILE *out, char *const *cells, size_t rows, size_t cols);

#endif
