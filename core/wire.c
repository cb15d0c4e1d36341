#include "reachmap/wire.h"

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
