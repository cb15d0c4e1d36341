# description: three clusters (west, central, east) in one VPC; everything works
include clean
cluster central 10.120.0.0/16 10.220.0.0/16 10.98.0.0/16 central.cluster.local 10.98.0.10 \
	10.120.0.10 10.120.0.1 "us-central1-a us-central1-f" "10.220.1 10.220.2"
