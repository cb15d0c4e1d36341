# East's pods see west's traffic from west's node address ...
expect_identity west-a-0 10.250.1.20 dc-east-rack1-sts-0 10.100.0.10
expect_identity west-b-0 10.250.2.20 dc-east-rack2-sts-0 10.100.0.10
# ... while east -> west and west -> west keep the pod's address.
expect_identity east-b-0 10.200.1.20 dc-west-rack1-sts-0 10.250.1.10
expect_identity west-a-0 10.200.2.20 dc-west-rack2-sts-0 10.200.1.10
