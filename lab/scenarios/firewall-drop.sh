# description: the VPC silently drops tcp/7000 from east to west (one direction)
include clean
fault fw_drop east west 7000
