/* ferry CLI: one entry point per command, ferry_cmd_<verb> (argc, argv),
 * argv[0] being the verb.  */
#ifndef FERRY_CLI_COMMANDS_H
#define FERRY_CLI_COMMANDS_H

int ferry_cmd_image (int argc, char **argv);
int ferry_cmd_images (int argc, char **argv);
int ferry_cmd_import (int argc, char **argv);
int ferry_cmd_load (int argc, char **argv);
int ferry_cmd_save (int argc, char **argv);
int ferry_cmd_search (int argc, char **argv);
int ferry_cmd_secret (int argc, char **argv);
int ferry_cmd_image_history (int argc, char **argv);
int ferry_cmd_init (int argc, char **argv);
int ferry_cmd_mount (int argc, char **argv);
int ferry_cmd_unmount (int argc, char **argv);
int ferry_cmd_image_tree (int argc, char **argv);
int ferry_cmd_rmi (int argc, char **argv);
int ferry_cmd_tag (int argc, char **argv);
int ferry_cmd_untag (int argc, char **argv);
int ferry_cmd_unshare (int argc, char **argv);
int ferry_cmd_pull (int argc, char **argv);
int ferry_cmd_push (int argc, char **argv);
int ferry_cmd_login (int argc, char **argv);
int ferry_cmd_logout (int argc, char **argv);
int ferry_cmd_container (int argc, char **argv);
int ferry_cmd_container_prune (int argc, char **argv);
int ferry_cmd_commit (int argc, char **argv);
int ferry_cmd_cp (int argc, char **argv);
int ferry_cmd_attach (int argc, char **argv);
int ferry_cmd_create (int argc, char **argv);
int ferry_cmd_diff (int argc, char **argv);
int ferry_cmd_exec (int argc, char **argv);
int ferry_cmd_export (int argc, char **argv);
int ferry_cmd_inspect (int argc, char **argv);
int ferry_cmd_container_inspect (int argc, char **argv);
int ferry_cmd_version (int argc, char **argv);
int ferry_cmd_kill (int argc, char **argv);
int ferry_cmd_logs (int argc, char **argv);
int ferry_cmd_pause (int argc, char **argv);
int ferry_cmd_ps (int argc, char **argv);
int ferry_cmd_rename (int argc, char **argv);
int ferry_cmd_restart (int argc, char **argv);
int ferry_cmd_rm (int argc, char **argv);
int ferry_cmd_run (int argc, char **argv);
int ferry_cmd_start (int argc, char **argv);
int ferry_cmd_stats (int argc, char **argv);
int ferry_cmd_stop (int argc, char **argv);
int ferry_cmd_top (int argc, char **argv);
int ferry_cmd_unpause (int argc, char **argv);
int ferry_cmd_update (int argc, char **argv);
int ferry_cmd_wait (int argc, char **argv);
int ferry_cmd_volume (int argc, char **argv);
int ferry_cmd_network (int argc, char **argv);
int ferry_cmd_port (int argc, char **argv);
int ferry_cmd_checkpoint (int argc, char **argv);
int ferry_cmd_restore (int argc, char **argv);
int ferry_cmd_migrate (int argc, char **argv);
int ferry_cmd_archive (int argc, char **argv);
int ferry_cmd_info (int argc, char **argv);
int ferry_cmd_events (int argc, char **argv);
int ferry_cmd_system (int argc, char **argv);
int ferry_cmd_healthcheck (int argc, char **argv);

#endif
