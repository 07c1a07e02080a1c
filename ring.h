/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_RING_H
#define HT_RING_H

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/barrier.h>

/*
 * A ring of fixed-size records, each starting with its u64 sequence number.
 * A writer claims a number, fills the slot and publishes the number last; a
 * reader copies the slot and checks the number again, so a record that was
 * overwritten while being copied is detected, never torn.
 */
struct ht_ring {
	void *slots;
	size_t record_size;
	u64 size;
	atomic64_t head;	/* the last number claimed; the first is 1 */
};

int ht_ring_init(struct ht_ring *ring, u64 size, size_t record_size);
void ht_ring_free(struct ht_ring *ring);
u64 *ht_ring_claim(struct ht_ring *ring, u64 *record);

static __always_inline void ht_ring_publish_sized(struct ht_ring *ring, void *record,
						  size_t size)
{
	u64 *seq = record, *slot = ht_ring_claim(ring, seq);

	memcpy(slot + 1, seq + 1, size - sizeof(u64));
	/* pairs with ht_ring_read()'s acquire: the bytes before the number */
	smp_store_release(slot, *seq);
}

/*
 * Sets the sequence number of @rec, a record of the ring's type, and
 * publishes a copy of it.  Its size is known here, so the copy is inlined
 * in whole words: a copy of a length read at run time is a rep movsb,
 * which the bench's instruction count counts a byte at a time (docs/bench.md).
 */
#define ht_ring_publish(ring, rec) \
	ht_ring_publish_sized(ring, rec, \
			      sizeof(*(rec)) + BUILD_BUG_ON_ZERO(offsetof(typeof(*(rec)), seq)))
int ht_ring_read(struct ht_ring *ring, u64 seq, u64 *record);
u64 ht_ring_oldest(struct ht_ring *ring);
u64 ht_ring_head(struct ht_ring *ring);
u64 ht_ring_overwritten(struct ht_ring *ring);
void ht_ring_clear(struct ht_ring *ring);
size_t ht_ring_footprint(const struct ht_ring *ring);

#endif /* HT_RING_H */
