# description: east's DNS answers REFUSED for west.cluster.local, central's never answers for it
# Three clusters. A resolver with no forward for a zone answers REFUSED, not
# NXDOMAIN: east's dnsmasq has no upstream for west's domain. Central's stub
# for west points at a port where nothing listens, so its lookups time out.
# Every address works; only the names of west fail, and only from those two.
include three-dc
DNS_STUB_BROKEN[east:west]=refused
DNS_STUB_BROKEN[central:west]=silent
