/* The one length-checked reader for bytes from the network (CONVENTIONS.md;
 * c-ares's ares_buf_fetch_*, tcpdump's GET_*). Every fetch checks what is
 * left and returns RM_ETRUNC instead of reading past the end; nothing else
 * in reachmap indexes into a received buffer. Big-endian, network order. */
#ifndef REACHMAP_WIRE_H
#define REACHMAP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "reachmap/cidr.h"

struct rm_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
};

static inline void rd_init(struct rm_reader *r, const uint8_t *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->off = 0;
}

static inline size_t rd_left(const struct rm_reader *r)
{
	return r->len - r->off;
}

/* 0, or RM_ETRUNC (-8) and nothing consumed. */
int rd_u8(struct rm_reader *r, uint8_t *out);
int rd_u16(struct rm_reader *r, uint16_t *out);
int rd_u32(struct rm_reader *r, uint32_t *out);
int rd_skip(struct rm_reader *r, size_t n);
/* Borrows n bytes: *out points into the buffer. */
int rd_bytes(struct rm_reader *r, size_t n, const uint8_t **out);
/* A reader over the next n bytes, consumed from r. */
int rd_sub(struct rm_reader *r, size_t n, struct rm_reader *out);

/* Writers for building packets and frames into a caller's buffer: 0, or
 * RM_ETRUNC when the buffer is full. */
struct rm_writer {
	uint8_t *data;
	size_t cap;
	size_t off;
};

static inline void wr_init(struct rm_writer *w, uint8_t *data, size_t cap)
{
	w->data = data;
	w->cap = cap;
	w->off = 0;
}

int wr_u8(struct rm_writer *w, uint8_t v);
int wr_u16(struct rm_writer *w, uint16_t v);
int wr_u32(struct rm_writer *w, uint32_t v);
int wr_bytes(struct rm_writer *w, const void *p, size_t n);

/* The one conversion between the socket API's addresses and rm_addr.
 * wire_to_sockaddr fills *ss with a and port (host order) and returns the
 * length to pass to the socket call. wire_from_sockaddr sets *a and, when
 * port is not NULL, *port (host order); RM_EINVAL for a family other than
 * AF_INET and AF_INET6 (*a is then family RM_AF_NONE). */
socklen_t wire_to_sockaddr(const struct rm_addr *a, uint16_t port, struct sockaddr_storage *ss);
int wire_from_sockaddr(const struct sockaddr *sa, struct rm_addr *a, uint16_t *port);

#endif
