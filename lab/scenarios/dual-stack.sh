# description: every pod has a v4 and a v6 address; the VPC drops tcp/7000 from west to east over IPv6 only
# Two clusters as in clean, dual-stack (lab/README.md: west's pods
# fd00:200::/48, east's fd00:250::/48). IPv4 works fully, so topology.yaml
# shows no fault; over IPv6 (topology-v6.yaml) west's SYNs to east's tcp/7000
# vanish at the VPC, and the rest of IPv6 works.
include clean
dual_stack
fault fw_drop6 west east 7000
