# West -> east tcp/7199 is rejected by the VPC router with admin-prohibited.
expect_tcp west-a-0 dc-east-rack1-sts-0 7199 "icmp type=3 code=13 from=10.100.0.1"
expect_tcp west-b-0 dc-east-rack2-sts-0 7199 "icmp type=3 code=13 from=10.100.0.1"
# Other ports, ICMP and the other direction work.
expect_tcp west-a-0 dc-east-rack1-sts-0 7000 open
expect_ping west-a-0 dc-east-rack1-sts-0 ok
expect_tcp east-b-0 dc-west-rack1-sts-0 7199 open
