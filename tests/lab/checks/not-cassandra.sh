# dc-east-rack2-sts-0's 9042 is open but answers a CQL OPTIONS with HTTP;
# every other CQL port answers SUPPORTED and every other port is open.
want_cql() { W=; [ "$2" = dc-east-rack2-sts-0 ] && W="open not-cql b'HTTP/1.1 400"; }
sweep
