// SPDX-License-Identifier: GPL-2.0
/*
 * The reservation ledger: who holds each reserved huge page, reconciled with
 * each hstate's resv_huge_pages.  The model is the kernel's own
 * (Documentation/mm/hugetlbfs_reserv.rst):
 *
 * - a subpool (a mount with min_size=) holds rsv_hpages of the global count;
 * - a hugetlbfs file (and an anonymous shared mapping, a file of an internal
 *   mount) holds each page of its reserve map that no page in its page
 *   cache has consumed yet;
 * - a private mapping that owns its reservation (HPAGE_RESV_OWNER) holds
 *   each page of its range that is not in its reserve map, whose entries
 *   are the consumed pages; a child after fork and MAP_NORESERVE own none.
 *
 * resv_huge_pages equals the sum when nothing is in flight.  The walk runs
 * in process context, under the locks the kernel's code takes to read the
 * same fields: s_umount and s_inode_list_lock for a mount's inodes, the
 * reserve map's lock for its regions, the subpool's lock, mmap_lock for a
 * task's VMAs (held by no other task, lock_mm_alone()).
 */
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "events.h"
#include "hstates.h"
#include "ledger.h"
#include "refcount_track.h"
#include "util.h"

struct ledger_walk {
	struct seq_file *m;	/* NULL: an audit, which writes no line */
	struct ht_ledger *ledger;
	/*
	 * Holders another task is changing: an mm whose lock it holds (a
	 * munmap may be under way), a file being made or unmade
	 */
	unsigned int busy;
};

/* The tally of @h, or NULL for an hstate the registry does not know. */
static struct ht_ledger_tally *tally_of(struct ledger_walk *w, struct hstate *h)
{
	int i = ht_hstate_index(h);

	return i < 0 ? NULL : &w->ledger->tally[i];
}

static void hold(struct ht_ledger_tally *t, long pages)
{
	t->sum += pages;
	t->holders++;
}

/*
 * Folios in use charged to @spool: on the hstate's active list, under the
 * lock that alloc_hugetlb_folio() and free_huge_folio() move them under.
 */
static long folios_charged(struct hstate *h, struct hugepage_subpool *spool)
{
	spinlock_t *lock = ht_hugetlb_lock();
	struct folio *folio;
	long folios = 0;

	if (!lock)
		return -1;
	spin_lock_irq(lock);
	list_for_each_entry(folio, &h->hugepage_activelist, lru)
		folios += hugetlb_folio_subpool(folio) == spool;
	spin_unlock_irq(lock);
	return folios;
}

/* @sb's subpool: held, and in the mounts table (or NULL when it is full). */
static struct ht_ledger_mount *walk_subpool(struct ledger_walk *w, struct super_block *sb,
					    struct hugepage_subpool *spool)
{
	struct ht_ledger *ledger = w->ledger;
	struct ht_ledger_mount *mnt, unheld;
	struct ht_ledger_tally *t;
	unsigned long flags;

	t = tally_of(w, spool->hstate);
	if (!t)
		return NULL;
	mnt = ledger->nr_mounts < HT_LEDGER_MOUNTS ? &ledger->mounts[ledger->nr_mounts++] : &unheld;
	mnt->spool = spool;
	mnt->dev = sb->s_dev;
	mnt->h = spool->hstate;
	/* the lock hugepage_subpool_get_pages() takes, irqs off as there */
	spin_lock_irqsave(&spool->lock, flags);
	mnt->min = spool->min_hpages;
	mnt->max = spool->max_hpages;
	mnt->rsv = spool->rsv_hpages;
	mnt->used = spool->used_hpages;
	spin_unlock_irqrestore(&spool->lock, flags);
	mnt->held = folios_charged(spool->hstate, spool);
	/* without min_size=, rsv_hpages is -1 and holds nothing */
	hold(t, mnt->min == -1 ? 0 : mnt->rsv);
	if (mnt != &unheld)
		return mnt;
	ledger->mounts_unheld++;
	return NULL;
}

/* The table's entry of the mount of @inode, or NULL. */
static struct ht_ledger_mount *mount_of(struct ledger_walk *w, struct inode *inode)
{
	struct hugetlbfs_sb_info *sbinfo = HUGETLBFS_SB(inode->i_sb);
	unsigned int i;

	for (i = 0; sbinfo && sbinfo->spool && i < w->ledger->nr_mounts; i++)
		if (w->ledger->mounts[i].spool == sbinfo->spool)
			return &w->ledger->mounts[i];
	return NULL;
}

static void mount_holds(struct ht_ledger_mount *mnt, long pages)
{
	if (mnt && mnt->held >= 0)
		mnt->held += pages;
}

/* Each mount's subpool line, and what its subpool used more than it holds. */
static void show_mounts(struct ledger_walk *w)
{
	struct ht_ledger *ledger = w->ledger;
	struct ht_ledger_mount *mnt;
	struct ht_ledger_tally *t;
	unsigned int i;

	for (i = 0; i < ledger->nr_mounts; i++) {
		mnt = &ledger->mounts[i];
		t = tally_of(w, mnt->h);
		if (mnt->max != -1 && mnt->held >= 0 && mnt->used != mnt->held) {
			if (!t->used_diff)
				t->used_dev = mnt->dev;
			t->used_diff += mnt->used - mnt->held;
		}
		if (w->m)
			seq_printf(w->m, "subpool dev=%u:%u hstate=%s min=%ld max=%ld rsv=%ld used=%ld held=%ld\n",
				   MAJOR(mnt->dev), MINOR(mnt->dev), mnt->h->name,
				   mnt->min, mnt->max, mnt->rsv, mnt->used, mnt->held);
	}
}

/* Pages of @mapping's page cache in [@from, @to), huge-page indices. */
static long cached_pages(struct address_space *mapping, struct hstate *h,
			 long from, long to)
{
	XA_STATE(xas, &mapping->i_pages, ht_hugetlb_cache_pos(h, from));
	long pages = 0;
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, ht_hugetlb_cache_pos(h, to) - 1) {
		if (xas_retry(&xas, entry) || xa_is_value(entry))
			continue;
		pages++;
	}
	rcu_read_unlock();
	return pages;
}

/* Called under s_inode_list_lock, which keeps @inode's reserve map. */
static void walk_file(struct ledger_walk *w, struct super_block *sb,
		      struct hstate *h, struct ht_ledger_tally *t,
		      struct ht_ledger_mount *mnt, struct inode *inode)
{
	long reserved = 0, cached = 0, in_progress;
	struct file_region *rg;
	struct resv_map *resv;
	bool published;

	/*
	 * new_inode() lists a file before hugetlbfs_get_inode() sets its
	 * reserve map, and until then the field may be a freed inode's (7.x
	 * keeps it in hugetlbfs_inode_info, which no allocation clears).
	 * d_instantiate() publishes the file under i_lock, after the map was
	 * set.  A file with no dentry, being made or unmade, is not read, and
	 * the walk is not judged.
	 */
	spin_lock(&inode->i_lock);
	published = !hlist_empty(&inode->i_dentry);
	spin_unlock(&inode->i_lock);
	if (!published) {
		w->busy++;
		return;
	}
	resv = ht_inode_resv_map(inode);
	if (!resv)
		return;
	spin_lock(&resv->lock);
	list_for_each_entry(rg, &resv->regions, link) {
		reserved += rg->to - rg->from;
		cached += cached_pages(inode->i_mapping, h, rg->from, rg->to);
	}
	in_progress = resv->adds_in_progress;
	spin_unlock(&resv->lock);

	if (!reserved && !in_progress)
		return;
	hold(t, reserved - cached);
	mount_holds(mnt, reserved - cached);
	t->in_progress += in_progress;
	if (w->m)
		seq_printf(w->m, "file dev=%u:%u ino=%llu hstate=%s reserved=%ld cached=%ld outstanding=%ld in_progress=%ld\n",
			   MAJOR(sb->s_dev), MINOR(sb->s_dev),
			   (unsigned long long)inode->i_ino, h->name,
			   reserved, cached, reserved - cached, in_progress);
}

/* iterate_supers_type() calls it with @sb->s_umount held. */
static void walk_superblock(struct super_block *sb, void *arg)
{
	struct hugetlbfs_sb_info *sbinfo = HUGETLBFS_SB(sb);
	struct ht_ledger_mount *mnt = NULL;
	struct ledger_walk *w = arg;
	struct ht_ledger_tally *t;
	struct inode *inode;

	if (sbinfo->spool)
		mnt = walk_subpool(w, sb, sbinfo->spool);
	t = tally_of(w, sbinfo->hstate);
	if (!t)
		return;
	/* evict() takes an inode off this list before it frees the reserve map */
	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list)
		if (S_ISREG(inode->i_mode))
			walk_file(w, sb, sbinfo->hstate, t, mnt, inode);
	spin_unlock(&sb->s_inode_list_lock);
}

static void walk_mounts(struct ledger_walk *w)
{
	struct file_system_type *type = get_fs_type("hugetlbfs");

	if (!type)
		return;
	iterate_supers_type(type, walk_superblock, w);
	/* put_filesystem(), which is not exported */
	module_put(type->owner);
}

/* A private mapping's reserve map, read over the mapping's range. */
struct private_tally {
	long consumed;	/* pages with an entry: their reservation was used */
	long lost;	/* of those, pages with nothing mapped (or migrating) */
};

/*
 * The pages of @vma in @resv's regions, as region_count() counts them, and
 * which of them map nothing: the page a reservation was used for is gone
 * and the reservation was not given back, so a fault there allocates
 * without one (and may SIGBUS).  A page past the file's end is not lost: a
 * fault there gets SIGBUS whatever it holds (a truncate zaps it and leaves
 * its entry).  The page tables are read under mmap_lock alone: a private
 * hugetlb mapping shares no PMD table, and its tables are freed only under
 * mmap_lock held for write.
 */
static void tally_private(struct vm_area_struct *vma, struct hstate *h,
			  struct resv_map *resv, long from, long to,
			  struct private_tally *pt)
{
	loff_t size = i_size_read(file_inode(vma->vm_file));
	long eof = (size + huge_page_size(h) - 1) >> huge_page_shift(h);
	struct file_region *rg;
	unsigned long addr;
	long i;

	spin_lock(&resv->lock);
	list_for_each_entry(rg, &resv->regions, link) {
		if (rg->to <= from)
			continue;
		if (rg->from >= to)
			break;
		for (i = max(rg->from, from); i < min(rg->to, to); i++) {
			addr = vma->vm_start + ((i - from) << huge_page_shift(h));
			pt->consumed++;
			pt->lost += i < eof &&
				    !ht_huge_entry_used(vma->vm_mm, huge_page_size(h), addr);
		}
	}
	spin_unlock(&resv->lock);
}

/* Under mmap_lock, which keeps @vma and its reserve map. */
static void walk_private(struct ledger_walk *w, struct task_struct *task,
			 struct vm_area_struct *vma)
{
	unsigned long priv = (unsigned long)vma->vm_private_data;
	struct hstate *h = hstate_vma(vma);
	struct inode *inode = file_inode(vma->vm_file);
	struct ht_ledger_tally *t = tally_of(w, h);
	struct private_tally pt = {};
	char comm[TASK_COMM_LEN];
	long from, to;

	if (!t || !(priv & HT_HPAGE_RESV_OWNER))
		return;
	from = ht_hugetlb_resv_index(h, vma, vma->vm_start);
	to = ht_hugetlb_resv_index(h, vma, vma->vm_end);
	tally_private(vma, h, (struct resv_map *)(priv & ~HT_HPAGE_RESV_MASK),
		      from, to, &pt);
	hold(t, to - from - pt.consumed);
	/* the mapping's file keeps its mount, and the subpool, alive */
	mount_holds(mount_of(w, inode), to - from - pt.consumed);
	if (pt.lost && !t->lost) {
		t->lost_pid = task_tgid_nr(task);
		t->lost_start = vma->vm_start;
		t->lost_end = vma->vm_end;
	}
	t->lost += pt.lost;
	if (!w->m)
		return;
	ht_safe_comm(comm, task->comm);
	seq_printf(w->m, "private pid=%d comm=%s start=0x%lx end=0x%lx dev=%u:%u ino=%llu hstate=%s pages=%ld consumed=%ld outstanding=%ld lost=%ld\n",
		   task_tgid_nr(task), comm, vma->vm_start, vma->vm_end,
		   MAJOR(inode->i_sb->s_dev), MINOR(inode->i_sb->s_dev),
		   (unsigned long long)inode->i_ino, h->name, to - from,
		   pt.consumed, to - from - pt.consumed, pt.lost);
}

/*
 * munmap() takes its mappings out of the tree under the write lock, then
 * downgrades it to read to zap and close them: from the zap to the close, a
 * mapping's reservations are in the global count and in no tree.  An mm
 * whose lock no task holds when the walk comes has no mapping there; a
 * munmap that begins after zaps after the walk's mark, which makes the walk
 * not quiet.  An mm locked by another task makes it unjudged.
 */
static int lock_mm_alone(struct ledger_walk *w, struct mm_struct *mm)
{
	if (rwsem_is_locked(&mm->mmap_lock))
		w->busy++;
	return mmap_read_lock_killable(mm);
}

static void walk_task(struct ledger_walk *w, struct task_struct *task)
{
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	bool lent;

	/* a vfork child shares its parent's mm: counted once, with the parent */
	if (READ_ONCE(task->vfork_done))
		return;
	mm = get_task_mm(task);
	if (!mm)
		return;
	lent = ht_mm_lend(mm);
	if (lock_mm_alone(w, mm)) {
		w->ledger->unvisited++;
	} else {
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma)
			if (is_vm_hugetlb_page(vma) && !(vma->vm_flags & VM_MAYSHARE))
				walk_private(w, task, vma);
		mmap_read_unlock(mm);
	}
	if (lent)
		ht_mm_return(mm);
	mmput(mm);
}

/* Every thread group once, by pid, without holding RCU across a sleep. */
static void walk_tasks(struct ledger_walk *w)
{
	struct task_struct *task;
	struct pid *pid;
	int nr = 1;

	for (;;) {
		rcu_read_lock();
		pid = find_ge_pid(nr, &init_pid_ns);
		task = pid ? pid_task(pid, PIDTYPE_TGID) : NULL;
		if (task)
			get_task_struct(task);
		if (pid)
			nr = pid_nr(pid) + 1;
		rcu_read_unlock();
		if (!pid)
			break;
		if (!task)
			continue;
		walk_task(w, task);
		put_task_struct(task);
		cond_resched();
	}
}

/* Walks until one saw no operation run, LEDGER_TRIES at most. */
#define LEDGER_TRIES	3

/* One walk at a time: two would find each other's mm locks held. */
static DEFINE_MUTEX(walk_lock);

void ht_ledger_walk(struct ht_ledger *ledger, struct seq_file *m)
{
	struct ledger_walk w = { .m = m, .ledger = ledger };
	size_t start = m ? m->count : 0;
	struct ht_quiet_mark mark;
	struct hstate *h;
	int i, try;

	mutex_lock(&walk_lock);
	for (try = 0; try < LEDGER_TRIES && (!try || !ledger->quiet); try++) {
		memset(ledger, 0, sizeof(*ledger));
		w.busy = 0;
		if (m) {
			/* each try writes the holders it finds again */
			m->count = start;
			seq_puts(m, "# holders: subpool, file, private (docs/files.md)\n");
		}
		ht_events_mark(&mark);
		walk_mounts(&w);
		walk_tasks(&w);
		show_mounts(&w);
		for (i = 0; (h = ht_hstate(i)); i++)
			ledger->tally[i].global = READ_ONCE(h->resv_huge_pages);
		ledger->quiet = ht_events_quiet(&mark) && !ht_hugetlb_faulting() &&
				!w.busy;
	}
	mutex_unlock(&walk_lock);
	ht_events_mark(&mark);
	ledger->in_flight = mark.in_flight;
}

bool ht_ledger_judged(const struct ht_ledger *ledger, const struct ht_ledger_tally *t)
{
	return ledger->quiet && !ledger->in_flight && !t->in_progress;
}

void ht_ledger_show(struct seq_file *m)
{
	struct ht_ledger *ledger = kmalloc(sizeof(*ledger), GFP_KERNEL);
	struct hstate *h;
	int i;

	if (!ledger) {
		seq_puts(m, "# no memory for the walk\n");
		return;
	}
	ht_ledger_walk(ledger, m);
	for (i = 0; (h = ht_hstate(i)); i++) {
		struct ht_ledger_tally *t = &ledger->tally[i];

		seq_printf(m, "ledger hstate=%s global=%ld sum=%ld holders=%lu in_flight=%ld diff=%ld lost=%ld used_diff=%ld judged=%d\n",
			   h->name, t->global, t->sum, t->holders,
			   ledger->in_flight + t->in_progress, t->global - t->sum, t->lost,
			   t->used_diff, ht_ledger_judged(ledger, t));
	}
	seq_printf(m, "# unvisited tasks %lu\n# mounts beyond the table %lu\n",
		   ledger->unvisited, ledger->mounts_unheld);
	kfree(ledger);
}
