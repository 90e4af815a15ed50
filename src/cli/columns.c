#include "columns.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/xalloc.h"

#include <string.h>
#include <wchar.h>

#define COLUMN_MIN_WIDTH 12
#define COLUMN_PADDING 2

/* Characters, not bytes: "µs" is two wide.  */
static size_t
text_width (const char *s)
{
  size_t n = 0;

  for (; *s; s++)
    if (((unsigned char) *s & 0xc0) != 0x80)
      n++;
  return n;
}

void
ferry_cli_print_columns (FILE *out, char *const *cells, size_t rows, size_t cols)
{
  cleanup_free size_t *width = xmalloc0 (sizeof (size_t) * (cols + 1));
  size_t r, c;

  for (c = 0; c < cols; c++)
    {
      width[c] = COLUMN_MIN_WIDTH;
      for (r = 0; r < rows; r++)
        {
          size_t w = text_width (cells[r * cols + c]) + COLUMN_PADDING;
          if (w > width[c])
            width[c] = w;
        }
    }
  for (r = 0; r < rows; r++)
    {
      for (c = 0; c < cols; c++)
        {
          const char *s = cells[r * cols + c];

          fputs (s, out);
          if (c + 1 < cols)
            fprintf (out, "%*s", (int) (width[c] - text_width (s)), "");
        }
      fputc ('\n', out);
    }
}
