/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_RING_H
#define HT_RING_H

#include <linux/atomic.h>
#include <linux/types.h>

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
void ht_ring_publish(struct ht_ring *ring, u64 *record);
int ht_ring_read(struct ht_ring *ring, u64 seq, u64 *record);
u64 ht_ring_oldest(struct ht_ring *ring);
u64 ht_ring_head(struct ht_ring *ring);
u64 ht_ring_overwritten(struct ht_ring *ring);
void ht_ring_clear(struct ht_ring *ring);
size_t ht_ring_footprint(const struct ht_ring *ring);

#endif /* HT_RING_H */
