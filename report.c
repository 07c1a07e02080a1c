// SPDX-License-Identifier: GPL-2.0
/*
 * The views that gather every part: the counters and summary files, the
 * probes file's rows, what the module allocated, and the control file's
 * commands (a reset reaches every part).  Only debugfs.c calls these; they
 * call down into the parts and are never called by them.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include "anomaly.h"
#include "counters.h"
#include "events.h"
#include "hstates.h"
#include "inflight.h"
#include "ledger_audit.h"
#include "probe.h"
#include "report.h"
#include "watch.h"

static void show_collapse_counters(struct seq_file *m, const struct ht_counters *sum)
{
	unsigned long attempts = sum->events[HT_EV_COLLAPSE];
	unsigned long ok = sum->collapse_new;
	unsigned int i;

	seq_printf(m, "collapse_attempts %lu\ncollapse_succeeded %lu\ncollapse_failed %lu\n",
		   attempts, ok, attempts - ok);
	for (i = 0; ht_scan_result_name(i); i++)
		seq_printf(m, "collapse_result_%s %lu\n", ht_scan_result_name(i),
			   sum->collapse_results[i]);
}

void ht_counters_show(struct seq_file *m)
{
	struct ht_counters sum;
	unsigned int i;

	ht_counters_sum(&sum);
	for (i = 0; i < HT_EV_NR; i++)
		seq_printf(m, "events_%s %lu\n", ht_kind_names[i], sum.events[i]);
	seq_printf(m, "events_dropped %llu\n", ht_events_dropped());
	seq_printf(m, "resv_reserved %lu\n", sum.resv_reserved);
	seq_printf(m, "resv_unreserved %lu\n", sum.resv_unreserved);
	seq_printf(m, "resv_consumed %lu\n", sum.resv_consumed);
	seq_printf(m, "resv_restored %lu\n", sum.resv_restored);
	for (i = 0; i < HT_RULE_NR; i++)
		seq_printf(m, "anomaly_%s %lu\n", ht_rule_names[i], sum.anomalies[i]);
	show_collapse_counters(m, &sum);
	ht_windows_counters(m);
	seq_printf(m, "judged_resv %lu\njudged_ref %lu\n", sum.judged_resv, sum.judged_ref);
	for (i = 0; i < HT_UNJ_NR; i++)
		seq_printf(m, "unjudged_%s %lu\n", ht_unjudged_names[i], sum.unjudged[i]);
	seq_printf(m, "not_followed %lu\nanomalies_dropped %lu\ntask_faults_dropped %ld\nprobe_calls_missed %lu\n",
		   ht_ops_not_followed(), ht_anomalies_dropped(&sum),
		   ht_task_faults_dropped(), ht_probes_missed());
	ht_ledger_audit_counters(m);
	seq_printf(m, "ledger_suspects_dropped %lu\n", ht_ledger_suspects_dropped());
}

static void show_collapse_summary(struct seq_file *m, const struct ht_counters *sum)
{
	const char *sep = ": ";
	unsigned int i;

	seq_printf(m, "collapse: %lu attempts, %lu made a THP; results",
		   sum->events[HT_EV_COLLAPSE], sum->collapse_new);
	for (i = 0; ht_scan_result_name(i); i++) {
		if (sum->collapse_results[i]) {
			seq_printf(m, "%s%s %lu", sep, ht_scan_result_name(i),
				   sum->collapse_results[i]);
			sep = ", ";
		}
	}
	seq_puts(m, "\n");
}

/* "judged: resv 4, ref 2; unjudged 3: overlap 2, mm_users 1" */
static void show_judgements(struct seq_file *m, const struct ht_counters *sum)
{
	unsigned long total = 0;
	const char *sep = ": ";
	unsigned int i;

	for (i = 0; i < HT_UNJ_NR; i++)
		total += sum->unjudged[i];
	seq_printf(m, "judged: resv %lu, ref %lu; unjudged %lu", sum->judged_resv,
		   sum->judged_ref, total);
	for (i = 0; i < HT_UNJ_NR; i++) {
		if (sum->unjudged[i]) {
			seq_printf(m, "%s%s %lu", sep, ht_unjudged_names[i], sum->unjudged[i]);
			sep = ", ";
		}
	}
	seq_puts(m, "\n");
}

/* What the module allocated at load; it allocates nothing after. */
static size_t footprint(void)
{
	return ht_events_footprint() + ht_anomalies_footprint() + ht_counters_footprint() +
	       ht_probes_footprint() + ht_inflight_footprint() + ht_ledger_audit_footprint();
}

void ht_summary_show(struct seq_file *m)
{
	struct ht_counters sum;
	unsigned long total = 0;
	unsigned int i;

	ht_counters_sum(&sum);
	seq_printf(m, "hugetrack %s on %s, loaded %llu s ago, %zu bytes preallocated\n",
		   HUGETRACK_VERSION, init_utsname()->release,
		   (ktime_get_ns() - ht_events_loaded_ns()) / NSEC_PER_SEC, footprint());
	seq_printf(m, "recording %s, events dropped %llu\n",
		   ht_events_recording() ? "enabled" : "disabled", ht_events_dropped());
	ht_hstates_summary(m);
	for (i = 0; i < HT_RULE_NR; i++)
		total += sum.anomalies[i];
	seq_printf(m, "anomalies: %lu", total);
	for (i = 0; i < HT_RULE_NR; i++)
		if (sum.anomalies[i])
			seq_printf(m, ", %s %lu", ht_rule_names[i], sum.anomalies[i]);
	seq_puts(m, "\n");
	show_judgements(m, &sum);
	seq_printf(m, "capacity: not followed %lu operations, anomalies dropped %lu, task faults dropped %ld, probe calls missed %lu\n",
		   ht_ops_not_followed(), ht_anomalies_dropped(&sum),
		   ht_task_faults_dropped(), ht_probes_missed());
	show_collapse_summary(m, &sum);
	ht_windows_summary(m);
	ht_top_tasks_show(m);
}

static void reset(void)
{
	ht_counters_reset();
	ht_anomalies_reset();
	ht_events_reset();
	ht_hstates_reset_range();
	ht_inflight_reset();
	ht_probes_reset_missed();
	ht_ledger_audit_reset();
}

/*
 * One command, whole: "reset", "enable", "disable", "filter pid <n>",
 * "filter comm <name>", "filter clear".  Anything else is -EINVAL and changes
 * nothing.
 */
int ht_control_write(const char *cmd)
{
	const char *arg;
	int pid;

	if (!strcmp(cmd, "reset")) {
		reset();
	} else if (!strcmp(cmd, "enable") || !strcmp(cmd, "disable")) {
		ht_events_set_recording(cmd[0] == 'e');
	} else if (!strcmp(cmd, "filter clear")) {
		ht_events_set_filter(0, "");
	} else if (str_has_prefix(cmd, "filter pid ")) {
		arg = cmd + strlen("filter pid ");
		if (*arg == '+' || kstrtoint(arg, 10, &pid) || pid <= 0)
			return -EINVAL;
		ht_events_set_filter(pid, "");
	} else if (str_has_prefix(cmd, "filter comm ")) {
		arg = cmd + strlen("filter comm ");
		if (!*arg || strlen(arg) >= TASK_COMM_LEN || strpbrk(arg, " \t\n"))
			return -EINVAL;
		ht_events_set_filter(0, arg);
	} else {
		return -EINVAL;
	}
	return 0;
}

/* The probe points, then the watchpoints. */
void ht_report_probes(struct seq_file *m)
{
	ht_probes_show(m);
	ht_watch_show_probes(m);
}
