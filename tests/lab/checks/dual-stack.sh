# Every pod has a v4 and a v6 address. Over IPv4 nothing is broken (the
# sweep); over IPv6 the VPC drops tcp/7000 from west's pods to east's, and
# every other cell works: the other ports, the responder, ping -6 both
# ways, and AAAA lookups of every name from every cluster.
sweep
if [ -f "$LAB_DIR/topology-v6.yaml" ] &&
	grep -q 'address: fd00:200:0:1::10,' "$LAB_DIR/topology-v6.yaml"; then
	pass "topology-v6.yaml holds the pods at their IPv6 addresses"
else
	fail "no topology-v6.yaml with west-a-0 at fd00:200:0:1::10"
fi
use_v6
want_tcp() { W=; [ "${CL[$1]}" = west ] && [ "${CL[$2]}" = east ] && [ "$3" = 7000 ] && W=timeout; }
sweep
# The SYN left west and never arrived in east: dropped on the way (over
# IPv6 only: the first sweep connected to the same port over IPv4).
watch_arrivals dc-east-rack1-sts-0 7000 fd00:200::/48
expect_tcp west-a-0 dc-east-rack1-sts-0 7000 timeout
expect_arrived dc-east-rack1-sts-0 7000 no
# Each cluster's DNS server answers on its IPv6 service address too (the one
# topology-v6.yaml names).
for c in west:fd00:96::10 east:fd00:97::10; do
	got=$(in_pod "$(pods_of probe "${c%%:*}" | head -1)" dig +short +time=2 +tries=2 \
		"@${c#*:}" "$(dns_of dc-east-rack2-sts-0)" AAAA 2>&1)
	if [ "$got" = "${ADDR[dc-east-rack2-sts-0]}" ]; then
		pass "${c%%:*}'s DNS server at ${c#*:} answers AAAA $got"
	else
		fail "${c%%:*}'s DNS server at ${c#*:}: got '$got', want '${ADDR[dc-east-rack2-sts-0]}'"
	fi
done
# The IPv6 view is a topology reachmap reads, and as clean as the v4 one.
if [ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ]; then
	out=$(timeout 30 "$REACHMAP" plan "$LAB_DIR/topology-v6.yaml" 2>&1); rc=$?
	if [ "$rc" -eq 0 ]; then pass "reachmap plan topology-v6.yaml exits 0"
	else fail "reachmap plan topology-v6.yaml exits $rc, want 0: $out"; fi
fi
