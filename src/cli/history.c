/* ferry CLI: image history and image tree.  */
#include "commands.h"
#include "common.h"

int
ferry_cmd_image_history (int argc, char **argv)
{
  (void) argc;
  (void) argv;
  return 0;
}

int
ferry_cmd_image_tree (int argc, char **argv)
{
  (void) argc;
  (void) argv;
  return 0;
}
