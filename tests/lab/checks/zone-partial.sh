# us-east1-c (10.250.2.0/24) is cut off from the other clusters ...
expect_tcp west-a-0 dc-east-rack2-sts-0 9042 timeout
expect_ping west-b-0 dc-east-rack2-sts-0 fail
expect_tcp east-c-0 dc-west-rack1-sts-0 9042 timeout
# ... us-east1-b is not, and inside east both zones talk.
expect_tcp west-a-0 dc-east-rack1-sts-0 9042 open
expect_ping west-b-0 dc-east-rack1-sts-0 ok
expect_tcp east-b-0 dc-east-rack2-sts-0 9042 open
