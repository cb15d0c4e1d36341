# description: three faults at once: tcp/7000 east->west dropped, east lacks west's DNS stub, west SNATs to east
# firewall-drop, dns-stub-missing and snat composed: none hides another (the
# drop is east -> west, the SNAT west -> east, DNS is apart).
include firewall-drop
include dns-stub-missing
include snat
