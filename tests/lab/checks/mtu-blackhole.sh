# Small packets work everywhere (the sweep).
sweep
# West -> east: the VPC-east link carries 1400 bytes and the VPC's "fragmentation
# needed" is dropped, so bigger DF packets vanish without a word.
expect_pmtu west-a-0 dc-east-rack1-sts-0 1472 silent
expect_pmtu west-b-0 dc-east-rack2-sts-0 1373 silent
expect_pmtu west-a-0 dc-east-rack1-sts-0 1372 ok
# East -> west: east's gateway says "fragmentation needed" (mtu 1400), so path
# MTU discovery works that way.
expect_pmtu east-b-0 dc-west-rack1-sts-0 1472 frag-needed
expect_tracepath east-c-0 dc-west-rack2-sts-0 'pmtu 1400' "finds pmtu 1400"
# Inside each cluster, full size works.
expect_pmtu west-a-0 dc-west-rack2-sts-0 1472 ok
expect_pmtu east-b-0 dc-east-rack2-sts-0 1472 ok
