/* ferry: CRIU's statistics files (stats-dump, stats-restore), which CRIU
 * writes as a protobuf image: the service magic, the stats magic, then one
 * length-prefixed StatsEntry message.  */
#ifndef FERRY_ARCHIVE_CRIU_STATS_H
#define FERRY_ARCHIVE_CRIU_STATS_H

#include "../util/error.h"

#include <json-c/json.h>
#include <stdint.h>

/* Parses PATH into a JSON object with the fields present, named as in
 * CRIU's stats.proto: freezing_time, frozen_time, memdump_time,
 * memwrite_time (microseconds), pages_scanned, pages_skipped_parent,
 * pages_written, pages_lazy, page_pipes, page_pipe_bufs, shpages_scanned,
 * shpages_skipped_parent, shpages_written (dump) and pages_compared,
 * pages_skipped_cow, forking_time, restore_time, pages_restored (restore). */
json_object *ferry_criu_stats_parse (const char *path, ferry_error_t *err);

#endif
