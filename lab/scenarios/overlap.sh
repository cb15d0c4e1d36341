# description: east's pod CIDR overlaps west's, and 10.200.129.20 exists in both
# The topology declares what was really deployed: east's pods in
# 10.200.128.0/17, inside west's 10.200.0.0/16. West's second zone lives in
# 10.200.129.0/24, as does east's first, so dc-west-rack2-sts-0 and
# dc-east-rack1-sts-0 share 10.200.129.20: west pods reach their own pod.
cluster west 10.100.0.0/16 10.200.0.0/16 10.96.0.0/16 west.cluster.local 10.96.0.10 \
	10.100.0.10 10.100.0.1 "us-west1-a us-west1-b" "10.200.1 10.200.129"
cluster east 10.150.0.0/16 10.200.128.0/17 10.97.0.0/16 east.cluster.local 10.97.0.10 \
	10.150.0.10 10.150.0.1 "us-east1-b us-east1-c" "10.200.129 10.200.130"
