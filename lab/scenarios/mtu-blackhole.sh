# description: the VPC-east link carries 1400 bytes and the VPC drops "fragmentation needed"
include clean
fault mtu_blackhole east 1400
