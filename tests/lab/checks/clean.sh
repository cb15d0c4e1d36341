sweep_healthy
# Routers answer TTL-expired: tracepath lists the VPC router between clusters.
out=$(in_pod west-a-0 tracepath -n -m 6 "$(addr_of dc-east-rack1-sts-0)" 2>&1)
if grep -q '10.100.0.1 ' <<<"$out" && grep -q reached <<<"$out"; then
	pass "tracepath west-a-0 -> dc-east-rack1-sts-0 shows the VPC router 10.100.0.1 and arrives"
else
	fail "tracepath west-a-0 -> dc-east-rack1-sts-0: $out"
fi
