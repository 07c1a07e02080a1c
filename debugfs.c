// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/hugetrack/: root-only text files, one record per line.
 * A debugfs failure leaves the module working without its files.
 */
#include <linux/debugfs.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/seq_buf.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "anomaly.h"
#include "debugfs.h"
#include "events.h"
#include "format.h"
#include "hstates.h"
#include "inflight.h"
#include "ledger.h"
#include "ledger_audit.h"
#include "probe.h"
#include "report.h"
#include "watch.h"

#define CONTROL_MAX	64

static struct dentry *root;

/* Set at unload: blocked readers of events return end-of-file. */
static bool closing;

#define HT_SHOW_FILE(name, show_fn)				\
static int name##_show(struct seq_file *m, void *v)		\
{								\
	show_fn(m);						\
	return 0;						\
}								\
DEFINE_SHOW_ATTRIBUTE(name)

HT_SHOW_FILE(probes, ht_report_probes);
HT_SHOW_FILE(layouts, ht_probes_show_layouts);
HT_SHOW_FILE(hstates, ht_hstates_show);
HT_SHOW_FILE(faults, ht_recent_events_show);
HT_SHOW_FILE(counters, ht_counters_show);
HT_SHOW_FILE(anomalies, ht_anomalies_show);
HT_SHOW_FILE(writers, ht_writers_show);
HT_SHOW_FILE(summary, ht_summary_show);
HT_SHOW_FILE(windows, ht_windows_show);
HT_SHOW_FILE(reservations, ht_ledger_show);

/* The part of an event line a short read left for the next one. */
struct events_reader {
	char line[HT_EVENT_LINE_MAX];
	size_t len, off;
	unsigned int poll_us;	/* wait_for_events()'s */
};

/* A stream's open: its reader's state, zeroed, in private_data. */
static int reader_open(struct inode *inode, struct file *file, size_t size)
{
	file->private_data = kvzalloc(size, GFP_KERNEL);
	if (!file->private_data)
		return -ENOMEM;
	return nonseekable_open(inode, file);
}

static int reader_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static int events_open(struct inode *inode, struct file *file)
{
	return reader_open(inode, file, sizeof(struct events_reader));
}

static bool events_wake(void)
{
	return ht_events_ready() || READ_ONCE(closing);
}

/*
 * A blocked read looks again every READ_POLL_MS at most instead of waiting
 * to be woken: a reader that keeps up would otherwise be woken for every
 * event, and the faulting task would pay for each wakeup.  poll() still
 * wakes.  Each reader's interval halves (to READ_POLL_MIN_US) while a wait
 * finds an eighth of the ring filled, so that a burst does not overwrite
 * what it has not read, and doubles back while a wait finds a 32nd.
 */
#define READ_POLL_MS		10
#define READ_POLL_MIN_US	250

/*
 * Nothing was ready: waits *@poll_us (0: the longest), then 0 to look
 * again; or -EAGAIN / -ERESTARTSYS / end of stream (1).
 */
static int wait_for_events(bool block, unsigned int *poll_us)
{
	u64 backlog, capacity = ht_events_capacity();
	ktime_t wait;

	if (READ_ONCE(closing))
		return 1;
	if (!block)
		return -EAGAIN;
	if (!*poll_us)
		*poll_us = READ_POLL_MS * USEC_PER_MSEC;
	wait = ns_to_ktime((u64)*poll_us * NSEC_PER_USEC);
	set_current_state(TASK_INTERRUPTIBLE);
	schedule_hrtimeout_range(&wait, *poll_us * (NSEC_PER_USEC / 8), HRTIMER_MODE_REL);
	if (signal_pending(current))
		return -ERESTARTSYS;
	backlog = ht_events_backlog();
	if (backlog * 8 > capacity)
		*poll_us = max(*poll_us / 2, READ_POLL_MIN_US);
	else if (backlog * 32 < capacity)
		*poll_us = min(*poll_us * 2, READ_POLL_MS * USEC_PER_MSEC);
	return 0;
}

/* 0: a line is ready; or wait_for_events()'s error or end of stream. */
static int fill_line(struct events_reader *r, bool block)
{
	struct ht_event ev;
	struct seq_buf s;
	int err;

	while (ht_events_next(&ev)) {
		err = wait_for_events(block, &r->poll_us);
		if (err)
			return err;
	}
	seq_buf_init(&s, r->line, sizeof(r->line));
	ht_event_format(&s, &ev);
	r->len = seq_buf_used(&s);
	r->off = 0;
	return 0;
}

/* Blocks until at least one event, then returns what is there. */
static ssize_t events_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	struct events_reader *r = file->private_data;
	size_t done = 0, n;
	int err;

	while (done < count) {
		if (r->off == r->len) {
			err = fill_line(r, !done && !(file->f_flags & O_NONBLOCK));
			if (err)
				return done ?: (err > 0 ? 0 : err);
		}
		n = min(count - done, r->len - r->off);
		if (copy_to_user(buf + done, r->line + r->off, n))
			return done ?: -EFAULT;
		r->off += n;
		done += n;
	}
	return done;
}

static __poll_t events_poll(struct file *file, poll_table *wait)
{
	struct events_reader *r = file->private_data;

	poll_wait(file, &ht_events_wait, wait);
	return r->off < r->len || events_wake() ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations events_fops = {
	.owner = THIS_MODULE,
	.open = events_open,
	.read = events_read,
	.poll = events_poll,
	.release = reader_release,
};

/*
 * events_bin: the same stream as fixed-size records (ht_stream.h has the
 * read contract), converted RECORDS_BATCH at a time under one lock.
 */
#define RECORDS_BATCH	128

struct records_reader {
	bool header_sent;
	unsigned int poll_us;	/* wait_for_events()'s */
	struct ht_event_rec recs[RECORDS_BATCH];
};

static int events_bin_open(struct inode *inode, struct file *file)
{
	return reader_open(inode, file, sizeof(struct records_reader));
}

static ssize_t events_bin_header(struct records_reader *r, char __user *buf,
				 size_t count)
{
	struct ht_stream_header *hdr;
	ssize_t ret = sizeof(*hdr);

	if (count < sizeof(*hdr))
		return -EINVAL;
	hdr = kmalloc(sizeof(*hdr), GFP_KERNEL);
	if (!hdr)
		return -ENOMEM;
	ht_stream_header_fill(hdr);
	if (copy_to_user(buf, hdr, sizeof(*hdr)))
		ret = -EFAULT;
	else
		r->header_sent = true;
	kfree(hdr);
	return ret;
}

/* Blocks until at least one record, then returns the whole ones that fit. */
static ssize_t events_bin_read(struct file *file, char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct records_reader *r = file->private_data;
	size_t done = 0, bytes;
	unsigned int n;
	int err;

	if (!r->header_sent)
		return events_bin_header(r, buf, count);
	if (count < sizeof(r->recs[0]))
		return -EINVAL;
	while (count - done >= sizeof(r->recs[0])) {
		n = ht_events_next_records(r->recs, min_t(size_t, RECORDS_BATCH,
				(count - done) / sizeof(r->recs[0])));
		if (!n) {
			if (done)
				break;
			err = wait_for_events(!(file->f_flags & O_NONBLOCK), &r->poll_us);
			if (err)
				return err > 0 ? 0 : err;
			continue;
		}
		bytes = n * sizeof(r->recs[0]);
		/* consumed already: what a fault here loses is lost */
		if (copy_to_user(buf + done, r->recs, bytes))
			return done ?: -EFAULT;
		done += bytes;
	}
	return done;
}

static __poll_t events_bin_poll(struct file *file, poll_table *wait)
{
	struct records_reader *r = file->private_data;

	poll_wait(file, &ht_events_wait, wait);
	return !r->header_sent || events_wake() ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations events_bin_fops = {
	.owner = THIS_MODULE,
	.open = events_bin_open,
	.read = events_bin_read,
	.poll = events_bin_poll,
	.release = reader_release,
};

static int control_show(struct seq_file *m, void *v)
{
	ht_control_show(m);
	ht_ledger_audit_state(m);
	return 0;
}

static int control_open(struct inode *inode, struct file *file)
{
	return single_open(file, control_show, NULL);
}

/* One whole command a write, an optional newline after it. */
static ssize_t control_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	char cmd[CONTROL_MAX];
	size_t len = count;
	int err;

	if (count >= sizeof(cmd))
		return -E2BIG;
	if (copy_from_user(cmd, buf, count))
		return -EFAULT;
	if (len && cmd[len - 1] == '\n')
		len--;
	cmd[len] = '\0';
	if (strlen(cmd) != len)
		return -EINVAL;
	err = ht_control_write(cmd);
	return err ?: count;
}

static const struct file_operations control_fops = {
	.owner = THIS_MODULE,
	.open = control_open,
	.read = seq_read,
	.write = control_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void ht_debugfs_init(void)
{
	root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("probes", 0400, root, NULL, &probes_fops);
	debugfs_create_file("layouts", 0400, root, NULL, &layouts_fops);
	debugfs_create_file("hstates", 0400, root, NULL, &hstates_fops);
	debugfs_create_file("events", 0400, root, NULL, &events_fops);
	debugfs_create_file("events_bin", 0400, root, NULL, &events_bin_fops);
	debugfs_create_file("faults", 0400, root, NULL, &faults_fops);
	debugfs_create_file("counters", 0400, root, NULL, &counters_fops);
	debugfs_create_file("anomalies", 0400, root, NULL, &anomalies_fops);
	debugfs_create_file("writers", 0400, root, NULL, &writers_fops);
	debugfs_create_file("summary", 0400, root, NULL, &summary_fops);
	debugfs_create_file("windows", 0400, root, NULL, &windows_fops);
	debugfs_create_file("reservations", 0400, root, NULL, &reservations_fops);
	debugfs_create_file("control", 0600, root, NULL, &control_fops);
}

void ht_debugfs_exit(void)
{
	WRITE_ONCE(closing, true);
	wake_up_all(&ht_events_wait);
	debugfs_remove_recursive(root);
}
