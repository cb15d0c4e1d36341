got=$(in_pod west-a-0 $TCPCHECK --cql --timeout 1 10.250.2.20 9042)
case $got in "open not-cql b'HTTP/1.1 400"*) pass "west-a-0 -> dc-east-rack2-sts-0 tcp/9042 answers but not CQL: $got" ;;
*) fail "west-a-0 -> dc-east-rack2-sts-0 tcp/9042: got '$got', want an HTTP answer" ;; esac
got=$(in_pod west-a-0 $TCPCHECK --cql --timeout 1 10.250.1.20 9042)
[ "$got" = "open cql SUPPORTED" ] && pass "west-a-0 -> dc-east-rack1-sts-0 tcp/9042 speaks CQL" ||
	fail "west-a-0 -> dc-east-rack1-sts-0 tcp/9042: got '$got', want 'open cql SUPPORTED'"
expect_tcp west-a-0 dc-east-rack2-sts-0 7000 open
