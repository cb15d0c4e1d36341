# East -> west tcp/7000 times out ...
expect_tcp east-b-0 dc-west-rack1-sts-0 7000 timeout
expect_tcp east-c-0 dc-west-rack2-sts-0 7000 timeout
# ... while the other ports, ICMP and the other direction work.
expect_tcp east-b-0 dc-west-rack1-sts-0 9042 open
expect_tcp east-b-0 dc-west-rack1-sts-0 7001 open
expect_ping east-b-0 dc-west-rack1-sts-0 ok
expect_tcp west-a-0 dc-east-rack1-sts-0 7000 open
expect_tcp east-b-0 dc-east-rack2-sts-0 7000 open
