/* ferry CLI: one entry point per command, ferry_cmd_<verb> (argc, argv),
 * argv[0] being the verb.  */
#ifndef FERRY_CLI_COMMANDS_H
#define FERRY_CLI_COMMANDS_H

int ferry_cmd_image (int argc, char **argv);
int ferry_cmd_images (int argc, char **argv);
int ferry_cmd_import (int argc, char **argv);
int ferry_cmd_load (int argc, char **argv);
int ferry_cmd_rmi (int argc, char **argv);
int ferry_cmd_volume (int argc, char **argv);

#endif
