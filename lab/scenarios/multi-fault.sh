# description: three faults at once: tcp/7000 east->west dropped, east lacks west's DNS stub, west SNATs to east
include clean
fault fw_drop east west 7000
DNS_NO_STUB[east]=west
fault snat west east
