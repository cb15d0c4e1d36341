# description: the VPC rejects us-east1-c's traffic to west (net unreachable); west's requests arrive there, answers lost
# One zone, one direction: what leaves east's us-east1-c towards west's pods
# gets ICMP net unreachable (3/0) from the VPC router 10.150.0.1. West's
# packets to that zone arrive; the answers meet the same rule and are lost.
# east's other zone, and everything inside each cluster, works.
include clean
fault zone_reject east 1 west
