// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the reader's parsers: the first byte picks the
 * parser, the rest is the file's text.  Any crash, leak or undefined
 * behaviour (ASan, UBSan) is a finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ht_parse_error err;
	struct ht_hstate *hstates;
	struct ht_probe_row *probes;
	struct ht_counter *counters;
	struct ht_kvrecord *records;
	struct ht_sample *samples;
	struct ht_ledger_row *rows;
	struct ht_kvline kv;
	size_t n;
	char *text;

	if (!size)
		return 0;
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	ht_check_text(text, size - 1, &err);
	switch (data[0] % 8) {
	case 0:
		if (!ht_parse_hstates(text, &hstates, &n, &err))
			free(hstates);
		break;
	case 1:
		if (!ht_parse_probes(text, &probes, &n, &err))
			free(probes);
		break;
	case 2:
		if (!ht_parse_counters(text, &counters, &n, &err)) {
			ht_counter_value(counters, n, "events_fault");
			free(counters);
		}
		break;
	case 3:
		if (!ht_parse_anomalies(text, &records, &n, &err))
			ht_kvrecords_free(records, n);
		break;
	case 4:
		if (!ht_parse_windows(text, &records, &n, &err))
			ht_kvrecords_free(records, n);
		break;
	case 5:
		if (!ht_parse_samples(text, &samples, &n, &err))
			free(samples);
		break;
	case 6:
		if (!ht_parse_reservations(text, &rows, &n, &err))
			free(rows);
		break;
	default:
		if (!ht_parse_event(text, &kv, &err))
			ht_kv_get(&kv, "kind");
	}
	free(text);
	return 0;
}
