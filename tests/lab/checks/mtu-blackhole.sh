# West -> east: full-size DF packets vanish, smaller ones pass.
expect_pmtu west-a-0 dc-east-rack1-sts-0 1472 fail
expect_pmtu west-a-0 dc-east-rack1-sts-0 1300 ok
expect_tcp west-a-0 dc-east-rack1-sts-0 9042 open
# East -> west: east's gateway says "fragmentation needed", so path MTU
# discovery works that way and finds 1400.
out=$(in_pod east-b-0 tracepath -n -m 6 "$(addr_of dc-west-rack1-sts-0)" 2>&1)
if grep -q 'pmtu 1400' <<<"$out"; then pass "tracepath east-b-0 -> dc-west-rack1-sts-0 finds pmtu 1400"
else fail "tracepath east-b-0 -> dc-west-rack1-sts-0 does not find pmtu 1400: $out"; fi
# Inside west, full size works.
expect_pmtu west-a-0 dc-west-rack2-sts-0 1472 ok
