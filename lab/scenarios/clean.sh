# description: two clusters (west, east) in one VPC; everything works
cluster west 10.100.0.0/16 10.200.0.0/16 10.96.0.0/16 west.cluster.local 10.96.0.10 \
	10.100.0.10 10.100.0.1 "us-west1-a us-west1-b" "10.200.1 10.200.2"
cluster east 10.150.0.0/16 10.250.0.0/16 10.97.0.0/16 east.cluster.local 10.97.0.10 \
	10.150.0.10 10.150.0.1 "us-east1-b us-east1-c" "10.250.1 10.250.2"
