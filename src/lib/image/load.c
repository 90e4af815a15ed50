/* placeholder until this module lands */
typedef int ferry_placeholder_load;
