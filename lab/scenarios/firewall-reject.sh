# description: the VPC rejects tcp/7199 from west to east with ICMP admin-prohibited
include clean
fault fw_reject west east 7199
