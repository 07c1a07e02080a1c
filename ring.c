// SPDX-License-Identifier: GPL-2.0
/* The lockless rings of events and anomalies (ring.h). */
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "ring.h"

int ht_ring_init(struct ht_ring *ring, u64 size, size_t record_size)
{
	ring->slots = vzalloc(array_size(size, record_size));
	if (!ring->slots)
		return -ENOMEM;
	ring->size = size;
	ring->record_size = record_size;
	atomic64_set(&ring->head, 0);
	return 0;
}

static u64 *ring_slot(struct ht_ring *ring, u64 seq)
{
	return ring->slots + (seq & (ring->size - 1)) * ring->record_size;
}

/*
 * Claims the next number for @record and unpublishes its slot: the caller
 * copies the record in and publishes the number (ht_ring_publish()).
 */
u64 *ht_ring_claim(struct ht_ring *ring, u64 *record)
{
	u64 seq = atomic64_inc_return(&ring->head);
	u64 *slot = ring_slot(ring, seq);

	*record = seq;
	WRITE_ONCE(*slot, 0);
	/* readers see the slot unpublished before any byte of it changes */
	smp_wmb();
	return slot;
}

/* 0: copied; -EAGAIN: not published yet; -ENOENT: overwritten. */
int ht_ring_read(struct ht_ring *ring, u64 seq, u64 *record)
{
	u64 *slot = ring_slot(ring, seq);

	/* pairs with ht_ring_publish()'s release */
	if (smp_load_acquire(slot) != seq)
		goto missed;
	memcpy(record, slot, ring->record_size);
	/* the copy before the re-check: a writer that started since shows */
	smp_rmb();
	if (READ_ONCE(*slot) == seq)
		return 0;
missed:
	return atomic64_read(&ring->head) >= seq + ring->size ? -ENOENT : -EAGAIN;
}

u64 ht_ring_oldest(struct ht_ring *ring)
{
	u64 head = atomic64_read(&ring->head);

	return head >= ring->size ? head - ring->size + 1 : 1;
}

void ht_ring_free(struct ht_ring *ring)
{
	vfree(ring->slots);
}

u64 ht_ring_head(struct ht_ring *ring)
{
	return atomic64_read(&ring->head);
}

/* Records published and overwritten since: no longer in the ring. */
u64 ht_ring_overwritten(struct ht_ring *ring)
{
	u64 head = atomic64_read(&ring->head);

	return head > ring->size ? head - ring->size : 0;
}

/* Forgets every record: numbered from 1 again (a reset). */
void ht_ring_clear(struct ht_ring *ring)
{
	atomic64_set(&ring->head, 0);
	memset(ring->slots, 0, ring->size * ring->record_size);
}

size_t ht_ring_footprint(const struct ht_ring *ring)
{
	return ring->size * ring->record_size;
}
