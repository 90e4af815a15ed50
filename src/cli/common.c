typedef int ferry_placeholder_common;
