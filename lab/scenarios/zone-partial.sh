# description: east's zone us-east1-c is cut off from the other clusters; us-east1-b works
include clean
fault zone_cut east 1
