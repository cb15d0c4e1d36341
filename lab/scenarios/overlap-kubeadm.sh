# description: both clusters use kubeadm's default pod range 10.244.0.0/16; 10.244.1.10 and .20 exist in both
# The topology declares what was deployed: the same pod range in both
# clusters, node /24s handed out from its start. West's zones are 10.244.0
# and 10.244.1, east's 10.244.1 and 10.244.2, so west-b-0 and east-b-0 share
# 10.244.1.10, dc-west-rack2-sts-0 and dc-east-rack1-sts-0 10.244.1.20. The
# VPC holds one route for 10.244.0.0/16, to west: east's 10.244.2.0/24 is
# reachable from nowhere outside east (the packets loop between west's
# gateway and the VPC), and what east sends to west gets no answer back.
cluster west 10.100.0.0/16 10.244.0.0/16 10.96.0.0/16 west.cluster.local 10.96.0.10 \
	10.100.0.10 10.100.0.1 "us-west1-a us-west1-b" "10.244.0 10.244.1"
cluster east 10.150.0.0/16 10.244.0.0/16 10.97.0.0/16 east.cluster.local 10.97.0.10 \
	10.150.0.10 10.150.0.1 "us-east1-b us-east1-c" "10.244.1 10.244.2"
