#include "reachmap/wire.h"

#include <netinet/in.h>
#include <string.h>

#include "reachmap/error.h"

int rd_u8(struct rm_reader *r, uint8_t *out)
{
	if (rd_left(r) < 1)
		return RM_ETRUNC;
	*out = r->data[r->off++];
	return RM_OK;
}

int rd_u16(struct rm_reader *r, uint16_t *out)
{
	if (rd_left(r) < 2)
		return RM_ETRUNC;
	*out = (uint16_t)((uint16_t)r->data[r->off] << 8 | r->data[r->off + 1]);
	r->off += 2;
	return RM_OK;
}

int rd_u32(struct rm_reader *r, uint32_t *out)
{
	if (rd_left(r) < 4)
		return RM_ETRUNC;
	*out = (uint32_t)r->data[r->off] << 24 | (uint32_t)r->data[r->off + 1] << 16 |
	       (uint32_t)r->data[r->off + 2] << 8 | r->data[r->off + 3];
	r->off += 4;
	return RM_OK;
}

int rd_skip(struct rm_reader *r, size_t n)
{
	if (rd_left(r) < n)
		return RM_ETRUNC;
	r->off += n;
	return RM_OK;
}

int rd_bytes(struct rm_reader *r, size_t n, const uint8_t **out)
{
	if (rd_left(r) < n)
		return RM_ETRUNC;
	*out = r->data + r->off;
	r->off += n;
	return RM_OK;
}

int rd_sub(struct rm_reader *r, size_t n, struct rm_reader *out)
{
	const uint8_t *p;
	int rc = rd_bytes(r, n, &p);

	if (rc == RM_OK)
		rd_init(out, p, n);
	return rc;
}

int wr_bytes(struct rm_writer *w, const void *p, size_t n)
{
	if (w->cap - w->off < n)
		return RM_ETRUNC;
	if (n)
		memcpy(w->data + w->off, p, n);
	w->off += n;
	return RM_OK;
}

int wr_u8(struct rm_writer *w, uint8_t v)
{
	return wr_bytes(w, &v, 1);
}

int wr_u16(struct rm_writer *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return wr_bytes(w, b, 2);
}

int wr_u32(struct rm_writer *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return wr_bytes(w, b, 4);
}

socklen_t wire_to_sockaddr(const struct rm_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == RM_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->bytes, 16);
		return sizeof(*s6);
	}
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		return sizeof(*s4);
	}
}

int wire_from_sockaddr(const struct sockaddr *sa, struct rm_addr *a, uint16_t *port)
{
	uint16_t p = 0;

	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;

		a->family = RM_AF_INET6;
		memcpy(a->bytes, &s6->sin6_addr, 16);
		p = ntohs(s6->sin6_port);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

		a->family = RM_AF_INET;
		memcpy(a->bytes, &s4->sin_addr, 4);
		p = ntohs(s4->sin_port);
	} else {
		return RM_EINVAL;
	}
	if (port != NULL)
		*port = p;
	return RM_OK;
}
