/* ferry CLI: the Go structs of Podman's reports, as its templates see
 * them.  Go's fmt prints a struct as its fields' values in declaration
 * order ({on-failure 3}), which no JSON object can say: this table says
 * it, field by field, as Podman 5.4's types declare them (read with
 * printf "%+v" on this machine).  The template engine walks a report
 * with it (ferry_cli_tpl_go_members) and prints what it marked.
 *
 * A field's type is written as Go writes it, with these words:
 * string, num (any number), bool, time (time.Time), duration
 * (time.Duration, nanoseconds in the JSON), any, ip (net.IP),
 * ipnet (a CIDR printed as Go's net.IPNet), struct {}, []T, map[]T
 * (string keys), *T, a struct's name, and ^T for an embedded struct T
 * whose fields the JSON holds in the same object.  */
#include "template.h"

#include <string.h>

#define END_FIELDS                                                                                           \
  {                                                                                                          \
    NULL, NULL, NULL                                                                                         \
  }

static const struct ferry_cli_go_field restart_policy[]
    = { { "Name", "string", NULL }, { "MaximumRetryCount", "num", NULL }, END_FIELDS };

static const struct ferry_cli_go_field log_config[] = {
  { "Type", "string", NULL }, { "Config", "map[]string", NULL }, { "Path", "string", NULL },
  { "Tag", "string", NULL },  { "Size", "string", NULL },        END_FIELDS,
};

static const struct ferry_cli_go_field host_port[]
    = { { "HostIP", "string", "HostIp" }, { "HostPort", "string", NULL }, END_FIELDS };

static const struct ferry_cli_go_field mount[] = {
  { "Type", "string", NULL },
  { "Name", "string", NULL },
  { "Source", "string", NULL },
  { "Destination", "string", NULL },
  { "Driver", "string", NULL },
  { "Mode", "string", NULL },
  { "Options", "[]string", NULL },
  { "RW", "bool", NULL },
  { "Propagation", "string", NULL },
  { "SubPath", "string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field health_log[] = {
  { "Start", "string", NULL },
  { "End", "string", NULL },
  { "ExitCode", "num", NULL },
  { "Output", "string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field health_results[] = {
  { "Status", "string", NULL },
  { "FailingStreak", "num", NULL },
  { "Log", "[]define.HealthCheckLog", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field container_state[] = {
  { "OciVersion", "string", NULL },
  { "Status", "string", NULL },
  { "Running", "bool", NULL },
  { "Paused", "bool", NULL },
  { "Restarting", "bool", NULL },
  { "OOMKilled", "bool", NULL },
  { "Dead", "bool", NULL },
  { "Pid", "num", NULL },
  { "ConmonPid", "num", NULL },
  { "ExitCode", "num", NULL },
  { "Error", "string", NULL },
  { "StartedAt", "time", NULL },
  { "FinishedAt", "time", NULL },
  { "Health", "*define.HealthCheckResults", NULL },
  { "Checkpointed", "bool", NULL },
  { "CgroupPath", "string", NULL },
  { "CheckpointedAt", "time", NULL },
  { "RestoredAt", "time", NULL },
  { "CheckpointLog", "string", NULL },
  { "CheckpointPath", "string", NULL },
  { "RestoreLog", "string", NULL },
  { "Restored", "bool", NULL },
  { "StoppedByUser", "bool", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field health_config[] = {
  { "Test", "[]string", NULL },
  { "StartPeriod", "duration", NULL },
  { "StartInterval", "duration", NULL },
  { "Interval", "duration", NULL },
  { "Timeout", "duration", NULL },
  { "Retries", "num", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field container_config[] = {
  { "Hostname", "string", NULL },
  { "DomainName", "string", "Domainname" },
  { "User", "string", NULL },
  { "AttachStdin", "bool", NULL },
  { "AttachStdout", "bool", NULL },
  { "AttachStderr", "bool", NULL },
  { "Tty", "bool", NULL },
  { "OpenStdin", "bool", NULL },
  { "StdinOnce", "bool", NULL },
  { "Env", "[]string", NULL },
  { "Cmd", "[]string", NULL },
  { "Image", "string", NULL },
  { "Volumes", "map[]struct {}", NULL },
  { "WorkingDir", "string", NULL },
  { "Entrypoint", "[]string", NULL },
  { "OnBuild", "*string", NULL },
  { "Labels", "map[]string", NULL },
  { "Annotations", "map[]string", NULL },
  { "StopSignal", "string", NULL },
  { "StartupHealthCheck", "*define.StartupHealthCheck", NULL },
  { "Healthcheck", "*manifest.Schema2HealthConfig", NULL },
  { "HealthcheckOnFailureAction", "string", NULL },
  { "HealthLogDestination", "string", NULL },
  { "HealthMaxLogCount", "num", "HealthcheckMaxLogCount" },
  { "HealthMaxLogSize", "num", "HealthcheckMaxLogSize" },
  { "CreateCommand", "[]string", NULL },
  { "Timezone", "string", NULL },
  { "SystemdMode", "bool", NULL },
  { "Umask", "string", NULL },
  { "Secrets", "[]*define.InspectSecret", NULL },
  { "Timeout", "num", NULL },
  { "StopTimeout", "num", NULL },
  { "Passwd", "*bool", NULL },
  { "ChrootDirs", "[]string", NULL },
  { "SdNotifyMode", "string", "sdNotifyMode" },
  { "SdNotifySocket", "string", NULL },
  { "ExposedPorts", "map[]struct {}", NULL },
  { "V4PodmanCompatMarshal", "bool", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field startup_health[] = {
  { "Test", "[]string", NULL },          { "StartPeriod", "duration", NULL },
  { "StartInterval", "duration", NULL }, { "Interval", "duration", NULL },
  { "Timeout", "duration", NULL },       { "Retries", "num", NULL },
  { "Successes", "num", NULL },          END_FIELDS,
};

static const struct ferry_cli_go_field weight_device[]
    = { { "Path", "string", NULL }, { "Weight", "num", NULL }, END_FIELDS };

static const struct ferry_cli_go_field throttle_device[]
    = { { "Path", "string", NULL }, { "Rate", "num", NULL }, END_FIELDS };

static const struct ferry_cli_go_field device[] = {
  { "PathOnHost", "string", NULL },
  { "PathInContainer", "string", NULL },
  { "CgroupPermissions", "string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field ulimit[]
    = { { "Name", "string", NULL }, { "Soft", "num", NULL }, { "Hard", "num", NULL }, END_FIELDS };

static const struct ferry_cli_go_field host_config[] = {
  { "Binds", "[]string", NULL },
  { "CgroupManager", "string", NULL },
  { "CgroupMode", "string", NULL },
  { "ContainerIDFile", "string", NULL },
  { "LogConfig", "*define.InspectLogConfig", NULL },
  { "NetworkMode", "string", NULL },
  { "PortBindings", "map[][]define.InspectHostPort", NULL },
  { "RestartPolicy", "*define.InspectRestartPolicy", NULL },
  { "AutoRemove", "bool", NULL },
  { "AutoRemoveImage", "bool", NULL },
  { "Annotations", "map[]string", NULL },
  { "VolumeDriver", "string", NULL },
  { "VolumesFrom", "[]string", NULL },
  { "CapAdd", "[]string", NULL },
  { "CapDrop", "[]string", NULL },
  { "Dns", "[]string", NULL },
  { "DnsOptions", "[]string", NULL },
  { "DnsSearch", "[]string", NULL },
  { "ExtraHosts", "[]string", NULL },
  { "HostsFile", "string", NULL },
  { "GroupAdd", "[]string", NULL },
  { "IpcMode", "string", NULL },
  { "Cgroup", "string", NULL },
  { "Cgroups", "string", NULL },
  { "Links", "[]string", NULL },
  { "OomScoreAdj", "num", NULL },
  { "PidMode", "string", NULL },
  { "Privileged", "bool", NULL },
  { "PublishAllPorts", "bool", NULL },
  { "ReadonlyRootfs", "bool", NULL },
  { "SecurityOpt", "[]string", NULL },
  { "Tmpfs", "map[]string", NULL },
  { "UTSMode", "string", NULL },
  { "UsernsMode", "string", NULL },
  { "IDMappings", "*define.InspectIDMappings", NULL },
  { "ShmSize", "num", NULL },
  { "Runtime", "string", NULL },
  { "ConsoleSize", "[]num", NULL },
  { "Isolation", "string", NULL },
  { "CpuShares", "num", NULL },
  { "Memory", "num", NULL },
  { "NanoCpus", "num", NULL },
  { "CgroupParent", "string", NULL },
  { "BlkioWeight", "num", NULL },
  { "BlkioWeightDevice", "[]define.InspectBlkioWeightDevice", NULL },
  { "BlkioDeviceReadBps", "[]define.InspectBlkioThrottleDevice", NULL },
  { "BlkioDeviceWriteBps", "[]define.InspectBlkioThrottleDevice", NULL },
  { "BlkioDeviceReadIOps", "[]define.InspectBlkioThrottleDevice", NULL },
  { "BlkioDeviceWriteIOps", "[]define.InspectBlkioThrottleDevice", NULL },
  { "CpuPeriod", "num", NULL },
  { "CpuQuota", "num", NULL },
  { "CpuRealtimePeriod", "num", NULL },
  { "CpuRealtimeRuntime", "num", NULL },
  { "CpusetCpus", "string", NULL },
  { "CpusetMems", "string", NULL },
  { "Devices", "[]define.InspectDevice", NULL },
  { "DiskQuota", "num", NULL },
  { "KernelMemory", "num", NULL },
  { "MemoryReservation", "num", NULL },
  { "MemorySwap", "num", NULL },
  { "MemorySwappiness", "num", NULL },
  { "OomKillDisable", "bool", NULL },
  { "Init", "bool", NULL },
  { "PidsLimit", "num", NULL },
  { "Ulimits", "[]define.InspectUlimit", NULL },
  { "CpuCount", "num", NULL },
  { "CpuPercent", "num", NULL },
  { "IOMaximumIOps", "num", NULL },
  { "IOMaximumBandwidth", "num", NULL },
  { "CgroupConf", "map[]string", NULL },
  { "IntelRdtClosID", "string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field address[]
    = { { "Addr", "string", NULL }, { "PrefixLength", "num", NULL }, END_FIELDS };

static const struct ferry_cli_go_field basic_network[] = {
  { "EndpointID", "string", NULL },
  { "Gateway", "string", NULL },
  { "IPAddress", "string", NULL },
  { "IPPrefixLen", "num", NULL },
  { "SecondaryIPAddresses", "[]define.Address", NULL },
  { "IPv6Gateway", "string", NULL },
  { "GlobalIPv6Address", "string", NULL },
  { "GlobalIPv6PrefixLen", "num", NULL },
  { "SecondaryIPv6Addresses", "[]define.Address", NULL },
  { "MacAddress", "string", NULL },
  { "AdditionalMacAddresses", "[]string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field network_settings[] = {
  { "InspectBasicNetworkConfig", "^define.InspectBasicNetworkConfig", NULL },
  { "Bridge", "string", NULL },
  { "SandboxID", "string", NULL },
  { "HairpinMode", "bool", NULL },
  { "LinkLocalIPv6Address", "string", NULL },
  { "LinkLocalIPv6PrefixLen", "num", NULL },
  { "Ports", "map[][]define.InspectHostPort", NULL },
  { "SandboxKey", "string", NULL },
  { "Networks", "map[]*define.InspectAdditionalNetwork", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field additional_network[] = {
  { "InspectBasicNetworkConfig", "^define.InspectBasicNetworkConfig", NULL },
  { "NetworkID", "string", NULL },
  { "DriverOpts", "map[]string", NULL },
  { "IPAMConfig", "map[]string", NULL },
  { "Links", "[]string", NULL },
  { "Aliases", "[]string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field driver_data[]
    = { { "Name", "string", NULL }, { "Data", "map[]string", NULL }, END_FIELDS };

/* The members of a container's inspect that are structs.  */
static const struct ferry_cli_go_field container_data[] = {
  { "State", "*define.InspectContainerState", NULL },
  { "Mounts", "[]define.InspectMount", NULL },
  { "Config", "*define.InspectContainerConfig", NULL },
  { "HostConfig", "*define.InspectContainerHostConfig", NULL },
  { "GraphDriver", "*define.DriverData", NULL },
  { "NetworkSettings", "*define.InspectNetworkSettings", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field image_config[] = {
  { "User", "string", NULL },
  { "ExposedPorts", "map[]struct {}", NULL },
  { "Env", "[]string", NULL },
  { "Entrypoint", "[]string", NULL },
  { "Cmd", "[]string", NULL },
  { "Volumes", "map[]struct {}", NULL },
  { "WorkingDir", "string", NULL },
  { "Labels", "map[]string", NULL },
  { "StopSignal", "string", NULL },
  { "ArgsEscaped", "bool", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field rootfs[]
    = { { "Type", "string", NULL }, { "Layers", "[]string", NULL }, END_FIELDS };

static const struct ferry_cli_go_field history[] = {
  { "Created", "*time", NULL },  { "CreatedBy", "string", NULL }, { "Author", "string", NULL },
  { "Comment", "string", NULL }, { "EmptyLayer", "bool", NULL },  END_FIELDS,
};

/* The members of an image's inspect that are structs.  */
static const struct ferry_cli_go_field image_data[] = {
  { "Config", "*v1.ImageConfig", NULL },
  { "RootFS", "*inspect.RootFS", NULL },
  { "GraphDriver", "*define.DriverData", NULL },
  { "History", "[]v1.History", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field subnet[] = {
  { "Subnet", "ipnet", NULL },
  { "Gateway", "ip", NULL },
  { "LeaseRange", "*types.LeaseRange", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field route[]
    = { { "Destination", "ipnet", NULL }, { "Gateway", "ip", NULL }, { "Metric", "*num", NULL }, END_FIELDS };

/* The members of a network's inspect and ls that are structs.  */
static const struct ferry_cli_go_field network[] = {
  { "Subnets", "[]types.Subnet", NULL },
  { "Routes", "[]types.Route", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field conmon_info[] = {
  { "Package", "string", NULL }, { "Path", "string", NULL }, { "Version", "string", NULL }, END_FIELDS
};

static const struct ferry_cli_go_field runtime_info[] = {
  { "Name", "string", NULL },
  { "Package", "string", NULL },
  { "Path", "string", NULL },
  { "Version", "string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field cpu_usage[] = {
  { "UserPercent", "num", NULL },
  { "SystemPercent", "num", NULL },
  { "IdlePercent", "num", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field distribution[] = {
  { "Distribution", "string", NULL },
  { "Variant", "string", NULL },
  { "Version", "string", NULL },
  { "Codename", "string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field id_map[] = {
  { "ContainerID", "num", NULL },
  { "HostID", "num", NULL },
  { "Size", "num", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field id_mappings[] = {
  { "GIDMap", "[]idtools.IDMap", "Gidmap" },
  { "UIDMap", "[]idtools.IDMap", "Uidmap" },
  END_FIELDS,
};

/* A container's HostConfig.IDMappings: Go's names, the JSON's.  */
static const struct ferry_cli_go_field inspect_id_mappings[] = {
  { "UIDMap", "[]string", "UidMap" },
  { "GIDMap", "[]string", "GidMap" },
  END_FIELDS,
};

static const struct ferry_cli_go_field dns_info[] = {
  { "Version", "string", NULL }, { "Package", "string", NULL }, { "Path", "string", NULL }, END_FIELDS
};

static const struct ferry_cli_go_field network_info[] = {
  { "Backend", "string", NULL }, { "Version", "string", NULL },           { "Package", "string", NULL },
  { "Path", "string", NULL },    { "DNS", "types.DNSNetworkInfo", NULL }, END_FIELDS,
};

static const struct ferry_cli_go_field remote_socket[]
    = { { "Path", "string", NULL }, { "Exists", "bool", NULL }, END_FIELDS };

static const struct ferry_cli_go_field security_info[] = {
  { "AppArmorEnabled", "bool", "ApparmorEnabled" },
  { "DefaultCapabilities", "string", "Capabilities" },
  { "Rootless", "bool", NULL },
  { "SECCOMPEnabled", "bool", "SeccompEnabled" },
  { "SECCOMPProfilePath", "string", "SeccompProfilePath" },
  { "SELinuxEnabled", "bool", "SelinuxEnabled" },
  END_FIELDS,
};

static const struct ferry_cli_go_field helper_info[] = {
  { "Executable", "string", NULL }, { "Package", "string", NULL }, { "Version", "string", NULL }, END_FIELDS
};

static const struct ferry_cli_go_field host_info[] = {
  { "Arch", "string", NULL },
  { "BuildahVersion", "string", NULL },
  { "CgroupManager", "string", NULL },
  { "CgroupsVersion", "string", NULL },
  { "CgroupControllers", "[]string", NULL },
  { "Conmon", "*define.ConmonInfo", NULL },
  { "CPUs", "num", NULL },
  { "CPUUtilization", "*define.CPUUsage", NULL },
  { "DatabaseBackend", "string", NULL },
  { "Distribution", "define.DistributionInfo", NULL },
  { "EventLogger", "string", NULL },
  { "FreeLocks", "*num", NULL },
  { "Hostname", "string", NULL },
  { "IDMappings", "define.IDMappings", NULL },
  { "Kernel", "string", NULL },
  { "LogDriver", "string", NULL },
  { "MemFree", "num", NULL },
  { "MemTotal", "num", NULL },
  { "NetworkBackend", "string", NULL },
  { "NetworkBackendInfo", "types.NetworkInfo", NULL },
  { "OCIRuntime", "*define.OCIRuntimeInfo", NULL },
  { "OS", "string", NULL },
  { "RemoteSocket", "*define.RemoteSocket", NULL },
  { "RootlessNetworkCmd", "string", NULL },
  { "RuntimeInfo", "map[]any", NULL },
  { "ServiceIsRemote", "bool", NULL },
  { "Security", "define.SecurityInfo", NULL },
  { "Slirp4NetNS", "define.SlirpInfo", NULL },
  { "Pasta", "define.PastaInfo", NULL },
  { "SwapFree", "num", NULL },
  { "SwapTotal", "num", NULL },
  { "Uptime", "string", NULL },
  { "Variant", "string", NULL },
  { "Linkmode", "string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field container_store[] = {
  { "Number", "num", NULL },
  { "Paused", "num", NULL },
  { "Running", "num", NULL },
  { "Stopped", "num", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field image_store[] = { { "Number", "num", NULL }, END_FIELDS };

static const struct ferry_cli_go_field store_info[] = {
  { "ConfigFile", "string", NULL },      { "ContainerStore", "define.ContainerStore", NULL },
  { "GraphDriverName", "string", NULL }, { "GraphOptions", "map[]any", NULL },
  { "GraphRoot", "string", NULL },       { "GraphRootAllocated", "num", NULL },
  { "GraphRootUsed", "num", NULL },      { "GraphStatus", "map[]string", NULL },
  { "ImageCopyTmpDir", "string", NULL }, { "ImageStore", "define.ImageStore", NULL },
  { "RunRoot", "string", NULL },         { "VolumePath", "string", NULL },
  { "TransientStore", "bool", NULL },    END_FIELDS,
};

static const struct ferry_cli_go_field version[] = {
  { "APIVersion", "string", NULL },  { "Version", "string", NULL },
  { "GoVersion", "string", NULL },   { "GitCommit", "string", NULL },
  { "BuiltTime", "string", NULL },   { "Built", "num", NULL },
  { "BuildOrigin", "string", NULL }, { "OsArch", "string", NULL },
  { "Os", "string", NULL },          END_FIELDS,
};

static const struct ferry_cli_go_field plugins[] = {
  { "Volume", "[]string", NULL },
  { "Network", "[]string", NULL },
  { "Log", "[]string", NULL },
  { "Authorization", "[]string", NULL },
  END_FIELDS,
};

/* info's top.  */
static const struct ferry_cli_go_field info[] = {
  { "Host", "*define.HostInfo", NULL },  { "Store", "*define.StoreInfo", NULL },
  { "Registries", "map[]any", NULL },    { "Plugins", "define.Plugins", NULL },
  { "Version", "define.Version", NULL }, END_FIELDS,
};

static const struct ferry_cli_go_field ps_namespaces[] = {
  { "MNT", "string", NULL },   { "Cgroup", "string", NULL },
  { "IPC", "string", NULL },   { "NET", "string", NULL },
  { "PIDNS", "string", NULL }, { "UTS", "string", NULL },
  { "User", "string", NULL },  END_FIELDS,
};

static const struct ferry_cli_go_field network_stats[] = {
  { "RxBytes", "num", NULL },   { "RxDropped", "num", NULL }, { "RxErrors", "num", NULL },
  { "RxPackets", "num", NULL }, { "TxBytes", "num", NULL },   { "TxDropped", "num", NULL },
  { "TxErrors", "num", NULL },  { "TxPackets", "num", NULL }, END_FIELDS,
};

static const struct ferry_cli_go_field container_stats[] = {
  { "AvgCPU", "num", NULL },        { "ContainerID", "string", NULL },
  { "Name", "string", NULL },       { "PerCPU", "[]num", NULL },
  { "CPU", "num", NULL },           { "CPUNano", "num", NULL },
  { "CPUSystemNano", "num", NULL }, { "SystemNano", "num", NULL },
  { "MemUsage", "num", NULL },      { "MemLimit", "num", NULL },
  { "MemPerc", "num", NULL },       { "Network", "map[]define.ContainerNetworkStats", NULL },
  { "BlockInput", "num", NULL },    { "BlockOutput", "num", NULL },
  { "PIDs", "num", NULL },          { "UpTime", "duration", NULL },
  { "Duration", "num", NULL },      END_FIELDS,
};

/* A stats report: define.ContainerStats's members, of which these have
 * types JSON cannot say, and the ContainerStats itself.  */
static const struct ferry_cli_go_field stats_row[] = {
  { "ContainerStats", "define.ContainerStats", NULL },
  { "PerCPU", "[]num", NULL },
  { "Network", "map[]define.ContainerNetworkStats", NULL },
  { "UpTime", "duration", NULL },
  END_FIELDS,
};

/* The members of a ps row that are structs.  */
/* What images' templates see of Podman's images.imageReporter.  */
static const struct ferry_cli_go_field image_row[] = {
  { "Names", "[]string", NULL },
  { "RepoTags", "[]string", NULL },
  { "RepoDigests", "[]string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field ps_row[] = {
  { "Mounts", "[]string", NULL },
  { "Namespaces", "entities.ListContainerNamespaces", NULL },
  /* map[uint16][]string: ports in numeric order.  */
  { "ExposedPorts", "map[#][]string", NULL },
  END_FIELDS,
};

/* What events' templates see: Podman's system.Event, with its
 * events.Details embedded.  */
static const struct ferry_cli_go_field event_details[] = {
  { "ContainerInspectData", "string", NULL },
  { "PodID", "string", NULL },
  { "Attributes", "map[]string", NULL },
  END_FIELDS,
};

static const struct ferry_cli_go_field event[] = {
  { "ContainerExitCode", "*num", NULL },
  { "ID", "string", NULL },
  { "Image", "string", NULL },
  { "Name", "string", NULL },
  { "Network", "string", "network" },
  { "Status", "string", NULL },
  { "Time", "num", "time" },
  { "TimeNano", "num", "timeNano" },
  { "Type", "string", NULL },
  { "HealthStatus", "string", "health_status" },
  { "Error", "string", NULL },
  { "Details", "^events.Details", NULL },
  END_FIELDS,
};

/* struct{}, the values of ExposedPorts and Volumes.  */
static const struct ferry_cli_go_field empty[] = { END_FIELDS };

static const struct ferry_cli_go_struct structs[] = {
  { "struct {}", empty },
  { "define.InspectRestartPolicy", restart_policy },
  { "define.InspectLogConfig", log_config },
  { "define.InspectHostPort", host_port },
  { "define.InspectMount", mount },
  { "define.HealthCheckLog", health_log },
  { "define.HealthCheckResults", health_results },
  { "define.InspectContainerState", container_state },
  { "manifest.Schema2HealthConfig", health_config },
  { "define.StartupHealthCheck", startup_health },
  { "define.InspectContainerConfig", container_config },
  { "define.InspectBlkioWeightDevice", weight_device },
  { "define.InspectBlkioThrottleDevice", throttle_device },
  { "define.InspectDevice", device },
  { "define.InspectUlimit", ulimit },
  { "define.InspectContainerHostConfig", host_config },
  { "define.Address", address },
  { "define.InspectBasicNetworkConfig", basic_network },
  { "define.InspectNetworkSettings", network_settings },
  { "define.InspectAdditionalNetwork", additional_network },
  { "define.DriverData", driver_data },
  { "ferry.ContainerInspect", container_data },
  { "v1.ImageConfig", image_config },
  { "inspect.RootFS", rootfs },
  { "v1.History", history },
  { "ferry.ImageInspect", image_data },
  { "types.Subnet", subnet },
  { "types.Route", route },
  { "ferry.Network", network },
  { "define.ConmonInfo", conmon_info },
  { "define.OCIRuntimeInfo", runtime_info },
  { "define.CPUUsage", cpu_usage },
  { "define.DistributionInfo", distribution },
  { "idtools.IDMap", id_map },
  { "define.IDMappings", id_mappings },
  { "define.InspectIDMappings", inspect_id_mappings },
  { "types.DNSNetworkInfo", dns_info },
  { "types.NetworkInfo", network_info },
  { "define.RemoteSocket", remote_socket },
  { "define.SecurityInfo", security_info },
  { "define.SlirpInfo", helper_info },
  { "define.PastaInfo", helper_info },
  { "define.HostInfo", host_info },
  { "define.ContainerStore", container_store },
  { "define.ImageStore", image_store },
  { "define.StoreInfo", store_info },
  { "define.Version", version },
  { "define.Plugins", plugins },
  { "ferry.Info", info },
  { "entities.ListContainerNamespaces", ps_namespaces },
  { "ferry.PsRow", ps_row },
  { "ferry.ImageRow", image_row },
  { "events.Details", event_details },
  { "system.Event", event },
  { "define.ContainerNetworkStats", network_stats },
  { "define.ContainerStats", container_stats },
  { "ferry.StatsRow", stats_row },
};

const struct ferry_cli_go_struct *
ferry_cli_go_struct_find (const char *name, size_t len)
{
  for (size_t i = 0; i < sizeof (structs) / sizeof (structs[0]); i++)
    if (strlen (structs[i].name) == len && memcmp (structs[i].name, name, len) == 0)
      return &structs[i];
  return NULL;
}
